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

    /// The action that sets up or removes the APF brake of the cluster at `index`.
    func brakeAction(_ kind: FleetAction.Kind, clusterAt index: Int) -> FleetAction {
        FleetAction(rollout: spec.name, kind: kind, cluster: status.clusters[index].cluster, batch: 0, nodes: 0..<0)
    }

    /// Sets up the cluster's APF brake; its first batch follows once the brake is confirmed.
    mutating func emitBrake(clusterAt index: Int) {
        let action = brakeAction(.brake, clusterAt: index)
        status.clusters[index].inFlight = action.key
        status.clusters[index].state = .applying
        decision.actions.append(action)
    }

    /// Removes every APF brake still on once nothing else is left to do; true when none is on any more.
    mutating func releaseBrakes() -> Bool {
        let braked = status.clusters.indices.filter { status.clusters[$0].apfBrake == .on }
        guard !braked.isEmpty else { return true }
        for index in braked where status.clusters[index].inFlight == nil {
            let action = brakeAction(.release, clusterAt: index)
            status.clusters[index].inFlight = action.key
            decision.actions.append(action)
        }
        return false
    }

    /// Whether the action in flight on the cluster at `index` removes its brake.
    func isReleasing(clusterAt index: Int) -> Bool {
        status.clusters[index].inFlight == brakeAction(.release, clusterAt: index).key
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
        progress.failingSince = nil
        switch action.kind {
        case .apply:
            progress.appliedBatches = action.batch + 1
            progress.lastAppliedAt = completedAt
            if progress.state == .applying {
                let wave = spec.waves[progress.wave]
                let isLast = progress.appliedBatches == progress.totalBatches
                progress.state = .baking
                progress.bakeUntil = completedAt + (isLast ? wave.bakeAfterClusterSeconds : wave.bakeBetweenBatchesSeconds)
            }
            record("applied", "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) applied "
                + "(\(nodesText(action.nodes)))")
        case .revert:
            progress.appliedBatches = action.batch
            if progress.appliedBatches == 0 {
                progress.state = .reverted
                progress.finishedAt = completedAt
            }
            record("reverted", "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) reverted "
                + "(\(nodesText(action.nodes)))")
        case .escalate:
            progress.appliedBatches = 0
            progress.state = .reverted
            progress.finishedAt = completedAt
            record("reverted", "\(action.cluster): \(nodesText(action.nodes)) "
                + "reverted through the break-glass channel: \(entry.detail)")
        case .brake:
            progress.apfBrake = .on
            if progress.state == .applying {
                // No bake: the first batch goes as soon as the cluster's gates pass.
                progress.state = .baking
                progress.bakeUntil = completedAt
            }
            record("braked", "\(action.cluster): APF brake on (\(spec.apfBrake?.summary ?? "no brake in the spec"))")
        case .release:
            progress.apfBrake = .released
            record("released", "\(action.cluster): APF brake removed")
        }
        status.clusters[index] = progress
        status.updatedAt = now
    }

    mutating func fail(_ entry: JournalEntry, clusterAt index: Int) {
        // What moves a cluster forward is retried only while the rollout moves forward; once it is being reverted,
        // `settleFailedApply` counts the failed step as done so that it is undone.
        let forward = entry.action.kind == .apply || entry.action.kind == .brake
        let canRetry = forward
            ? status.phase == .progressing && status.clusters[index].state != .reverting
            : status.phase == .progressing || status.phase == .rollingBack
                || status.clusters[index].state == .reverting && status.phase != .aborted
        guard canRetry else { return }
        status.clusters[index].failures += 1
        status.clusters[index].failingSince = status.clusters[index].failingSince ?? (entry.completedAt ?? now)
        let failures = status.clusters[index].failures
        let action = entry.action
        let what = switch action.kind {
        case .escalate: "break-glass revert of \(action.cluster)"
        case .brake: "APF brake on \(action.cluster)"
        case .release: "APF brake removal on \(action.cluster)"
        case .apply, .revert: "\(action.kind.rawValue) of \(action.cluster) batch \(action.batch + 1)"
        }
        if action.kind == .revert, let after = spec.policy.escalateAfterSeconds,
            failures >= Reconciler.maxActionFailures || now - status.clusters[index].failingSince! >= after
        {
            escalate(clusterAt: index, because: "\(what) through the control plane failing for "
                + "\(DurationText.format(now - status.clusters[index].failingSince!)): \(entry.detail)")
        } else if failures < Reconciler.maxActionFailures {
            record("retry", "\(what) failed (\(failures)/\(Reconciler.maxActionFailures)): \(entry.detail)")
            decision.actions.append(action)
        } else {
            let hint = action.kind == .apply ? ""
                : "; the control plane may be saturated: run `sluice break-glass \(spec.name) --cluster \(action.cluster)`"
            setPhase(.halted, "\(what) failed \(failures) times: \(entry.detail)\(hint)")
        }
    }

    /// Reverts every node of the cluster that may run the artifact through the break-glass channel.
    mutating func escalate(clusterAt index: Int, because reason: String) {
        let progress = status.clusters[index]
        let cluster = clusterSpec(progress)
        let reach = progress.inFlight.flatMap { input.journal[$0]?.action.nodes.upperBound } ?? 0
        let applied = progress.appliedBatches > 0 ? cluster.batchEnds[progress.appliedBatches - 1] : 0
        let action = FleetAction(
            rollout: spec.name, kind: .escalate, cluster: progress.cluster, batch: 0, nodes: 0..<max(reach, applied))
        status.clusters[index].inFlight = action.key
        status.clusters[index].state = .reverting
        status.clusters[index].failures = 0
        status.clusters[index].failingSince = nil
        decision.actions.append(action)
        record("escalated", "\(progress.cluster): \(reason); reverting node-direct through the break-glass channel")
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
            // Gate tracks are kept: a breach that still holds halts again, and one that cleared must stay clear
            // for its gate's `recoverAfter` passes before its cluster moves on.
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
            if let holds = evaluateGates() { progress(holds: holds) }
        case .rollingBack:
            rollBack()
        default:
            break
        }
        decision.nextCheckAt = status.clusters.compactMap { $0.state == .baking ? $0.bakeUntil : nil }.min()
    }

    /// Evaluates every gate and prediction, keeps their persistence, and acts on breaches that count.
    ///
    /// Returns what may not move this pass (nil when a breach stopped the rollout): a cluster advances or starts only
    /// when each of its gates passed in this pass and none has an uncleared breach.
    mutating func evaluateGates() -> Holds? {
        let roles = WatchRoles(spec: spec, status: status)
        let round = GateRound(
            policy: spec.policy,
            touched: roles.touched.map { GateRound.Touched(spec: clusterSpec(status.clusters[$0]), progress: status.clusters[$0]) },
            candidates: roles.candidates, untouched: roles.untouched, signals: input.signals,
            baselines: status.baselines, costSamples: status.costSamples, now: now)
        let result = round.run()
        status.costSamples.merge(result.costSamples) { $1 }
        let active = Set(roles.touched.filter { status.clusters[$0].isActive }.map { status.clusters[$0].cluster })
        let candidates = Set(roles.candidates.map(\.name))
        decision.gateEvaluations += result.evaluations.filter {
            $0.verdict != .pass || active.contains($0.cluster) || candidates.contains($0.cluster)
                || $0.cluster == GateEvaluation.fleetScope
        }
        var holds = Holds(round: round, probes: result.probes)
        var counted: [(action: GateAction, evaluation: GateEvaluation)] = []
        for evaluation in result.evaluations {
            let rule = GateRule(policy: spec.policy, name: evaluation.gate)
            let key = GateRound.key(gate: evaluation.gate, cluster: evaluation.cluster)
            let passes = evaluation.verdict == .pass || (evaluation.verdict == .noData && rule.onNoData == .inconclusive)
            var track = status.gateTracks[key]
            if passes {
                track?.passing += 1
                if let current = track, !current.counted || current.passing >= rule.recoverAfter { track = nil }
            } else {
                var failing = track ?? GateTrack(since: now)
                failing.failing += 1
                failing.passing = 0
                if failing.failing >= rule.persistence.evaluations && now - failing.since >= rule.persistence.seconds {
                    failing.counted = true
                }
                track = failing
            }
            status.gateTracks[key] = track
            guard let track else { continue }
            holds.block(evaluation.cluster)
            if track.counted && !passes {
                let action = evaluation.verdict == .noData && rule.onNoData == .halt ? .halt : rule.action
                counted.append((action, evaluation))
            }
        }
        for index in roles.touched where status.clusters[index].isActive && !spec.policy.predictions.isEmpty {
            let progress = status.clusters[index]
            let settle = spec.policy.predictions.map(\.settleSeconds).max() ?? 0
            if let appliedAt = progress.lastAppliedAt, now - appliedAt < settle { holds.block(progress.cluster) }
        }
        let breaker = circuitBreaker(result.evaluations, counted: counted.map(\.evaluation), touched: roles.touched)
        let severest = counted.max { $0.action.severity < $1.action.severity }
        guard severest != nil || breaker != nil else { return holds }
        // A breach stops the rollout: no batch is applied in this pass, not even a retry of a failed one.
        decision.actions.removeAll { $0.kind == .apply }
        let touchedNames = Set(roles.touched.map { status.clusters[$0].cluster })
        if let (action, evaluation) = severest {
            let why = "gate '\(evaluation.gate)' on \(evaluation.cluster): \(evaluation.reason)"
            switch action {
            case .rollbackCluster where touchedNames.contains(evaluation.cluster):
                if let index = status.clusterIndex(evaluation.cluster) { status.clusters[index].state = .reverting }
                setPhase(.halted, "rolling back \(evaluation.cluster) and halting: \(why)")
                continueReverts()
            case .rollbackRollout:
                setPhase(.rollingBack, "rolling back the rollout: \(why)")
                rollBack()
            default:
                setPhase(.halted, "halted by \(why)")
            }
        }
        if let breaker, status.phase != .rollingBack {
            setPhase(.halted, severest == nil ? breaker : "\(breaker); \(status.message)")
        }
        return nil
    }

    /// The fleet-wide circuit breaker's reason to halt every wave, if it trips.
    ///
    /// It counts clusters whose breach counted (lasted as long as its gate's persistence), and clusters whose
    /// control-plane gates all have no data.
    func circuitBreaker(_ evaluations: [GateEvaluation], counted: [GateEvaluation], touched: [Int]) -> String? {
        guard let fleet = spec.policy.fleet else { return nil }
        // Sets and one walk over the evaluations: the breaker runs every pass over every touched cluster.
        let touchedNames = touched.map { status.clusters[$0].cluster }
        let isTouched = Set(touchedNames)
        let clusterGates = Set(spec.policy.gates.filter { $0.scope == .cluster }.map(\.name))
        if let limit = fleet.haltWhenClustersBreaching {
            let breaching = Set(counted.filter {
                $0.verdict == .breach && clusterGates.contains($0.gate) && isTouched.contains($0.cluster)
            }.map(\.cluster)).sorted()
            if breaching.count >= limit {
                return "circuit breaker: \(breaching.count) clusters breach at once (\(breaching.joined(separator: ", "))); every wave halted"
            }
        }
        if let share = fleet.haltWhenTelemetryMissingShare, touchedNames.count >= 2 {
            // Per cluster: whether every one of its control-plane gates had no data (nil: none was evaluated).
            var allNoData: [String: Bool] = [:]
            for evaluation in evaluations where clusterGates.contains(evaluation.gate) {
                allNoData[evaluation.cluster, default: true] = allNoData[evaluation.cluster, default: true]
                    && evaluation.verdict == .noData
            }
            let dark = touchedNames.filter { allNoData[$0] == true }
            if dark.count >= 2 && Double(dark.count) / Double(touchedNames.count) >= share {
                return "circuit breaker: control-plane telemetry disappeared from \(dark.count) of \(touchedNames.count) "
                    + "clusters (\(dark.prefix(5).joined(separator: ", "))\(dark.count > 5 ? ", ..." : "")); every wave halted"
            }
        }
        return nil
    }

    mutating func progress(holds: Holds) {
        while status.currentWave < spec.waves.count {
            let waveIndex = status.currentWave
            let wave = spec.waves[waveIndex]
            if wave.approval == .manual && !status.approvedWaves.contains(waveIndex) {
                setPhase(.awaitingApproval, "wave '\(wave.name)' waits for approval: `sluice promote \(spec.name)`")
                return
            }
            if status.phase != .progressing { setPhase(.progressing, "wave '\(wave.name)' in progress") }
            let inWave = status.clusters.indices.filter { status.clusters[$0].wave == waveIndex }
            for index in inWave where holds.allows(status.clusters[index].cluster) { advanceIfBaked(clusterAt: index) }
            let limit = min(wave.maxConcurrentClusters, spec.policy.fleet?.maxClustersInProgress ?? .max)
            var active = status.clusters.filter(\.isActive).count
            for index in inWave where active < limit && status.clusters[index].state == .pending {
                let name = status.clusters[index].cluster
                // A cluster starts only once its signals were read and its predictions passed in this pass.
                guard holds.watched(name), holds.allows(name) else { break }
                status.baselines.merge(holds.round.baselines(for: name)) { $1 }
                status.clusters[index].startedAt = now
                var started = "\(name): cluster started (wave '\(wave.name)')"
                if let probe = holds.probes[name] {
                    status.clusters[index].probeNodes = probe
                    status.clusters[index].totalBatches += 1
                    started += " with a probe batch of \(counted(probe, "node")): its own cost decides the rest"
                }
                record("started", started)
                if spec.apfBrake == nil { emit(.apply, batch: 0, clusterAt: index) } else { emitBrake(clusterAt: index) }
                active += 1
            }
            let finished = inWave.allSatisfy {
                status.clusters[$0].state == .done || status.clusters[$0].state == .reverted
            }
            guard finished else { return }
            record("wave-complete", "wave '\(wave.name)' complete")
            status.currentWave += 1
        }
        guard releaseBrakes() else {
            setPhase(.progressing, "every wave complete; removing the APF brakes")
            return
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
    ///
    /// An apply that failed may still have reached some of its nodes, so its batch counts as applied and is
    /// reverted too.
    mutating func continueReverts() {
        guard status.phase != .aborted && !status.phase.isFinished else { return }
        for index in status.clusters.indices where status.clusters[index].state == .reverting {
            settleFailedApply(clusterAt: index)
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

    /// Takes a failed apply or brake out of flight, counting it as done: it may have reached some nodes, or created
    /// the brake's objects.
    mutating func settleFailedApply(clusterAt index: Int) {
        guard let key = status.clusters[index].inFlight, let entry = input.journal[key], entry.state == .failed,
            entry.action.kind == .apply || entry.action.kind == .brake,
            !decision.actions.contains(where: { $0.key == key })
        else { return }
        if entry.action.kind == .brake {
            status.clusters[index].apfBrake = .on
        } else {
            status.clusters[index].appliedBatches = max(status.clusters[index].appliedBatches, entry.action.batch + 1)
        }
        status.clusters[index].inFlight = nil
        status.clusters[index].failures = 0
        status.clusters[index].failingSince = nil
    }

    mutating func rollBack() {
        for index in status.clusters.indices {
            settleFailedApply(clusterAt: index)
            let progress = status.clusters[index]
            // A braked cluster whose first batch has not gone yet is active, with nothing applied: it ends reverted.
            let touched = progress.appliedBatches > 0 || progress.isActive
                || progress.inFlight != nil && !isReleasing(clusterAt: index)
            if touched && progress.state != .reverting {
                status.clusters[index].state = progress.inFlight == nil ? .reverting : progress.state
                status.clusters[index].bakeUntil = nil
            }
        }
        continueReverts()
        let settled = status.clusters.allSatisfy { $0.inFlight == nil && $0.appliedBatches == 0 }
        if settled && releaseBrakes() { setPhase(.rolledBack, "every applied batch reverted") }
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

/// What may not move in a pass: clusters whose gates did not all pass, and the clusters that were watched.
struct Holds {
    let round: GateRound
    /// The probe batch a candidate starts with, when its projection was a guess (see ``GateRound/Result/probes``).
    let probes: [String: Int]
    private var blocked: Set<String> = []
    private let watchedClusters: Set<String>

    init(round: GateRound, probes: [String: Int]) {
        self.round = round
        self.probes = probes
        watchedClusters = Set(round.signals.keys)
    }

    mutating func block(_ cluster: String) { blocked.insert(cluster) }

    /// Whether `cluster` may advance or start: nothing of its own and nothing fleet-wide is failing.
    func allows(_ cluster: String) -> Bool {
        !blocked.contains(cluster) && !blocked.contains(GateEvaluation.fleetScope)
    }

    func watched(_ cluster: String) -> Bool { watchedClusters.contains(cluster) }
}

/// The persistence, recovery and no-data rules of a gate or prediction, by name.
struct GateRule {
    var persistence = Persistence()
    var recoverAfter = 1
    var onNoData = NoDataPolicy.fail
    var action = GateAction.halt

    init(policy: GatePolicy, name: String) {
        if let gate = policy.gates.first(where: { $0.name == name }) {
            persistence = gate.persistence
            recoverAfter = gate.recoverAfter
            onNoData = gate.onNoData
            action = gate.action
        } else if let prediction = policy.predictions.first(where: { $0.name == name }) {
            action = prediction.action
        }
    }
}
