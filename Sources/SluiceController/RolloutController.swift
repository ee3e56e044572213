public import Logging
public import SluiceCore
public import SluiceStore

/// The imperative shell around ``Reconciler``: reads state, reads signals, decides, records, then acts.
///
/// One pass is idempotent: intents are recorded before the driver runs, and intents left over by a crash are carried
/// out again on the next pass (drivers are idempotent), so a restart neither repeats nor skips a batch.
public struct RolloutController: Sendable {
    public var store: SluiceStore
    public var driver: any FleetDriver
    /// The break-glass channel as a driver, for clusters escalated when the control-plane path cannot revert them;
    /// nil when the daemon has none (escalations then fail and the rollout halts, saying to break glass by hand).
    public var nodeDirect: (any FleetDriver)?
    public var signals: any SignalSource
    public var clock: any ControllerClock
    /// The clock the lease is kept on: always real time, since it is about processes being alive.
    public var leaseClock: any ControllerClock
    public var owner: String
    public var leaseTTLSeconds: Double
    /// Actions carried out at once, on different clusters.
    public var maxParallelActions: Int
    public var logger: Logger
    /// Passes, actions, gate verdicts and the lease, for the daemon's `/metrics`.
    public var metrics: ControllerMetrics
    public var faultHook: FaultHook
    /// Waits between two renewals of the lease during a pass (given a third of the TTL, in seconds): the real clock
    /// in a daemon; tests inject their own to renew at the moments they choose.
    public var waitBeforeRenewal: @Sendable (_ seconds: Double) async throws -> Void = { seconds in
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
    }
    /// Which gate evaluations are stored: each change of verdict, and otherwise one per gate and cluster this often.
    let sampler: EvaluationSampler

    public init(
        store: SluiceStore, driver: any FleetDriver, signals: any SignalSource, clock: any ControllerClock,
        leaseClock: any ControllerClock = WallClock(), owner: String, leaseTTLSeconds: Double = 15,
        maxParallelActions: Int = 8,
        logger: Logger = Logger(label: "sluice.controller", factory: { _ in SwiftLogNoOpLogHandler() }),
        faultHook: @escaping FaultHook = { _ in }, nodeDirect: (any FleetDriver)? = nil,
        evaluationRecordIntervalSeconds: Double = 60, metrics: ControllerMetrics = ControllerMetrics()
    ) {
        self.metrics = metrics
        self.sampler = EvaluationSampler(intervalSeconds: evaluationRecordIntervalSeconds)
        self.nodeDirect = nodeDirect
        self.store = store
        self.driver = driver
        self.signals = signals
        self.clock = clock
        self.leaseClock = leaseClock
        self.owner = owner
        self.leaseTTLSeconds = leaseTTLSeconds
        self.maxParallelActions = maxParallelActions
        self.logger = logger
        self.faultHook = faultHook
    }

    /// What a pass did.
    public enum PassOutcome: Sendable, Equatable {
        /// Another daemon holds the lease until `expiresAt` (wall-clock seconds) unless it renews it; this one waits.
        case standby(owner: String, expiresAt: Double)
        /// The pass ran; `active` rollouts still need passes, `waiting` of those only for a person
        /// (``RolloutStatus/waitsOnlyForPeople``).
        case reconciled(active: Int, actions: Int, waiting: Int)

        /// Whether some rollout needs time to pass: a virtual clock moves only then, so that a recording or a
        /// simulation is not used up while every rollout waits for someone to approve, resume or decide.
        public var needsTime: Bool {
            guard case .reconciled(let active, _, let waiting) = self else { return false }
            return active > waiting
        }
    }

    /// Takes or renews the lease; nil when another daemon holds it.
    public func acquireLease() async throws -> Lease? {
        try store.acquireLease(owner: owner, now: await leaseClock.now(), ttlSeconds: leaseTTLSeconds)
    }

    /// One reconcile pass over every rollout that needs one, with the lease kept alive for as long as it runs.
    public func reconcileOnce() async throws -> PassOutcome {
        let started = ContinuousClock.now
        do {
            guard let lease = try await acquireLease() else {
                let holder = try? store.currentLease()
                metrics.leaseSeen(held: false, activeRollouts: nil)
                metrics.passEnded("standby", after: ContinuousClock.now - started)
                return .standby(owner: holder?.owner ?? "another daemon", expiresAt: holder?.expiresAt ?? 0)
            }
            let outcome = try await keepingLease(lease) { try await reconcile(lease: lease) }
            if case .reconciled(let active, _, _) = outcome { metrics.leaseSeen(held: true, activeRollouts: active) }
            metrics.passEnded("reconciled", after: ContinuousClock.now - started)
            return outcome
        } catch {
            metrics.passEnded("failed", after: ContinuousClock.now - started)
            throw error
        }
    }

