import SluiceCore
import SluiceStore

/// What `sluice watch` reads for one frame. Fixed inputs give a fixed frame: no clock is read here.
struct WatchInput {
    var record: RolloutRecord
    /// The rollout's latest events, oldest first (the view shows the last ``WatchModel/eventCount``).
    var events: [RolloutEvent]
    /// When `sluiced` recorded its first and its latest event on the rollout (wall time when recorded): the rollout's
    /// elapsed time.
    var daemonEvents: EventSpan?
    /// Recent gate evaluations, oldest first.
    var evaluations: [GateEvaluation]
    var pendingRequests: [String]
    /// The controller's clock now (estimated from its last pass), for bakes and elapsed time.
    var controllerNow: Double
    /// The wall clock now (Unix seconds), for the lease.
    var wallNow: Double
    /// The daemon lease as stored, live or not; nil when no daemon ever ran on this database.
    var lease: LeaseSeen?
    /// The wall time (Unix seconds) of the daemon's last pass, if one ran.
    var lastPassWallAt: Double? = nil
    /// What break-glass did, or nil when it never ran on this rollout.
    var breakGlass: BreakGlassState? = nil
}

/// The daemon lease as `watch` sees it: who held it last and until when (wall clock, Unix seconds).
struct LeaseSeen: Equatable {
    var owner: String
    var expiresAt: Double
}

/// One frame of `sluice watch`: the `get` view plus what happens next, gates with their history, banners and the
/// last events. Encoded as is by `-o json`.
struct WatchModel: Codable, Equatable {
    struct Banner: Codable, Equatable {
        /// `daemonDown`, `signalsStale` or `fenced`.
        var kind: String
        var message: String
        /// Since when the condition holds, formatted; nil when unknown.
        var since: String?
    }

    struct Next: Codable, Equatable {
        var text: String
        /// When it is due on the controller's clock, if it is timed: RFC 3339 UTC, or `T+…` in virtual time.
        var at: String?
        /// Seconds until then, from the controller's clock now.
        var inSeconds: Double?
    }

    /// A gate's latest verdict in the watch, or that it was not evaluated yet (`none` in JSON).
    enum ShownVerdict: String, Codable, Equatable, CaseIterable {
        case pass, breach, noData
        case notEvaluated = "none"

        init(_ verdict: GateEvaluation.Verdict) {
            switch verdict {
            case .pass: self = .pass
            case .breach: self = .breach
            case .noData: self = .noData
            }
        }

        /// In a sentence: `no data`, `not evaluated`.
        var words: String {
            switch self {
            case .pass, .breach: rawValue
            case .noData: "no data"
            case .notEvaluated: "not evaluated"
            }
        }
    }

    struct GateRow: Codable, Equatable {
        var gate: String
        var cluster: String?
        var verdict: ShownVerdict
        var observed: Double?
        /// What `observed` and `threshold` measure.
        var unit: ValueUnit
        /// The bound in words, with its unit: `<= 1%`.
        var bound: String
        /// When it was evaluated: RFC 3339 UTC (or `T+…` for an old virtual-time evaluation).
        var at: String?
        /// Recent observed values of this gate on this cluster, oldest first; nil where there was no data.
        var history: [Double?]
        var threshold: Double
        var reason: String
    }

    var rollout: RolloutView
    var finished: Bool
    /// When the daemon started the rollout: RFC 3339 UTC (or `T+…` for an old virtual-time run).
    var startedAt: String?
    /// Wall seconds since then, or until it finished.
    var elapsedSeconds: Double?
    /// The controller's virtual clock, when the daemon runs in virtual time; absent on the wall clock.
    var virtualSeconds: Double?
    var next: Next
    var banners: [Banner]
    var gates: [GateRow]
    var events: [EventRow]
    var clustersDone: Int
    var clusters: Int
    var nodesDone: Int
    var nodes: Int

    static let historyLength = 16
    static let eventCount = 6

