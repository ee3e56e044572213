import Testing
import SluiceController
import SluiceCore
import SluiceStore

/// A driver that records what it was asked to do and can be told to fail.
actor RecordingDriver: FleetDriver {
    private(set) var calls: [String] = []
    var failing: Set<String> = []

    func fail(_ keys: Set<String>) { failing = keys }

    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        calls.append(action.key)
        if failing.contains(action.key) { throw DriverFailure() }
        return "ok \(action.nodes.count) nodes"
    }

    struct DriverFailure: Error {}
}

/// Every gate signal healthy for every cluster at every time.
struct HealthySignals: SignalSource {
    func samples(cluster: String, signal: String, from: Double, through: Double) -> [SignalSample] {
        [SignalSample(at: through, value: 0)]
    }
}

/// Signals that cannot be read at all.
struct UnreachableSignals: SignalSource {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    func samples(cluster: String, signal: String, from: Double, through: Double) throws -> [SignalSample] {
        throw Unreachable()
    }
}

func testSpec() throws -> RolloutSpec {
    let fleet = Fleet(name: "f", clusters: [
        FleetCluster(name: "a", nodeCount: 4), FleetCluster(name: "b", nodeCount: 3),
    ])
    let plan = RolloutPlan(
        name: "r1", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
        waves: [
            WavePlan(name: "one", clusters: .names(["a"]), nodeBatches: [.count(1), .percent(50), .percent(100)],
                     bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
            WavePlan(name: "two", clusters: .names(["b"]), nodeBatches: [.count(1), .percent(100)],
                     bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
        ])
    let gate = Gate(name: "errors", signal: "apiserver_429_ratio", bound: .atMost(0.01))
    return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [gate])).get()
}

func makeController(
    store: SluiceStore, driver: any FleetDriver, signals: any SignalSource = HealthySignals(), clock: ManualClock,
    leaseClock: ManualClock? = nil, owner: String = "daemon-1"
) -> RolloutController {
    RolloutController(
        store: store, driver: driver, signals: signals, clock: clock, leaseClock: leaseClock ?? clock, owner: owner,
        leaseTTLSeconds: 30, maxParallelActions: 1)
}

@Suite("The reconcile loop")
struct ControllerTests {
    @Test("Drives a rollout to completion, recording every action before and after the driver call")
    func completesRollout() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let driver = RecordingDriver()
        let clock = ManualClock()
        let controller = makeController(store: store, driver: driver, clock: clock)
        for _ in 0..<200 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        #expect(try store.rollout(named: "r1")?.status.phase == .completed)
        #expect(await driver.calls == ["apply/a/0", "apply/a/1", "apply/a/2", "apply/b/0", "apply/b/1"])
        let journal = try store.journal(rollout: "r1")
        #expect(journal.map(\.state) == Array(repeating: .done, count: 5))
        for (earlier, later) in zip(journal, journal.dropFirst()) where earlier.action.cluster == later.action.cluster {
            #expect(later.intendedAt - earlier.completedAt! >= 300)
        }
        #expect(try store.rolloutsToReconcile().isEmpty)
    }

    @Test("An action recorded as intended before a crash is carried out once by the next daemon")
    func intendedActionIsReissuedAfterCrash() async throws {
        let store = try SluiceStore()
        let spec = try testSpec()
        try store.submit(spec: spec, planPath: "plan.yaml", actor: "alice", now: 0)
        // The first daemon recorded its decision, then died before calling the driver.
        let lease = try #require(try store.acquireLease(owner: "daemon-1", now: 0, ttlSeconds: 30))
        let decision = Reconciler.decide(try store.reconcileInput(rollout: "r1", now: 0))
        try store.record(decision, rollout: "r1", now: 0, lease: lease)
        #expect(try store.intendedActions(rollout: "r1").map(\.action.key) == ["apply/a/0"])
        // Restarted under the same name, it carries the intent out and does not decide it again.
        let driver = RecordingDriver()
        let clock = ManualClock(startingAt: 10)
        let controller = makeController(store: store, driver: driver, clock: clock)
        _ = try await controller.reconcileOnce()
        await clock.advance(by: 10)
        _ = try await controller.reconcileOnce()
        #expect(await driver.calls == ["apply/a/0"])
        #expect(try store.journal(rollout: "r1").map(\.attempts) == [1])
    }

    @Test("A failed driver call is retried, then the rollout halts and says so")
    func driverFailureHalts() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let driver = RecordingDriver()
        await driver.fail(["apply/a/0"])
        let clock = ManualClock()
        let controller = makeController(store: store, driver: driver, clock: clock)
        for _ in 0..<10 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        let status = try #require(try store.rollout(named: "r1")?.status)
        #expect(status.phase == .halted)
        #expect(await driver.calls == ["apply/a/0", "apply/a/0", "apply/a/0"])
        #expect(try store.journal(rollout: "r1").first?.state == .failed)
    }

    @Test("Unreachable signals halt the rollout after its first batch, with the reason kept")
    func unreachableSignalsHalt() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let driver = RecordingDriver()
        let clock = ManualClock()
        let controller = makeController(store: store, driver: driver, signals: UnreachableSignals(), clock: clock)
        for _ in 0..<20 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        #expect(try store.rollout(named: "r1")?.status.phase == .halted)
        #expect(await driver.calls == ["apply/a/0"])
        let evaluation = try #require(try store.gateEvaluations(rollout: "r1").last)
        #expect(evaluation.verdict == .noData)
        #expect(evaluation.reason.contains("connection refused"))
    }

    @Test("A second daemon stands by, takes over when the lease expires, and the first can no longer write")
    func leaseFailover() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let leaseClock = ManualClock()
        let clock = ManualClock()
        let first = makeController(store: store, driver: RecordingDriver(), clock: clock, leaseClock: leaseClock, owner: "one")
        let secondDriver = RecordingDriver()
        let second = makeController(store: store, driver: secondDriver, clock: clock, leaseClock: leaseClock, owner: "two")
        let firstLease = try #require(try await first.acquireLease())
        #expect(try await second.reconcileOnce() == .standby(owner: "one"))
        await leaseClock.advance(by: 31)
        #expect(try await second.reconcileOnce() == .reconciled(active: 1, actions: 1))
        #expect(try store.currentLease()?.fence == firstLease.fence + 1)
        await #expect(throws: StoreError.self) { try await first.reconcile(lease: firstLease) }
        #expect(await secondDriver.calls == ["apply/a/0"])
    }
}
