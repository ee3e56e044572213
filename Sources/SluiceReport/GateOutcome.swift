import SluiceCore

/// What one gate's evaluations came to over the rollout, and whether its chart is worth drawing.
///
/// A gate is **flat** (folded into one row of the "passed throughout" table instead of a chart) when it has at least
/// one evaluation, every evaluation passed (no breach, no evaluation without data) and its worst value stayed clear of
/// the bound: not within ``closeMargin`` (20 %) of it. What "within 20 %" measures depends on the bound:
/// - `<= limit`: the worst (highest) value is at least 80 % of the limit (`worst >= limit - 0.2 × |limit|`);
/// - `>= limit` on a share (a ratio or availability, at most 1): the worst (lowest) value used at least 80 % of the
///   room below 1 the bound allows, as an error budget (`worst <= limit + 0.2 × (1 - limit)`), so `>= 99 %` is close
///   from 99.2 % down;
/// - any other `>= limit`: the worst value is at most 120 % of the limit (`worst <= limit + 0.2 × |limit|`).
/// A gate that came that close keeps its chart, as does one that breached, lacked data or was never evaluated.
struct GateOutcome {
    /// Of the room between a healthy value and the bound, the share within which a passing gate counts as close.
    static let closeMargin = 0.2

    var gate: Gate
    var evaluations: [GateEvaluation]
    /// The clusters evaluated, in plan order (the fleet scope last).
    var clusters: [String]
    var breaches: Int
    var noData: Int
    /// The observed value furthest toward (or past) the bound, nil when no evaluation had a value.
    var worst: Double?

    init(_ gate: Gate, input: ReportInput) {
        self.gate = gate
        evaluations = input.evaluations.filter { $0.gate == gate.name }
        let evaluated = Set(evaluations.map(\.cluster))
        clusters = input.spec.clustersInOrder.map(\.cluster.name).filter(evaluated.contains)
        if evaluated.contains(GateEvaluation.fleetScope) { clusters.append(GateEvaluation.fleetScope) }
        breaches = evaluations.filter { $0.verdict == .breach }.count
        noData = evaluations.filter { $0.verdict == .noData }.count
        let values = evaluations.compactMap(\.observed).filter(\.isFinite)
        worst = switch gate.bound {
        case .atMost: values.max()
        case .atLeast: values.min()
        }
    }

    /// Whether every evaluation passed and there was at least one.
    var passedThroughout: Bool { !evaluations.isEmpty && breaches == 0 && noData == 0 }

    /// Whether the worst value came within ``closeMargin`` of the bound (see the type's documentation).
    var cameClose: Bool {
        guard let worst else { return false }
        switch gate.bound {
        case .atMost(let limit):
            return worst >= limit - Self.closeMargin * abs(limit)
        case .atLeast(let limit):
            let room = ValueUnit(gate: gate) == .share && limit < 1 ? 1 - limit : abs(limit)
            return worst <= limit + Self.closeMargin * room
        }
    }

    /// Whether the gate is folded into the summary table rather than charted.
    var isFlat: Bool { passedThroughout && !cameClose }
}
