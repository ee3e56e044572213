import Testing
@testable import SluiceController
import SluiceCore
import SluiceSignals
import SluiceStore
import SluiceTestSupport

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

func testSpec(action: GateAction = .halt, named name: String = "r1", bakeSeconds: Double = 300) throws -> RolloutSpec {
    let fleet = Fleet(name: "f", clusters: [
        FleetCluster(name: "a", nodeCount: 4), FleetCluster(name: "b", nodeCount: 3),
    ])
    let plan = RolloutPlan(
        name: name, artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
        waves: [
            WavePlan(name: "one", clusters: .names(["a"]), nodeBatches: [.count(1), .percent(50), .percent(100)],
                     bakeBetweenBatchesSeconds: bakeSeconds, bakeAfterClusterSeconds: 2 * bakeSeconds),
            WavePlan(name: "two", clusters: .names(["b"]), nodeBatches: [.count(1), .percent(100)],
                     bakeBetweenBatchesSeconds: bakeSeconds, bakeAfterClusterSeconds: 2 * bakeSeconds),
        ])
    let gate = Gate(name: "errors", signal: "apiserver_429_ratio", bound: .atMost(0.01), action: action)
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
        var input = try store.reconcileInput(rollout: "r1", now: 0)
        input.signals["a"] = await HealthySignals().read(policy: input.spec.policy, cluster: "a", artifact: "agent", now: 0)
        let decision = Reconciler.decide(input)
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

    @Test("Unreachable signals halt the rollout before its first batch, with the reason kept")
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
        #expect(await driver.calls.isEmpty)
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
        #expect(try await second.reconcileOnce() == .standby(owner: "one", expiresAt: firstLease.expiresAt))
        await leaseClock.advance(by: 31)
        #expect(try await second.reconcileOnce() == .reconciled(active: 1, actions: 1, waiting: 0))
        #expect(try store.currentLease()?.fence == firstLease.fence + 1)
        await #expect(throws: StoreError.self) { try await first.reconcile(lease: firstLease) }
        #expect(await secondDriver.calls == ["apply/a/0"])
    }
}

/// A recording of a healthy signal every 30 s from 0 to `end`, minus `gap`, with NaN at `nanAt`.
func recording(end: Double, gap: Range<Double>? = nil, nanAt: Double? = nil) -> RecordedSignalSource {
    var samples: [RecordedSample] = []
    for at in stride(from: 0.0, through: end, by: 30) where !(gap?.contains(at) ?? false) {
        for cluster in ["a", "b"] {
            samples.append(RecordedSample(
                timestamp: at, cluster: cluster, signal: "apiserver_429_ratio", value: at == nanAt ? .nan : 0))
        }
    }
    return RecordedSignalSource(samples: samples)
}

/// Runs a controller on the test spec every 30 s of virtual time until `limit`; returns the store.
func runRecorded(_ source: any SignalSource, limit: Double = 7200) async throws -> SluiceStore {
    let store = try SluiceStore()
    try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
    let clock = ManualClock()
    let controller = makeController(store: store, driver: RecordingDriver(), signals: source, clock: clock)
    while await clock.now() <= limit {
        _ = try await controller.reconcileOnce()
        if try store.rollout(named: "r1")?.status.phase == .halted { break }
        await clock.advance(by: 30)
    }
    return store
}

/// A source that answers until `failAfter`, then cannot be reached.
struct OutageSource: SignalSource {
    var inner: RecordedSignalSource
    var failAfter: Double

    func samples(cluster: String, signal: String, from: Double, through: Double) throws -> [SignalSample] {
        if through > failAfter { throw UnreachableSignals.Unreachable() }
        return try inner.samples(cluster: cluster, signal: signal, from: from, through: through)
    }
}

@Suite("Missing signals never pass")
struct MissingSignalTests {
    @Test("A recording with a gap halts at the gap, once the newest sample is stale")
    func gapHalts() async throws {
        let store = try await runRecorded(recording(end: 7200, gap: 900..<3600))
        let halted = try #require(try store.events(rollout: "r1").first { $0.event.verb == "halted" })
        // The last sample before the gap is at 870 s; the gate's 60 s window is empty from 960 s on.
        #expect(halted.event.at == 960)
        #expect(halted.event.message.contains("no sample"))
    }

    @Test("A NaN in the recording halts")
    func nanHalts() async throws {
        let store = try await runRecorded(recording(end: 7200, nanAt: 600))
        let halted = try #require(try store.events(rollout: "r1").first { $0.event.verb == "halted" })
        #expect(halted.event.at == 600)
        #expect(halted.event.message.contains("NaN"))
    }

