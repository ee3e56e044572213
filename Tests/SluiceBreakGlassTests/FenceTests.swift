import Foundation
import Logging
import SluiceBreakGlass
import SluiceController
import SluiceCore
import SluiceStore
import Synchronization
import Testing

/// A driver that records the actions it was asked to carry out and can run a hook first.
final class RecordingDriver: FleetDriver {
    let actions = Mutex<[String]>([])
    let before: @Sendable (FleetAction) async throws -> Void

    init(before: @escaping @Sendable (FleetAction) async throws -> Void = { _ in }) {
        self.before = before
    }

    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        try await before(action)
        actions.withLock { $0.append(action.key) }
        return "ok"
    }
}

struct NoSignals: SignalSource {
    func samples(cluster: String, signal: String, from: Double, through: Double) async -> [SignalSample] { [] }
}

struct FixedClock: ControllerClock {
    var seconds: Double
    func now() async -> Double { seconds }
}

@Suite("The break-glass fence in the store and the controller")
struct FenceTests {
    static let fleet = Fleet(
        name: "f",
        clusters: [
            FleetCluster(name: "alpha", labels: [:], nodeCount: 4, apiservers: 1),
            FleetCluster(name: "beta", labels: [:], nodeCount: 3, apiservers: 1),
        ])

    static func spec() throws -> RolloutSpec {
        let plan = RolloutPlan(
            name: "r", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "none",
            waves: [
                WavePlan(
                    name: "w", clusters: .names(["alpha", "beta"]), maxConcurrentClusters: 2,
                    nodeBatches: [.count(1), .percent(100)], bakeBetweenBatchesSeconds: 0, bakeAfterClusterSeconds: 0)
            ])
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "none", gates: [])).get()
    }

    @Test(
        "A fence written while the daemon is mid-batch stops every later driver call, and no new intents are recorded")
    func fenceMidBatch() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try Self.spec(), planPath: "(test)", actor: "test", now: 0)
        // Break glass lands from another process just as the first driver call starts.
        let fenced = Mutex(false)
        let driver = RecordingDriver { action in
            let first = fenced.withLock { done in
                defer { done = true }
                return !done
            }
            guard first else { return }
            var intent = BreakGlassJournalRecord(type: .intent, runID: "bg-test", rollout: "r", at: 1_800_000_000)
            intent.actor = "oncall"
            intent.reason = "test"
            try store.importBreakGlass([intent])
        }
        let controller = RolloutController(
            store: store, driver: driver, signals: NoSignals(), clock: FixedClock(seconds: 10), owner: "d",
            maxParallelActions: 1, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await controller.reconcileOnce()
        let firstPass = driver.actions.withLock { $0 }
        #expect(firstPass.count == 1, "only the call already under way when the fence landed: \(firstPass)")
        for _ in 0..<3 { _ = try await controller.reconcileOnce() }
        #expect(driver.actions.withLock { $0 } == firstPass)
        let journal = try store.journal(rollout: "r")
        #expect(journal.filter { $0.state == .intended }.isEmpty)
        #expect(journal.count == 2, "the two intents of the first pass, none after: \(journal.map(\.action.key))")
        let status = try #require(try store.rollout(named: "r")?.status)
        #expect(status.phase == .halted)
        #expect(status.message.hasPrefix("break-glass since"))
        #expect(try store.rolloutsToReconcile().isEmpty)
        // A request after the fence is answered (refused) by the next pass, and the rollout settles again.
        _ = try? store.request(.resume, rollout: "r", reason: "try", actor: "op", now: 20)
        _ = try await controller.reconcileOnce()
        #expect(try store.requests(rollout: "r").allSatisfy { $0.state != "pending" })
        #expect(driver.actions.withLock { $0 } == firstPass)
    }

    @Test("Importing the same break-glass journal twice changes nothing the second time")
    func importIsIdempotent() throws {
        let store = try SluiceStore()
        try store.submit(spec: try Self.spec(), planPath: "(test)", actor: "test", now: 0)
        var intent = BreakGlassJournalRecord(type: .intent, runID: "bg-1", rollout: "r", at: 100)
        intent.actor = "oncall"
        intent.reason = "why"
        var node = BreakGlassJournalRecord(type: .node, runID: "bg-1", rollout: "r", at: 101)
        node.cluster = "alpha"
        node.node = "alpha-node-0"
        node.channel = "exec"
        node.state = "reverted"
        node.attempts = 1
        var finished = BreakGlassJournalRecord(type: .finished, runID: "bg-1", rollout: "r", at: 102)
        finished.outcome = "reverted 1 nodes"
        #expect(try store.importBreakGlass([intent, node, finished]) == 3)
        let events = try store.events(rollout: "r").count
        #expect(try store.importBreakGlass([intent, node, finished]) == 0)
        #expect(try store.events(rollout: "r").count == events)
        #expect(try store.breakGlassFence(rollout: "r")?.fence == 1)
        #expect(try store.breakGlassResults(rollout: "r").map(\.state) == ["reverted"])
    }
}