    /// Runs `body` while the lease is renewed beside it every third of its TTL, so that a driver call or a slow
    /// signal read may outlast the TTL without a standby taking over.
    ///
    /// If another daemon takes the lease all the same (this one stalled, or the database was unwritable for a whole
    /// TTL), `body` is cancelled: a driver call in it is abandoned and its result never recorded, and
    /// ``StoreError/leaseLost(owner:fence:)`` is thrown. The new holder carries the action out again from the journal.
    public func keepingLease<T: Sendable>(
        _ lease: Lease, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // A lease that never expires (one controller in a process of its own: simulations) needs no renewal.
        guard leaseTTLSeconds.isFinite else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await waitBeforeRenewal(max(0.01, leaseTTLSeconds / 3))
                    try await renew(lease)
                }
            }
            defer { group.cancelAll() }
            // The renewal task ends only by throwing, so the first result is the body's.
            return try await group.next()!!
        }
    }

    /// Renews `lease`; throws ``StoreError/leaseLost(owner:fence:)`` if another daemon holds it now. A database that
    /// is busy is tried again at the next renewal: the lease is lost only when another daemon took it.
    func renew(_ lease: Lease) async throws {
        let renewed: Lease?
        do {
            renewed = try await acquireLease()
        } catch StoreError.database(let message) {
            logger.warning("lease renewal failed, trying again: \(message)")
            return
        }
        guard let renewed, renewed.fence == lease.fence else {
            let current = try store.currentLease()
            throw StoreError.leaseLost(owner: current?.owner ?? "nobody", fence: current?.fence ?? 0)
        }
    }

    /// One pass with a lease already held.
    public func reconcile(lease: Lease) async throws -> PassOutcome {
        // A clock kept in the database may have been moved on by the daemon that held the lease before this one.
        try await clock.synchronize()
        try store.noteControllerTime(await clock.now(), wallAt: await leaseClock.now(), lease: lease)
        // Break-glass that ran while the database was locked left its fence in its journal file: take it in now.
        _ = try? store.importBreakGlassJournal()
        let names = try store.rolloutsToReconcile()
        var actions = 0
        var waiting = 0
        var readings = SignalReadings()
        for name in names {
            let result = try await reconcile(rollout: name, lease: lease, readings: &readings)
            actions += result.actions
            if result.waitsOnlyForPeople { waiting += 1 }
        }
        if metrics.isRecording { metrics.signalsRead(readings) }
        let active = try store.rolloutsToReconcile()
        sampler.keepOnly(active)
        return .reconciled(active: active.count, actions: actions, waiting: waiting)
    }

    /// Decides for one rollout, records the decision, and carries out its intended actions; adds the signals it read
    /// to `readings` when metrics are recorded. Returns the actions carried out and whether the rollout now waits
    /// only for a person.
    func reconcile(
        rollout name: String, lease: Lease, readings: inout SignalReadings
    ) async throws -> (actions: Int, waitsOnlyForPeople: Bool) {
        let now = await clock.now()
        var input = try store.reconcileInput(rollout: name, now: now)
        let reads = input.spec.policy.signalReads
        for cluster in Reconciler.clustersToWatch(spec: input.spec, status: input.status) {
            input.signals[cluster] = await signals.read(
                reads, cluster: cluster, artifact: input.spec.artifact.name, now: now)
        }
        if metrics.isRecording {
            for signals in input.signals.values { readings.add(signals, now: now) }
        }
        var decision = Reconciler.decide(input)
        metrics.gatesEvaluated(decision.gateEvaluations)
        decision.gateEvaluations = sampler.sample(decision.gateEvaluations, rollout: name)
        try store.record(decision, previous: input.status, rollout: name, now: now, lease: lease)
        for event in decision.events {
            logger.info("\(event.message)", metadata: ["rollout": "\(name)", "verb": "\(event.verb)"])
        }
        let intended = try store.intendedActions(rollout: name)
        if !intended.isEmpty { faultHook(.afterRecord) }
        try await carryOut(intended.map(\.action), spec: input.spec, lease: lease)
        // The actions just carried out are folded in at the next pass: the rollout waits only once none is left.
        return (intended.count, intended.isEmpty && decision.status.waitsOnlyForPeople)
    }

    /// Runs the driver for `actions`, at most `maxParallelActions` at once, recording each result.
    func carryOut(_ actions: [FleetAction], spec: RolloutSpec, lease: Lease) async throws {
        var pending = actions[...]
        while !pending.isEmpty {
            let wave = pending.prefix(max(1, maxParallelActions))
            pending = pending.dropFirst(wave.count)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for action in wave {
                    group.addTask { try await carryOut(action, spec: spec, lease: lease) }
                }
                try await group.waitForAll()
            }
        }
    }

    func carryOut(_ action: FleetAction, spec: RolloutSpec, lease: Lease) async throws {
        guard let cluster = spec.cluster(named: action.cluster)?.cluster else { return }
        // Never act after another daemon took over (the renewal beside the pass keeps the lease during the call).
        try await renew(lease)
        // Break-glass fences a rollout from another process at any time: checked right before every driver call.
        if let fence = try store.breakGlassFence(rollout: action.rollout) {
            logger.warning("\(action.key) refused: \(fence.statusMessage)", metadata: ["rollout": "\(action.rollout)"])
            metrics.actionEnded(action, result: "refused")
            return try store.refuseFenced(action, fence: fence, at: await clock.now(), lease: lease)
        }
        let result: ActionResult
        do {
            let detail: String
            if action.kind == .escalate {
                guard let nodeDirect else { throw NoBreakGlassChannel() }
                detail = try await nodeDirect.execute(action, on: cluster, artifact: spec.artifact)
            } else {
                var action = action
                // The journal keeps the brake's key, not its parameters: they are the spec's, which never changes.
                if action.kind == .brake || action.kind == .release { action.brake = spec.apfBrake }
                detail = try await driver.execute(action, on: cluster, artifact: spec.artifact)
            }
            result = .done(detail: detail)
        } catch {
            result = .failed(detail: "\(error)")
            logger.warning("\(action.key) failed: \(error)", metadata: ["rollout": "\(action.rollout)"])
        }
        // Cancelled because the lease was lost: the call is abandoned and its result not recorded.
        try Task.checkCancellation()
        faultHook(.afterDriver)
        try store.complete(action, result: result, at: await clock.now(), lease: lease)
        metrics.actionEnded(action, result: result.isFailure ? "failed" : "done")
        faultHook(.afterComplete)
    }
}

/// Why an escalation could not be carried out.
struct NoBreakGlassChannel: Error, CustomStringConvertible {
    var description: String {
        "no break-glass channel is configured for escalation (sluiced --break-glass-config FILE)"
    }
}