    @Test("A NaN under a rollbackCluster gate reverts the cluster's applied batches through the driver, newest first")
    func nanRollsBackCluster() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(action: .rollbackCluster), planPath: "plan.yaml", actor: "alice", now: 0)
        let driver = RecordingDriver()
        let clock = ManualClock()
        let controller = makeController(store: store, driver: driver, signals: recording(end: 7200, nanAt: 600), clock: clock)
        while await clock.now() <= 1200 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        #expect(await driver.calls == ["apply/a/0", "apply/a/1", "revert/a/1", "revert/a/0"])
        let status = try #require(try store.rollout(named: "r1")?.status)
        #expect(status.phase == .halted)
        #expect(status.clusters[0].state == .reverted && status.clusters[0].appliedBatches == 0)
        #expect(try store.journal(rollout: "r1").allSatisfy { $0.state == .done })
    }

    @Test("A signal outage mid-rollout halts, with the source's error kept")
    func outageHalts() async throws {
        let store = try await runRecorded(OutageSource(inner: recording(end: 7200), failAfter: 1500))
        let halted = try #require(try store.events(rollout: "r1").first { $0.event.verb == "halted" })
        #expect(halted.event.at == 1530)
        #expect(halted.event.message.contains("connection refused"))
        #expect(try store.gateEvaluations(rollout: "r1").last?.verdict == .noData)
    }
}

@Suite("A daemon that lost its lease")
struct LostLeaseTests {
    @Test("does not call the driver for an intent it recorded before another daemon took over")
    func noDriverCallAfterTakeover() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let leaseClock = ManualClock()
        let driver = RecordingDriver()
        let first = makeController(store: store, driver: driver, clock: ManualClock(), leaseClock: leaseClock, owner: "one")
        let lease = try #require(try await first.acquireLease())
        var input = try store.reconcileInput(rollout: "r1", now: 0)
        input.signals["a"] = await HealthySignals().read(policy: input.spec.policy, cluster: "a", artifact: "agent", now: 0)
        let decision = Reconciler.decide(input)
        try store.record(decision, rollout: "r1", now: 0, lease: lease)
        // The first daemon stalls past its lease; a second one takes over before the driver call.
        await leaseClock.advance(by: 31)
        #expect(try store.acquireLease(owner: "two", now: 31, ttlSeconds: 30)?.fence == lease.fence + 1)
        await #expect(throws: StoreError.self) {
            try await first.carryOut(decision.actions, spec: input.spec, lease: lease)
        }
        #expect(await driver.calls.isEmpty)
        #expect(try store.intendedActions(rollout: "r1").map(\.action.key) == ["apply/a/0"])
    }
}

/// A driver whose calls run until they are cancelled, saying when each starts and whether it was cancelled.
actor HangingDriver: FleetDriver {
    let started: AsyncStream<String>
    private let startedContinuation: AsyncStream<String>.Continuation
    private(set) var cancelled: [String] = []

    init() {
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        startedContinuation.yield(action.key)
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            cancelled.append(action.key)
            throw error
        }
        return "finished"
    }
}

/// A controller driving a `HangingDriver` whose lease lives 3 s on `leaseClock` and is renewed each time the test
/// sends on `renewals`, not on the real clock.
struct HangingPass {
    let store: SluiceStore
    let driver = HangingDriver()
    let leaseClock = ManualClock()
    let renewals: AsyncStream<Void>.Continuation
    let controller: RolloutController

    init() throws {
        store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "plan.yaml", actor: "alice", now: 0)
        let (ticks, renewals) = AsyncStream<Void>.makeStream()
        self.renewals = renewals
        var controller = RolloutController(
            store: store, driver: driver, signals: HealthySignals(), clock: ManualClock(), leaseClock: leaseClock,
            owner: "one", leaseTTLSeconds: 3, maxParallelActions: 1)
        let queue = TickQueue(ticks)
        controller.waitBeforeRenewal = { _ in try await queue.next() }
        self.controller = controller
    }

    /// Lets the renewal task renew once, and waits until the stored lease shows it.
    func renew(expecting expiresAt: Double) async throws -> Bool {
        renewals.yield()
        return try await eventually { try store.currentLease()?.expiresAt == expiresAt }
    }
}

/// Hands the elements of a stream out one at a time to the one task that awaits them (the renewal task).
final class TickQueue: @unchecked Sendable {
    private var iterator: AsyncStream<Void>.Iterator

    init(_ stream: AsyncStream<Void>) { iterator = stream.makeAsyncIterator() }

    /// The next tick; throws when the waiting task is cancelled (the stream's iterator then ends).
    func next() async throws {
        guard await iterator.next() != nil else { throw CancellationError() }
    }
}

@Suite("The lease during a driver call")
struct LeaseKeepaliveTests {
    @Test("is renewed beside a call that outlasts its TTL, so a standby does not take over")
    func renewedDuringLongCall() async throws {
        let pass = try HangingPass()
        let running = Task { try await pass.controller.reconcileOnce() }
        var started = pass.driver.started.makeAsyncIterator()
        #expect(await started.next() == "apply/a/0")
        #expect(try pass.store.currentLease()?.expiresAt == 3)
        // The call hangs on past the first expiry; the renewals beside it keep the lease alive.
        await pass.leaseClock.set(2)
        #expect(try await pass.renew(expecting: 5))
        await pass.leaseClock.set(4)
        #expect(try await pass.renew(expecting: 7))
        #expect(try pass.store.acquireLease(owner: "two", now: 6, ttlSeconds: 30) == nil)
        #expect(try pass.store.currentLease()?.owner == "one")
        #expect(try pass.store.journal(rollout: "r1").first?.state == .intended)
        running.cancel()
        _ = try? await running.value
    }