    init(_ input: WatchInput) {
        let record = input.record
        let status = record.status
        rollout = RolloutView(
            record, pendingRequests: input.pendingRequests, now: input.controllerNow, breakGlass: input.breakGlass)
        finished = status.phase.isFinished
        virtualSeconds = ControllerTime.virtualTime(input.controllerNow)
        let span = input.daemonEvents
        startedAt = span.map { ControllerTime.format($0.first) }
        // The span is on the wall clock since wall times are recorded; a virtual one is measured in virtual time.
        let now = span.flatMap { ControllerTime.virtualTime($0.first) } == nil ? input.wallNow : input.controllerNow
        let end = finished ? (span?.last ?? now) : now
        elapsedSeconds = span.map { max(0, end - $0.first) }
        let all = rollout.waves.flatMap(\.clusters)
        clusters = all.count
        clustersDone = all.filter { $0.state == .progress(.done) }.count
        nodes = all.reduce(0) { $0 + $1.nodes }
        nodesDone = all.reduce(0) { $0 + $1.nodesCarrying }
        next = input.breakGlass.map { Self.next(fencedBy: $0, rollout: record.spec.name) }
            ?? Self.next(record, now: input.controllerNow)
        gates = Self.gates(record.spec, evaluations: input.evaluations)
        events = input.events.suffix(Self.eventCount).map { EventRow($0) }
        banners = Self.banners(input, finished: finished)
    }

    /// What happens next to a rollout break-glass fenced: nothing from `sluiced`; failed nodes need another run.
    static func next(fencedBy breakGlass: BreakGlassState, rollout name: String) -> Next {
        guard breakGlass.nodesFailed == 0 else {
            return Next(text: "\(breakGlass.nodesFailed) nodes failed to revert: run `sluice break-glass \(name)` again")
        }
        return Next(text: "nothing: fenced by break-glass, \(breakGlass.nodesReverted) nodes reverted node-direct")
    }

    /// What the controller will do next, and when.
    static func next(_ record: RolloutRecord, now: Double) -> Next {
        let spec = record.spec
        let status = record.status
        let name = spec.name
        switch status.phase {
        case .pending:
            return Next(text: "waiting for sluiced to start it")
        case .completed:
            return Next(text: "nothing: every wave complete")
        case .aborted:
            return Next(text: "nothing: aborted; applied batches stay applied (`sluice rollback \(name)` reverts them)")
        case .rolledBack:
            return Next(text: "nothing: rolled back")
        case .paused:
            return Next(text: "paused: no new batch until `sluice resume \(name)`")
        case .halted:
            if let reverting = status.clusters.first(where: { $0.state == .reverting }) {
                return Next(text: "reverting \(reverting.cluster) (\(reverting.appliedBatches) batches left), then halted")
            }
            return Next(text: "halted: waiting for an operator (`sluice resume`, `rollback` or `abort`)")
        case .awaitingApproval:
            let wave = status.currentWave < spec.waves.count ? spec.waves[status.currentWave].name : "next"
            return Next(text: "waiting for approval of wave '\(wave)': `sluice promote \(name)`")
        case .rollingBack:
            let reverting = status.clusters.filter { $0.state == .reverting }.map(\.cluster)
            return Next(text: "rolling back: reverting \(reverting.isEmpty ? "nothing left" : reverting.joined(separator: ", "))")
        case .progressing:
            break
        }
        if let braking = status.clusters.first(where: { $0.apfBrakeStatus == .settingUp }) {
            return Next(text: "setting up the APF brake on \(braking.cluster), then its first batch")
        }
        let removing = status.clusters.filter { $0.apfBrakeStatus == .removing }.count
        if removing > 0 {
            return Next(text: "removing the APF brake from \(counted(removing, "cluster")), then complete")
        }
        let current = status.clusters.filter { $0.wave == status.currentWave }
        if let applying = current.first(where: { $0.state == .applying }) {
            return Next(text: "applying batch \(applying.appliedBatches + 1)/\(applying.totalBatches) of \(applying.cluster)")
        }
        let baking = current.filter { $0.state == .baking && $0.bakeUntil != nil }
            .min { ($0.bakeUntil!, $0.cluster) < ($1.bakeUntil!, $1.cluster) }
        if let baking, let until = baking.bakeUntil {
            let what = baking.appliedBatches < baking.totalBatches
                ? "batch \(baking.appliedBatches + 1)/\(baking.totalBatches) of \(baking.cluster)"
                : "\(baking.cluster) done"
            return Next(text: "\(what) if gates pass", at: ControllerTime.format(until), inSeconds: max(0, until - now))
        }
        if let pending = current.first(where: { $0.state == .pending }) {
            return Next(text: "batch 1/\(pending.totalBatches) of \(pending.cluster) at the next pass")
        }
        return Next(text: "next wave at the next pass")
    }

