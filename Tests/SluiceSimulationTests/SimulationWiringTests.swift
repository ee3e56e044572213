import FleetSimulator
import Testing
import SluiceCore
import SluiceSimulation

/// A fleet small enough for debug builds that still has one cluster large enough to be knocked over.
let smallIncidentFleet = Fleet(name: "small-incident", clusters: [
    FleetCluster(name: "staging", labels: ["tier": "staging"], nodeCount: 50, apiservers: 1),
    FleetCluster(name: "medium", labels: ["tier": "medium"], nodeCount: 600, apiservers: 3),
    FleetCluster(name: "huge", labels: ["tier": "huge"], nodeCount: 7500, apiservers: 5),
])

func incidentSpec(profile: String, gates: [Gate]) throws -> RolloutSpec {
    let plan = RolloutPlan(
        name: "agent", artifact: ArtifactRef(name: "agent", version: "1", apiProfile: profile), fleetPath: "f",
        policyName: "p",
        waves: [
            WavePlan(name: "canary", clusters: .names(["staging"]), nodeBatches: [.count(1), .percent(100)],
                     bakeBetweenBatchesSeconds: 120, bakeAfterClusterSeconds: 600),
            WavePlan(name: "rest", clusters: .names(["medium", "huge"]),
                     nodeBatches: [.percent(1), .percent(5), .percent(25), .percent(100)],
                     bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
        ])
    return try RolloutSpec.resolve(plan: plan, fleet: smallIncidentFleet, policy: GatePolicy(name: "p", gates: gates)).get()
}

let reactiveGates = [
    Gate(name: "availability", signal: "apiserver_availability", aggregation: .min, windowSeconds: 120,
         bound: .atLeast(0.99), action: .halt),
    Gate(name: "throttled", signal: "apiserver_429_ratio", aggregation: .max, windowSeconds: 120,
         bound: .atMost(0.01), action: .halt),
]

@Suite("The real controller against the simulated fleet")
struct SimulationWiringTests {
    @Test("The fixed agent goes everywhere with no harm and no false halt")
    func fixedProfileCompletes() async throws {
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 7, horizonSeconds: 6 * 3600, observeAfterStopSeconds: 0)
        let outcome = try await runner.guarded(try incidentSpec(profile: "node-scoped-pod-list", gates: reactiveGates))
        #expect(outcome.finalPhase == "completed")
        #expect(outcome.clustersDegraded == 0)
        #expect(outcome.clusters.map(\.agentNodesAtEnd) == [50, 600, 7500])
        #expect(outcome.peakAgentNodes == 8150)
    }

    @Test("The bad agent is stopped by gates before it reaches the whole huge cluster")
    func badProfileHalts() async throws {
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 7, horizonSeconds: 6 * 3600, observeAfterStopSeconds: 600)
        let outcome = try await runner.guarded(try incidentSpec(profile: "cluster-wide-pod-list", gates: reactiveGates))
        #expect(outcome.finalPhase == "halted")
        let huge = try #require(outcome.clusters.first { $0.cluster == "huge" })
        #expect(huge.peakAgentNodes < 7500)
        #expect(outcome.haltedAtSeconds != nil)
        #expect(outcome.timeline.contains { $0.verb == "halted" && $0.message.contains("huge") })
    }

    @Test("Unguarded, the bad agent takes the huge cluster down and DNS follows; the small ones are fine")
    func unguardedIncident() async {
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 7)
        let outcome = await runner.unguarded(profile: .listAllPodsEveryMinute, spreadSeconds: 60, durationSeconds: 3600)
        let byName = Dictionary(uniqueKeysWithValues: outcome.clusters.map { ($0.cluster, $0) })
        #expect(byName["huge"]!.downMinutes > 10)
        #expect(byName["huge"]!.dnsFailureMinutes > 10)
        #expect(byName["staging"]!.degradedMinutes == 0)
        #expect(byName["medium"]!.degradedMinutes == 0)
        #expect(outcome.firstHarmToHaltSeconds == nil)
    }

    @Test("Same seed, same run")
    func deterministic() async throws {
        let spec = try incidentSpec(profile: "cluster-wide-pod-list", gates: reactiveGates)
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 3, horizonSeconds: 3 * 3600, observeAfterStopSeconds: 300)
        let first = try await runner.guarded(spec)
        let second = try await runner.guarded(spec)
        #expect(first == second)
    }

    @Test("The control-plane driver fails on a saturated cluster; the signal source sees the saturation")
    func driverAndSourceUnderSaturation() async throws {
        let fleet = SimulatedFleet(fleet: smallIncidentFleet, seed: 1)
        _ = await fleet.submit(cluster: "huge", nodes: 0..<7500, enable: true, profile: .listAllPodsEveryMinute,
                               path: .nodeDirect, deadlineSeconds: 60)
        await fleet.advance(to: 900)
        let driver = SimulatorDriver(fleet: fleet, deadlineSeconds: 300)
        let cluster = smallIncidentFleet.clusters[2]
        let revert = FleetAction(rollout: "r", kind: .revert, cluster: "huge", batch: 0, nodes: 0..<7500)
        await #expect(throws: SimulationError.self) {
            _ = try await driver.execute(revert, on: cluster, artifact: ArtifactRef(name: "a", version: "1"))
        }
        let source = SimulatorSignalSource(fleet: fleet)
        let now = await fleet.nowSeconds
        let availability = await source.samples(cluster: "huge", signal: "apiserver_availability", from: now - 120, through: now)
        #expect(!availability.isEmpty)
        #expect(availability.map(\.value).min()! < 0.5)
    }
}

