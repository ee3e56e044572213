import Foundation
import SluiceBenchSupport
import SluiceController
import SluiceCore
import SluiceStore

/// Rollouts made through the real controller, for a database with history.
enum History {
    /// A one-cluster rollout of three nodes in two batches with no bakes, named `name`.
    static func spec(_ name: String, bakeSeconds: Double = 0) throws -> RolloutSpec {
        let fleet = Fleet(name: "bench", clusters: [FleetCluster(name: "c", nodeCount: 3)])
        let plan = RolloutPlan(
            name: name, artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "fleet.yaml", policyName: "p",
            waves: [
                WavePlan(name: "all", clusters: .names(["c"]), nodeBatches: [.count(1), .percent(100)],
                         bakeBetweenBatchesSeconds: bakeSeconds, bakeAfterClusterSeconds: bakeSeconds)
            ])
        let gate = Gate(name: "errors", signal: "apiserver_429_ratio", bound: .atMost(0.01))
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [gate])).get()
    }

    /// Submits `count` rollouts and drives them to completion in virtual time.
    static func finishRollouts(_ count: Int, in store: SluiceStore, prefix: String) async throws {
        for index in 0..<count {
            try store.submit(spec: try spec("\(prefix)-\(index)"), planPath: "plan.yaml", actor: "bench", now: 0)
        }
        let controller = BenchController(store: store)
        for _ in 0..<20 {
            if case .reconciled(let active, _, _) = try await controller.pass(), active == 0 { return }
        }
        throw BenchError("rollouts did not finish")
    }

    /// Submits the rollout `active`, baking for ten hours after its first batch, and returns a controller whose
    /// passes find it baking: the steady state of a daemon watching one rollout.
    static func activeRollout(in store: SluiceStore) async throws -> BenchController {
        try store.submit(spec: try spec("active", bakeSeconds: 36_000), planPath: "plan.yaml", actor: "bench", now: 0)
        let controller = BenchController(store: store)
        for _ in 0..<3 { _ = try await controller.pass() }
        return controller
    }
}

/// A controller on a healthy fleet whose driver does nothing; each pass moves its clock a minute.
struct BenchController {
    let controller: RolloutController
    let clock = ManualClock(startingAt: 1)

    init(store: SluiceStore) {
        controller = RolloutController(
            store: store, driver: IdleFleet(), signals: IdleFleet(), clock: clock, owner: "bench",
            leaseTTLSeconds: 60)
    }

    func pass() async throws -> RolloutController.PassOutcome {
        let outcome = try await controller.reconcileOnce()
        await clock.advance(by: 60)
        return outcome
    }
}
