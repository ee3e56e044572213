import FleetSimulator
import Foundation
import Logging
import SluiceBreakGlass
import SluiceController
import SluiceCore
import SluiceSimulation
import SluiceStore
import Synchronization
import Testing

/// A driver that counts its calls, around the simulator's control-plane driver.
final class CountingDriver: FleetDriver {
    let inner: any FleetDriver
    let calls = Mutex(0)

    init(_ inner: any FleetDriver) {
        self.inner = inner
    }

    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        calls.withLock { $0 += 1 }
        return try await inner.execute(action, on: cluster, artifact: artifact)
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Break-glass against the simulated incident, in process")
struct SimulatorBreakGlassTests {
    static let fleet = Fleet(
        name: "incident",
        clusters: [
            FleetCluster(name: "huge", labels: [:], nodeCount: 7500, apiservers: 5)
        ])

    /// The bad agent, ungated, in three batches: nothing stops it but break-glass.
    static func spec() throws -> RolloutSpec {
        let plan = RolloutPlan(
            name: "agent", artifact: ArtifactRef(name: "agent", version: "1", apiProfile: "cluster-wide-pod-list"),
            fleetPath: "f", policyName: "none",
            waves: [
                WavePlan(
                    name: "all", clusters: .names(["huge"]), nodeBatches: [.percent(10), .percent(40), .percent(100)],
                    bakeBetweenBatchesSeconds: 120, bakeAfterClusterSeconds: 600)
            ])
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "none", gates: [])).get()
    }

    @Test(
        "Node-direct break-glass stops the agent on a saturated 7,500-node cluster; apiserver then DNS recover; the fence holds"
    )
    func incident() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try Self.spec()
        let simulated = SimulatedFleet(fleet: Self.fleet, seed: 11)
        let store = try SluiceStore()
        try store.submit(spec: spec, planPath: "(test)", actor: "test", now: 0)
        let clock = SimulationClock(fleet: simulated)
        let driver = CountingDriver(SimulatorDriver(fleet: simulated, deadlineSeconds: 300))
        let controller = RolloutController(
            store: store, driver: driver, signals: SimulatorSignalSource(fleet: simulated), clock: clock,
            leaseClock: clock, owner: "test", leaseTTLSeconds: .infinity, maxParallelActions: 1,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))

        // Drive the rollout through the control plane until the apiserver is saturated.
        var saturated = false
        while await simulated.nowSeconds < 4 * 3600 {
            _ = try await controller.reconcileOnce()
            if await simulated.groundTruth(cluster: "huge").isDegradedNow {
                saturated = true
                break
            }
            await simulated.advance(by: 30)
        }
        #expect(saturated)
        let agentsBefore = await simulated.agentNodeCount(cluster: "huge")
        #expect(agentsBefore > 0)

        // Break glass through the simulator's node path.
        let journal = BreakGlassJournal(path: directory.appendingPathComponent("bg.jsonl").path)
        let targets = ClusterTargets.fromJournal(try store.journal(rollout: "agent"), spec: spec, clusters: nil)
        #expect(targets.first?.nodeNames.count ?? 0 >= agentsBefore)
        let operation = BreakGlassOperation(
            channels: [SimulatorNodeChannel(fleet: simulated)], journal: journal, store: store, parallelism: 4)
        let brokeAt = await simulated.nowSeconds
        let report = try await operation.run(
            rollout: "agent", artifact: spec.artifact, targets: targets, clusters: [], reason: "apiserver down",
            actor: "oncall", host: "test")
        #expect(report.succeeded)
        #expect(report.recordedInDatabase)
        #expect(try store.breakGlassFence(rollout: "agent") != nil)

        // Every agent stops within a bounded simulated time, whatever the apiserver's state.
        var stoppedAt: Double?
        while await simulated.nowSeconds - brokeAt <= 120 {
            await simulated.advance(by: 5)
            if await simulated.agentNodeCount(cluster: "huge") == 0 {
                stoppedAt = await simulated.nowSeconds
                break
            }
        }
        let stopSeconds = try #require(stoppedAt) - brokeAt
        #expect(stopSeconds <= 60)

        // The apiserver recovers, then DNS, and a controller on the same store applies nothing more.
        let callsBefore = driver.calls.withLock { $0 }
        let journalBefore = try store.journal(rollout: "agent")
        while await simulated.nowSeconds - brokeAt < 3 * 3600 {
            _ = try await controller.reconcileOnce()
            let truth = await simulated.groundTruth(cluster: "huge")
            if !truth.isDegradedNow && !truth.isDnsFailingNow && (truth.lastDnsFailureAtSeconds ?? 0) > 0 { break }
            await simulated.advance(by: 30)
        }
        let truth = await simulated.groundTruth(cluster: "huge")
        #expect(!truth.isDegradedNow)
        #expect(!truth.isDnsFailingNow)
        let apiRecovered = try #require(truth.lastDegradedAtSeconds)
        let dnsRecovered = try #require(truth.lastDnsFailureAtSeconds)
        #expect(apiRecovered <= dnsRecovered)
        #expect(driver.calls.withLock { $0 } == callsBefore)
        #expect(await simulated.agentNodeCount(cluster: "huge") == 0)
        let journalAfter = try store.journal(rollout: "agent")
        #expect(journalAfter.map(\.action.key) == journalBefore.map(\.action.key))
        #expect(journalAfter.filter { $0.state == .intended }.isEmpty)
        let status = try #require(try store.rollout(named: "agent")?.status)
        #expect(status.phase == .halted)
        #expect(status.message.hasPrefix("break-glass since"))
        #expect(try store.rolloutsToReconcile().isEmpty)
        #expect(try store.verifyEventChain().isIntact)
    }
}