    /// One row per gate: the latest evaluation, on the cluster in the worst state at that pass.
    static func gates(_ spec: RolloutSpec, evaluations: [GateEvaluation]) -> [GateRow] {
        func severity(_ verdict: GateEvaluation.Verdict) -> Int {
            switch verdict {
            case .breach: 2
            case .noData: 1
            case .pass: 0
            }
        }
        return spec.policy.gates.map { gate in
            let mine = evaluations.filter { $0.gate == gate.name }
            let unit = ValueUnit(gate: gate)
            guard let latestAt = mine.last?.at else {
                return GateRow(
                    gate: gate.name, cluster: nil, verdict: .notEvaluated, observed: nil, unit: unit, bound: unit.format(gate.bound),
                    at: nil, history: [], threshold: gate.bound.threshold, reason: "not evaluated yet")
            }
            // The worst cluster at the latest pass: breach, then no data, then the value nearest its threshold.
            func badness(_ evaluation: GateEvaluation) -> (Int, Double) {
                guard let observed = evaluation.observed else { return (severity(evaluation.verdict), -.infinity) }
                let margin = switch evaluation.bound {
                case .atMost(let limit): observed - limit
                case .atLeast(let limit): limit - observed
                }
                return (severity(evaluation.verdict), margin)
            }
            let atLatest = mine.filter { $0.at == latestAt }
            let shown = atLatest.max {
                let (left, right) = (badness($0), badness($1))
                return left != right ? left < right : $0.cluster > $1.cluster
            }!
            let history = mine.filter { $0.cluster == shown.cluster }.suffix(historyLength).map(\.observed)
            return GateRow(
                gate: gate.name, cluster: shown.cluster, verdict: ShownVerdict(shown.verdict), observed: shown.observed,
                unit: unit, bound: unit.format(gate.bound), at: ControllerTime.format(shown.wallTime ?? shown.at), history: Array(history),
                threshold: gate.bound.threshold, reason: shown.reason)
        }
    }

    static func banners(_ input: WatchInput, finished: Bool) -> [Banner] {
        var banners: [Banner] = []
        if let glass = input.breakGlass {
            banners.append(Banner(
                kind: "fenced",
                message: "fenced by break-glass (by \(glass.actor): \(glass.reason)): sluiced will not act on "
                    + "this rollout; \(glass.nodesReverted) nodes reverted node-direct, \(glass.nodesFailed) failed",
                since: ControllerTime.format(glass.fencedAt)))
        }
        if !finished {
            if let lease = input.lease {
                if lease.expiresAt < input.wallNow {
                    // A daemon that stopped cleanly gave its lease up (expiry 0): then its last pass tells since when.
                    let since = lease.expiresAt > 0 ? lease.expiresAt : input.lastPassWallAt
                    banners.append(Banner(
                        kind: "daemonDown",
                        message: "sluiced is not running: the lease of \(lease.owner) "
                            + "\(lease.expiresAt > 0 ? "expired" : "was given up"); nothing moves until a daemon runs",
                        since: since.map(ControllerTime.format)))
                }
            } else {
                banners.append(Banner(
                    kind: "daemonDown", message: "sluiced is not running: no daemon has run on this database",
                    since: nil))
            }
            if let stale = staleSignals(input.evaluations) {
                banners.append(stale)
            }
        }
        return banners
    }

    /// A banner when the latest pass had gates without data: since when, on which clusters, which gates.
    static func staleSignals(_ evaluations: [GateEvaluation]) -> Banner? {
        guard let latestAt = evaluations.last?.at else { return nil }
        let missing = evaluations.filter { $0.at == latestAt && $0.verdict == .noData }
        guard !missing.isEmpty else { return nil }
        var since = latestAt
        for evaluation in missing {
            // Walk back over this gate and cluster's unbroken run of no data.
            let series = evaluations.filter { $0.gate == evaluation.gate && $0.cluster == evaluation.cluster }
            for earlier in series.reversed() {
                guard earlier.verdict == .noData else { break }
                since = min(since, earlier.at)
            }
        }
        let gates = uniqueInOrder(missing.map(\.gate))
        let clusters = uniqueInOrder(missing.map(\.cluster))
        return Banner(
            kind: "signalsStale",
            message: "signals missing or stale for \(counted(gates.count, "gate")) "
                + "(\(gates.joined(separator: ", "))) on \(clusters.joined(separator: ", ")): \(missing[0].reason)",
            since: ControllerTime.format(since))
    }

    static func uniqueInOrder(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}
