/// The gates' side of a pass: evaluations tracked for persistence and recovery, breaches that count acted on, and
/// the fleet-wide circuit breaker.
extension Pass {
    /// A breach whose persistence ran out, with what its gate does about it.
    typealias CountedBreach = (action: GateAction, evaluation: GateEvaluation)

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
        let counted = track(result.evaluations, holds: &holds)
        for index in roles.touched where status.clusters[index].isActive && !spec.policy.predictions.isEmpty {
            let progress = status.clusters[index]
            let settle = spec.policy.predictions.map(\.settleSeconds).max() ?? 0
            if let appliedAt = progress.lastAppliedAt, now - appliedAt < settle { holds.block(progress.cluster) }
        }
        let breaker = circuitBreaker(result.evaluations, counted: counted.map(\.evaluation), touched: roles.touched)
        guard !counted.isEmpty || breaker != nil else { return holds }
        stop(for: counted, breaker: breaker, touched: roles.touched)
        return nil
    }

    /// Moves each gate's track on with its evaluation (failing evaluations in a row, passes since a breach counted),
    /// blocks the clusters of gates that are not clear, and returns the breaches that count now.
    mutating func track(_ evaluations: [GateEvaluation], holds: inout Holds) -> [CountedBreach] {
        let rules = GateRule.all(in: spec.policy)
        var counted: [CountedBreach] = []
        for evaluation in evaluations {
            let rule = rules[evaluation.gate] ?? GateRule()
            let key = evaluation.subject
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
        return counted
    }

    /// Stops the rollout for the severest breach that counts (halt, roll its cluster back, or roll everything back)
    /// and for a tripped circuit breaker: no batch is applied in this pass, not even a retry of a failed one.
    mutating func stop(for counted: [CountedBreach], breaker: String?, touched: [Int]) {
        decision.actions.removeAll { $0.kind == .apply }
        let severest = counted.max { $0.action.severity < $1.action.severity }
        let touchedNames = Set(touched.map { status.clusters[$0].cluster })
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

/// The persistence, recovery and no-data rules of a gate or prediction.
struct GateRule {
    var persistence = Persistence()
    var recoverAfter = 1
    var onNoData = NoDataPolicy.fail
    var action = GateAction.halt

    /// The rules of every gate and prediction of `policy`, by name: looked up once a pass, not per evaluation.
    static func all(in policy: GatePolicy) -> [String: GateRule] {
        var rules: [String: GateRule] = [:]
        for prediction in policy.predictions { rules[prediction.name] = GateRule(action: prediction.action) }
        for gate in policy.gates {
            rules[gate.name] = GateRule(
                persistence: gate.persistence, recoverAfter: gate.recoverAfter, onNoData: gate.onNoData,
                action: gate.action)
        }
        return rules
    }
}