@Suite("Rollback when the control plane cannot take it")
struct EscalationTests {
    /// The bad agent straight onto the huge cluster in two big batches, gated on availability with a cluster rollback.
    static func spec(escalateAfter: Double?) throws -> RolloutSpec {
        let plan = RolloutPlan(
            name: "agent", artifact: ArtifactRef(name: "agent", version: "1", apiProfile: "cluster-wide-pod-list"),
            fleetPath: "f", policyName: "p",
            waves: [WavePlan(name: "huge", clusters: .names(["huge"]), nodeBatches: [.percent(50), .percent(100)],
                             bakeBetweenBatchesSeconds: 600, bakeAfterClusterSeconds: 600)])
        let gate = Gate(name: "availability", signal: "apiserver_availability", aggregation: .min, windowSeconds: 120,
                        bound: .atLeast(0.99), action: .rollbackCluster)
        let policy = GatePolicy(name: "p", gates: [gate], escalateAfterSeconds: escalateAfter)
        return try RolloutSpec.resolve(plan: plan, fleet: smallIncidentFleet, policy: policy).get()
    }

    @Test("The revert through the saturated control plane fails and the cluster is escalated to the node-direct path")
    func escalates() async throws {
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 4, horizonSeconds: 4 * 3600, observeAfterStopSeconds: 1800)
        let outcome = try await runner.guarded(try Self.spec(escalateAfter: 300))
        let escalated = try #require(outcome.timeline.first { $0.verb == "escalated" })
        #expect(escalated.message.hasPrefix("huge:"))
        #expect(outcome.timeline.contains { $0.verb == "reverted" && $0.message.contains("break-glass channel") })
        let huge = try #require(outcome.clusters.first { $0.cluster == "huge" })
        #expect(huge.agentNodesAtEnd == 0)
        #expect(!huge.degradedAtEnd)
    }

    @Test("Without escalateAfter the rollout halts and says to break glass, and the agent stays on the nodes")
    func haltsAndAsks() async throws {
        let runner = SimulationRunner(fleet: smallIncidentFleet, seed: 4, horizonSeconds: 4 * 3600, observeAfterStopSeconds: 1800)
        let outcome = try await runner.guarded(try Self.spec(escalateAfter: nil))
        #expect(!outcome.timeline.contains { $0.verb == "escalated" })
        let halted = try #require(outcome.timeline.last { $0.verb == "halted" })
        #expect(halted.message.contains("sluice break-glass agent --cluster huge"))
        #expect(outcome.clusters.first { $0.cluster == "huge" }!.agentNodesAtEnd > 0)
    }
}
