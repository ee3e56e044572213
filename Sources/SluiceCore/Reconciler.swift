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
        return pass.decision
    }

    /// The clusters whose signals a pass needs: those of the current wave with a change in progress.
    ///
    /// They are read in every phase but the finished ones, so that a pass that resumes a paused or halted rollout
    /// has fresh signals to gate on.
    public static func clustersToWatch(spec: RolloutSpec, status: RolloutStatus) -> [String] {
        guard !status.phase.isFinished && status.phase != .rollingBack else { return [] }
        return status.clusters.filter { $0.wave == status.currentWave && $0.isActive }.map(\.cluster)
    }
}

/// One run of the decision function, accumulating its output.
private struct Pass {
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

    mutating func record(_ verb: String, _ message: String, actor: String = Reconciler.actor) {
        decision.events.append(RolloutEvent(at: now, actor: actor, verb: verb, message: message))
    }

    mutating func setPhase(_ phase: RolloutPhase, _ message: String) {
        guard status.phase != phase || status.message != message else { return }
        status.phase = phase
        status.message = message
        status.updatedAt = now
        record(phase.rawValue, message)
    }

    func clusterSpec(_ progress: ClusterProgress) -> ClusterSpec {
        spec.waves[progress.wave].clusters.first { $0.name == progress.cluster }!
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

    // MARK: Journal

    /// Folds confirmed and failed actions into the status, whatever the phase.
    mutating func foldJournal() {
        for index in status.clusters.indices {
            guard let key = status.clusters[index].inFlight, let entry = input.journal[key] else { continue }
            switch entry.state {
            case .intended:
                continue
            case .done:
                confirm(entry, clusterAt: index)
            case .failed:
                fail(entry, clusterAt: index)
            }
        }
    }

    mutating func confirm(_ entry: JournalEntry, clusterAt index: Int) {
        let action = entry.action
        let completedAt = entry.completedAt ?? now
        var progress = status.clusters[index]
        progress.inFlight = nil
        progress.failures = 0
        switch action.kind {
        case .apply:
            progress.appliedBatches = action.batch + 1
            if progress.state == .applying {
                let wave = spec.waves[progress.wave]
                let isLast = progress.appliedBatches == progress.totalBatches
                progress.state = .baking
                progress.bakeUntil = completedAt + (isLast ? wave.bakeAfterClusterSeconds : wave.bakeBetweenBatchesSeconds)
            }
            record("applied", "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) applied "
                + "(nodes \(action.nodes.lowerBound)..<\(action.nodes.upperBound))")
        case .revert:
            progress.appliedBatches = action.batch
            if progress.appliedBatches == 0 {
                progress.state = .reverted
                progress.finishedAt = completedAt
            }
            record("reverted", "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) reverted "
                + "(nodes \(action.nodes.lowerBound)..<\(action.nodes.upperBound))")
        }
        status.clusters[index] = progress
        status.updatedAt = now
    }

    mutating func fail(_ entry: JournalEntry, clusterAt index: Int) {
        let canRetry = status.phase == .progressing || status.phase == .rollingBack
            || status.clusters[index].state == .reverting && status.phase != .aborted
        guard canRetry else { return }
        status.clusters[index].failures += 1
        let failures = status.clusters[index].failures
        let what = "\(entry.action.kind.rawValue) of \(entry.action.cluster) batch \(entry.action.batch + 1)"
        if failures < Reconciler.maxActionFailures {
            record("retry", "\(what) failed (\(failures)/\(Reconciler.maxActionFailures)): \(entry.detail)")
            decision.actions.append(entry.action)
        } else {
            let hint = entry.action.kind == .revert
                ? "; the control plane may be saturated: consider `sluice break-glass`" : ""
            setPhase(.halted, "\(what) failed \(failures) times: \(entry.detail)\(hint)")
        }
    }

    // MARK: Requests

    mutating func handleRequests() {
        for request in input.requests {
            if let refusal = OperatorRequest.refusal(of: request.verb, status: status) {
                decision.requestOutcomes.append(RequestOutcome(requestID: request.id, accepted: false, message: refusal))
                record("refused", "\(request.verb.rawValue) by \(request.actor) refused: \(refusal)")
            } else {
                let message = grant(request)
                decision.requestOutcomes.append(RequestOutcome(requestID: request.id, accepted: true, message: message))
            }
            status.observedGeneration = max(status.observedGeneration, request.generation)
        }
    }

    mutating func grant(_ request: OperatorRequest) -> String {
        let because = request.reason.isEmpty ? "" : ": \(request.reason)"
        let by = "by \(request.actor)\(because)"
        switch request.verb {
        case .pause:
            setPhase(.paused, "paused \(by)")
            return "paused"
        case .resume:
            for index in status.clusters.indices { status.clusters[index].failures = 0 }
            setPhase(.progressing, "resumed \(by)")
            return "resumed"
        case .promote:
            if status.phase == .awaitingApproval {
                status.approvedWaves.append(status.currentWave)
                setPhase(.progressing, "wave '\(spec.waves[status.currentWave].name)' approved \(by)")
                return "wave approved"
            }
            for index in status.clusters.indices
            where status.clusters[index].state == .baking && status.clusters[index].wave == status.currentWave {
                status.clusters[index].bakeUntil = now
            }
            record("promoted", "bake ended early \(by)")
            return "bake ended early"
        case .abort:
            setPhase(.aborted, "aborted \(by); nothing more is applied or reverted")
            return "aborted"
        case .rollback:
            setPhase(.rollingBack, "rollback requested \(by)")
            return "rolling back"
        }
    }

    // MARK: Acting

    mutating func act() {
        if status.phase == .pending { setPhase(.progressing, "started") }
        continueReverts()
        switch status.phase {
        case .progressing, .awaitingApproval:
            if evaluateGates() { progress() }
        case .rollingBack:
            rollBack()
        default:
            break
        }
        decision.nextCheckAt = status.clusters.compactMap { $0.state == .baking ? $0.bakeUntil : nil }.min()
    }

    /// Evaluates the gates of the active clusters; returns false when a breach stopped the rollout.
    mutating func evaluateGates() -> Bool {
        let watched = Reconciler.clustersToWatch(spec: spec, status: status)
        var severest: (action: GateAction, evaluation: GateEvaluation)?
        for cluster in watched {
            let signals = input.signals[cluster]
                ?? ClusterSignals(cluster: cluster, errors: Dictionary(
                    uniqueKeysWithValues: spec.policy.signalNames.map { ($0, "signals were not read") }))
            let evaluations = GateEvaluator.evaluate(policy: spec.policy, signals: signals, now: now)
            decision.gateEvaluations += evaluations
            for (gate, evaluation) in zip(spec.policy.gates, evaluations) where evaluation.verdict != .pass {
                let action: GateAction = evaluation.verdict == .noData && gate.onNoData == .halt ? .halt : gate.action
                if severest == nil || action.severity > severest!.action.severity {
                    severest = (action, evaluation)
                }
            }
        }
        guard let (action, evaluation) = severest else { return true }
        // A breach stops the rollout: no batch is applied in this pass, not even a retry of a failed one.
        decision.actions.removeAll { $0.kind == .apply }
        let why = "gate '\(evaluation.gate)' on \(evaluation.cluster): \(evaluation.reason)"
        switch action {
        case .halt:
            setPhase(.halted, "halted by \(why)")
        case .rollbackCluster:
            if let index = status.clusterIndex(evaluation.cluster) { status.clusters[index].state = .reverting }
            setPhase(.halted, "rolling back \(evaluation.cluster) and halting: \(why)")
            continueReverts()
        case .rollbackRollout:
            setPhase(.rollingBack, "rolling back the rollout: \(why)")
            rollBack()
        }
        return false
    }

    mutating func progress() {
        while status.currentWave < spec.waves.count {
            let waveIndex = status.currentWave
            let wave = spec.waves[waveIndex]
            if wave.approval == .manual && !status.approvedWaves.contains(waveIndex) {
                setPhase(.awaitingApproval, "wave '\(wave.name)' waits for approval: `sluice promote \(spec.name)`")
                return
            }
            if status.phase != .progressing { setPhase(.progressing, "wave '\(wave.name)' in progress") }
            let inWave = status.clusters.indices.filter { status.clusters[$0].wave == waveIndex }
            for index in inWave { advanceIfBaked(clusterAt: index) }
            var active = inWave.filter { status.clusters[$0].isActive }.count
            for index in inWave where active < wave.maxConcurrentClusters && status.clusters[index].state == .pending {
                status.clusters[index].startedAt = now
                record("started", "\(status.clusters[index].cluster): cluster started (wave '\(wave.name)')")
                emit(.apply, batch: 0, clusterAt: index)
                active += 1
            }
            let finished = inWave.allSatisfy {
                status.clusters[$0].state == .done || status.clusters[$0].state == .reverted
            }
            guard finished else { return }
            record("wave-complete", "wave '\(wave.name)' complete")
            status.currentWave += 1
        }
        setPhase(.completed, "every wave complete")
    }

    mutating func advanceIfBaked(clusterAt index: Int) {
        let progress = status.clusters[index]
        guard progress.state == .baking, progress.inFlight == nil, let until = progress.bakeUntil, now >= until else {
            return
        }
        status.clusters[index].bakeUntil = nil
        if progress.appliedBatches == progress.totalBatches {
            status.clusters[index].state = .done
            status.clusters[index].finishedAt = now
            record("cluster-complete", "\(progress.cluster): every batch applied and baked")
        } else {
            emit(.apply, batch: progress.appliedBatches, clusterAt: index)
        }
    }

    /// Reverts the next (newest) batch of every reverting cluster with nothing in flight.
    mutating func continueReverts() {
        guard status.phase != .aborted && !status.phase.isFinished else { return }
        for index in status.clusters.indices where status.clusters[index].state == .reverting {
            let progress = status.clusters[index]
            guard progress.inFlight == nil else { continue }
            if progress.appliedBatches == 0 {
                status.clusters[index].state = .reverted
                status.clusters[index].finishedAt = now
            } else {
                emit(.revert, batch: progress.appliedBatches - 1, clusterAt: index)
            }
        }
    }

    mutating func rollBack() {
        for index in status.clusters.indices {
            let progress = status.clusters[index]
            let touched = progress.appliedBatches > 0 || progress.inFlight != nil
            if touched && progress.state != .reverting {
                status.clusters[index].state = progress.inFlight == nil ? .reverting : progress.state
                status.clusters[index].bakeUntil = nil
            }
        }
        continueReverts()
        let settled = status.clusters.allSatisfy { $0.inFlight == nil && $0.appliedBatches == 0 }
        if settled { setPhase(.rolledBack, "every applied batch reverted") }
    }
}

extension GateAction {
    /// Orders actions so the severest breach of a pass wins.
    var severity: Int {
        switch self {
        case .halt: 0
        case .rollbackCluster: 1
        case .rollbackRollout: 2
        }
    }
}
