/// What a gate's value measures, so that views can print it with its unit: `1.2%`, `850ms`, `3.5/s`, `2.1×`.
///
/// Derived from the gate: a prediction is a projected share of capacity; a gate compared with a baseline or with the
/// untouched clusters is a multiple of that reference; a gate divided by another signal is a share; otherwise the
/// signal's name says it, as Prometheus names do (`_ratio` and `_availability`, `_seconds`, `_per_second`, a `rate`
/// of a counter).
public enum ValueUnit: String, Sendable, Equatable, Codable {
    /// A fraction, shown as a percentage.
    case share
    case seconds
    case perSecond
    /// A multiple of the gate's reference (its baseline, or the untouched clusters' median).
    case timesReference
    /// A plain number: seats, requests, nodes.
    case count

    /// The unit of the values of the gate or prediction `name` in `policy`; `count` for a name it does not have.
    public init(gate name: String, in policy: GatePolicy) {
        if policy.predictions.contains(where: { $0.name == name }) {
            self = .share
        } else if let gate = policy.gates.first(where: { $0.name == name }) {
            self.init(gate: gate)
        } else {
            self = .count
        }
    }

    public init(gate: Gate) {
        if gate.comparison != .absolute {
            self = .timesReference
        } else if gate.dividedBy != nil {
            self = .share
        } else if case .rate = gate.aggregation {
            self = .perSecond
        } else {
            self.init(signal: gate.signal)
        }
    }

    /// The unit a signal's name declares.
    public init(signal: String) {
        self =
            if signal.hasSuffix("_ratio") || signal.hasSuffix("_availability") { .share }
            else if signal.hasSuffix("_per_second") { .perSecond }
            else if signal.hasSuffix("_seconds") { .seconds }
            else { .count }
    }

    /// `value` with its unit.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        return switch self {
        case .share: "\((value * 100).formatted(maxFractionDigits: 2))%"
        case .seconds: abs(value) < 1 && value != 0
            ? "\((value * 1000).formatted(maxFractionDigits: 1))ms" : "\(value.formatted(maxFractionDigits: 2))s"
        case .perSecond: "\(value.formatted(maxFractionDigits: 3))/s"
        case .timesReference: "\(value.formatted(maxFractionDigits: 2))×"
        case .count: value.formatted(maxFractionDigits: 4)
        }
    }

    /// A bound with its unit: `<= 1%`.
    public func format(_ bound: Bound) -> String {
        switch bound {
        case .atMost(let limit): "<= \(format(limit))"
        case .atLeast(let limit): ">= \(format(limit))"
        }
    }
}