    @Test("is lost to another daemon: the call is abandoned and its result not recorded")
    func lostLeaseAbandonsCall() async throws {
        let pass = try HangingPass()
        let running = Task { try await pass.controller.reconcileOnce() }
        var started = pass.driver.started.makeAsyncIterator()
        #expect(await started.next() == "apply/a/0")
        // Another daemon takes the lease as if this one had stalled past its expiry; the next renewal finds out.
        let taken = try #require(try pass.store.acquireLease(owner: "two", now: 10, ttlSeconds: 30))
        pass.renewals.yield()
        await #expect(throws: StoreError.leaseLost(owner: "two", fence: taken.fence)) { try await running.value }
        #expect(await pass.driver.cancelled == ["apply/a/0"])
        let entry = try #require(try pass.store.journal(rollout: "r1").first)
        #expect(entry.state == .intended)
        #expect(entry.completedAt == nil)
    }
}

@Suite("What a pass costs as history grows")
struct HistoryGrowthTests {
    /// The SQL statements of one pass over a rollout baking after its first batch, with `finished` finished rollouts
    /// in the database beside it.
    func passCost(finished: Int) async throws -> PassCost {
        let store = try SluiceStore()
        for index in 0..<finished {
            try store.submit(spec: try testSpec(named: "done-\(index)", bakeSeconds: 0), planPath: "p", actor: "a", now: 0)
        }
        let clock = ManualClock()
        let controller = makeController(store: store, driver: RecordingDriver(), clock: clock)
        for _ in 0..<12 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        #expect(try store.rolloutsToReconcile().isEmpty)
        try store.submit(spec: try testSpec(named: "active", bakeSeconds: 36_000), planPath: "p", actor: "a", now: 0)
        for _ in 0..<3 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        let (statements, pages) = (store.statementCount, try store.pagesVisited())
        _ = try await controller.reconcileOnce()
        return PassCost(statements: store.statementCount - statements, pages: try store.pagesVisited() - pages)
    }

    struct PassCost: Equatable {
        var statements: Int
        /// Database pages the pass's statements visited: grows with the rows they read.
        var pages: Int
    }

    @Test("Finished rollouts cost a pass nothing: the same statements with 1 or 150 of them, and the pages visited grow only with the depth of the indexes")
    func finishedRolloutsCostNothing() async throws {
        let few = try await passCost(finished: 1)
        let many = try await passCost(finished: 150)
        #expect(few.statements == many.statements)
        #expect(few.statements > 0 && few.pages > 0)
        // Reading each finished rollout's status row would visit at least 150 more pages; a deeper B-tree costs a
        // page or two per lookup.
        #expect(many.pages < few.pages * 2, "\(few) → \(many)")
    }
}

@Suite("What a quiet pass writes")
struct QuietPassTests {
    @Test("A pass needs no time while every rollout waits for a person: approval, pause, halt")
    func waitingForPeopleNeedsNoTime() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(), planPath: "p", actor: "a", now: 0)
        let clock = ManualClock()
        let controller = makeController(store: store, driver: RecordingDriver(), clock: clock)
        #expect(try await controller.reconcileOnce().needsTime)
        _ = try store.request(.pause, rollout: "r1", reason: "look", actor: "ana", now: 1)
        // The pause is taken and the first batch's apply folded in: nothing is left but the person.
        #expect(try await controller.reconcileOnce() == .reconciled(active: 1, actions: 0, waiting: 1))
        #expect(try await controller.reconcileOnce().needsTime == false)
        _ = try store.request(.resume, rollout: "r1", reason: "", actor: "ana", now: 2)
        #expect(try await controller.reconcileOnce().needsTime)
    }

    @Test("A pass that changes nothing writes only the lease's renewal and the time of the pass")
    func quietPassWritesOnlyTheLease() async throws {
        let store = try SluiceStore()
        try store.submit(spec: try testSpec(bakeSeconds: 36_000), planPath: "p", actor: "a", now: 0)
        let clock = ManualClock()
        let controller = RolloutController(
            store: store, driver: RecordingDriver(), signals: HealthySignals(), clock: clock, leaseClock: clock,
            owner: "daemon-1", leaseTTLSeconds: 30, maxParallelActions: 1, evaluationRecordIntervalSeconds: 36_000)
        for _ in 0..<3 {
            _ = try await controller.reconcileOnce()
            await clock.advance(by: 30)
        }
        #expect(try store.rollout(named: "r1")?.status.clusters[0].state == .baking)
        let before = store.rowsWritten()
        #expect(try await controller.reconcileOnce() == .reconciled(active: 1, actions: 0, waiting: 0))
        #expect(store.rowsWritten() - before == 2)
        #expect(try store.currentLease()?.expiresAt == 90 + 30)
        #expect(try store.lastControllerPass()?.wallAt == 90)
    }
}

