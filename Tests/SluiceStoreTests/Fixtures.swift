import Foundation
import SluiceCore
import SluiceStore
import SluiceTestSupport

/// Specs and folders shared by the store tests; nothing here is global state, every test makes its own.
enum Fixtures {
    static let fleet = Fleet(
        name: "demo",
        clusters: [FleetCluster(name: "east", nodeCount: 4), FleetCluster(name: "west", nodeCount: 2)])

    static let policy = GatePolicy(
        name: "p", gates: [Gate(name: "latency", signal: "latency", bound: .atMost(1))], maxSampleAgeSeconds: 120)

    /// One wave over east (4 nodes) and west (2 nodes) with batches [1, 100%]: east's ends are [1, 4].
    static func spec(name: String = "agent-2.0", maxConcurrentClusters: Int = 1) throws -> RolloutSpec {
        let plan = RolloutPlan(
            name: name, artifact: ArtifactRef(name: "agent", version: "2.0.0"), fleetPath: "fleet.yaml",
            policyName: "p",
            waves: [
                WavePlan(
                    name: "all", clusters: .names(["east", "west"]), maxConcurrentClusters: maxConcurrentClusters,
                    nodeBatches: [.count(1), .percent(100)], bakeBetweenBatchesSeconds: 60,
                    bakeAfterClusterSeconds: 120)
            ])
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: policy).get()
    }

    /// A store in memory holding the rollout of `spec`, submitted at time 0 by `alice`.
    static func store(with spec: RolloutSpec) throws -> SluiceStore {
        let store = try SluiceStore()
        try store.submit(spec: spec, planPath: "/plans/\(spec.name).yaml", actor: "alice", now: 0)
        return store
    }

    /// Decides for the fixture rollout at `now` with healthy signals for every cluster the pass watches, as the
    /// controller would read them.
    static func decide(_ store: SluiceStore, now: Double) throws -> Decision {
        var input = try store.reconcileInput(rollout: "agent-2.0", now: now)
        for cluster in Reconciler.clustersToWatch(spec: input.spec, status: input.status) {
            input.signals[cluster] = ClusterSignals(
                cluster: cluster, samples: ["latency": [SignalSample(at: now, value: 0.1)]])
        }
        return Reconciler.decide(input)
    }
}

extension RolloutEvent {
    /// The event as a decision made it, before the store stamped the wall time it was recorded at.
    var unstamped: RolloutEvent {
        var event = self
        event.wallAt = nil
        return event
    }
}

extension GateEvaluation {
    /// The evaluation as a decision made it, before the store stamped the wall time it was recorded at.
    var unstamped: GateEvaluation {
        var evaluation = self
        evaluation.wallAt = nil
        return evaluation
    }
}
