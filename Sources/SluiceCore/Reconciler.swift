/// Everything the decision function looks at: spec, status, pending requests, the journal, signals and the time.
public struct ReconcileInput: Sendable {
    public var spec: RolloutSpec
    public var status: RolloutStatus
    /// Requests not yet handled, oldest first.
    public var requests: [OperatorRequest]
    /// The rollout's journal entries by action key.
    public var journal: [String: JournalEntry]
    /// Signals of the clusters in ``Reconciler/clustersToWatch(spec:status:)``.
    public var signals: [String: ClusterSignals]
    public var now: Double

    public init(
        spec: RolloutSpec, status: RolloutStatus, requests: [OperatorRequest] = [],
        journal: [String: JournalEntry] = [:], signals: [String: ClusterSignals] = [:], now: Double
    ) {
        self.spec = spec
        self.status = status
        self.requests = requests
        self.journal = journal
        self.signals = signals
        self.now = now
    }
}

/// What the controller must record, then do.
public struct Decision: Sendable {
    public var status: RolloutStatus
    /// Actions to record as intended (new ones and retries of failed ones) before any driver call.
    public var actions: [FleetAction]
    public var events: [RolloutEvent]
    public var requestOutcomes: [RequestOutcome]
    public var gateEvaluations: [GateEvaluation]
    /// The earliest time something is due (a bake ends), if any.
    public var nextCheckAt: Double?
    /// Indices of the clusters whose progress this decision changed.
    public var changedClusters: [Int] = []
}

/// The rollout state machine as a pure function: no clock, no I/O.
///
/// Level-triggered: every call re-derives what to do from the whole input, so calling it again after a crash, with
/// the same journal, repeats no action. The journal makes actions at most once: a batch's apply or revert is one key.
public enum Reconciler {
    /// Failed attempts of one action before the rollout halts for an operator.
    public static let maxActionFailures = 3
    /// The actor named in the events the controller writes.
    public static let actor = "sluiced"

    /// Decides the next status and actions of one rollout.
    public static func decide(_ input: ReconcileInput) -> Decision {
        var pass = Pass(input: input)
        pass.handleRequests()
        pass.foldJournal()
        pass.act()
        var decision = pass.decision
        decision.changedClusters = decision.status.clusters.indices.filter {
            input.status.clusters.indices.contains($0) ? input.status.clusters[$0] != decision.status.clusters[$0] : true
        }
        return decision
    }

    /// The clusters whose signals a pass needs: those the rollout touched, those about to start, and the
    /// untouched references of relative gates.
    ///
    /// They are read in every phase but the finished ones, so that a pass that resumes a paused or halted rollout
    /// has fresh signals to gate on.
    public static func clustersToWatch(spec: RolloutSpec, status: RolloutStatus) -> [String] {
        guard !status.phase.isFinished && status.phase != .rollingBack else { return [] }
        let roles = WatchRoles(spec: spec, status: status)
        var seen: Set<String> = []
        return (roles.touched.map { status.clusters[$0].cluster } + roles.candidates.map(\.name) + roles.untouched)
            .filter { seen.insert($0).inserted }
    }
}

/// Which clusters a pass looks at, and why.
struct WatchRoles {
    /// Indices in `status.clusters` of clusters with a change in progress or done.
    var touched: [Int]
    /// Clusters due to start next (see the initializer).
    var candidates: [ClusterSpec]
    /// Clusters not reached yet, as the reference of `untouched` comparisons.
    var untouched: [String]

    static let untouchedReferences = 5

    init(spec: RolloutSpec, status: RolloutStatus) {
        touched = status.clusters.indices.filter {
            [.applying, .baking, .done].contains(status.clusters[$0].state)
        }
        candidates = []
        // Candidates are the clusters due to start: as many pending ones of the current wave as there are free
        // slots, or the next wave's first ones once the current wave has nothing left to start or finish.
        for waveIndex in [status.currentWave, status.currentWave + 1] where waveIndex < spec.waves.count {
            let wave = spec.waves[waveIndex]
            let inWave = status.clusters.filter { $0.wave == waveIndex }
            let limit = min(wave.maxConcurrentClusters, spec.policy.fleet?.maxClustersInProgress ?? .max)
            let free = max(0, limit - status.clusters.filter(\.isActive).count)
            let pending = inWave.filter { $0.state == .pending }.map(\.cluster)
            candidates += pending.prefix(free).compactMap { name in wave.clusters.first { $0.name == name } }
            let settled = inWave.allSatisfy { $0.state == .done || $0.state == .reverted }
            if !settled { break }
        }
        let needsReferences = spec.policy.gates.contains { $0.comparison == .untouched }
        untouched = needsReferences
            ? Array(status.clusters.filter { $0.state == .pending }.map(\.cluster).prefix(Self.untouchedReferences)) : []
    }
}

/// One run of the decision function, accumulating its output.
struct Pass {
    let input: ReconcileInput
    var decision: Decision
    var spec: RolloutSpec { input.spec }
    var now: Double { input.now }

    init(input: ReconcileInput) {
        self.input = input
        decision = Decision(
            status: input.status, actions: [], events: [], requestOutcomes: [], gateEvaluations: [], nextCheckAt: nil)
    }

    var status: RolloutStatus {
        get { decision.status }
        set { decision.status = newValue }
    }

    mutating func record(_ verb: EventVerb, _ message: String, actor: String = Reconciler.actor) {
        decision.events.append(RolloutEvent(at: now, actor: actor, verb: verb, message: message))
    }

    mutating func setPhase(_ phase: RolloutPhase, _ message: String) {
        guard status.phase != phase || status.message != message else { return }
        status.phase = phase
        status.message = message
        status.updatedAt = now
        record(EventVerb(phase), message)
    }

    /// The cluster's batches as it runs them (a probe batch first, if it started with one).
    func clusterSpec(_ progress: ClusterProgress) -> ClusterSpec {
        spec.waves[progress.wave].clusters.first { $0.name == progress.cluster }!.batches(as: progress)
    }

    mutating func emit(_ kind: FleetAction.Kind, batch: Int, clusterAt index: Int) {
        let progress = status.clusters[index]
        let action = FleetAction(
            rollout: spec.name, kind: kind, cluster: progress.cluster, batch: batch,
            nodes: clusterSpec(progress).nodes(ofBatch: batch))
        status.clusters[index].inFlight = action.key
        status.clusters[index].state = kind == .apply ? .applying : .reverting
        decision.actions.append(action)
    }

    /// Sets up the cluster's APF brake; its first batch follows once the brake is confirmed.
    mutating func emitBrake(clusterAt index: Int) {
        let action = FleetAction.brakeStep(.brake, rollout: spec.name, cluster: status.clusters[index].cluster)
        status.clusters[index].inFlight = action.key
        status.clusters[index].state = .applying
        decision.actions.append(action)
    }

    /// Removes every APF brake still on once nothing else is left to do; true when none is on any more.
    mutating func releaseBrakes() -> Bool {
        let braked = status.clusters.indices.filter { status.clusters[$0].apfBrake == .on }
        guard !braked.isEmpty else { return true }
        for index in braked where status.clusters[index].inFlight == nil {
            let action = FleetAction.brakeStep(.release, rollout: spec.name, cluster: status.clusters[index].cluster)
            status.clusters[index].inFlight = action.key
            decision.actions.append(action)
        }
        return false
    }
}
