/// The outcome of one gate on one cluster (or the fleet) at one time.
public struct GateEvaluation: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Equatable, Codable {
        case pass
        case breach
        case noData
    }

    public var gate: String
    /// The cluster, or ``GateEvaluation/fleetScope`` for a fleet-wide gate.
    public var cluster: String
    public var at: Double
    public var windowSeconds: Double
    /// The value held against the bound: a measurement, a ratio of a reference, or a projected utilization.
    public var observed: Double?
    public var bound: Bound
    public var verdict: Verdict
    public var reason: String
    /// Unix seconds when it was recorded; nil before Sluice kept it.
    public var wallAt: Double?

    public init(
        gate: String, cluster: String, at: Double, windowSeconds: Double, observed: Double?, bound: Bound,
        verdict: Verdict, reason: String, wallAt: Double? = nil
    ) {
        self.wallAt = wallAt
        self.gate = gate
        self.cluster = cluster
        self.at = at
        self.windowSeconds = windowSeconds
        self.observed = observed
        self.bound = bound
        self.verdict = verdict
        self.reason = reason
    }

    /// When it was evaluated on the wall clock, if known.
    public var wallTime: Double? { ControllerTime.wallTime(at: at, recorded: wallAt) }

    /// The cluster name fleet-wide gates are evaluated under.
    public static let fleetScope = "(fleet)"
}

/// A gate's measurement: a number, or why there is none.
public enum Measurement: Sendable, Equatable {
    case value(Double)
    case noData(String)

    public var value: Double? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// Turns samples into measurements and verdicts. Pure: the same samples and `now` give the same verdicts.
public enum GateEvaluator {
    /// Evaluates every absolute, cluster-scoped gate of `policy` on `signals` at `now` (relative gates need
    /// references; see ``GateRound``).
    public static func evaluate(policy: GatePolicy, signals: ClusterSignals, now: Double) -> [GateEvaluation] {
        policy.gates.map { gate in
            judge(gate, cluster: signals.cluster,
                  measured: measure(gate, signals: signals, now: now, maxSampleAgeSeconds: policy.maxSampleAgeSeconds),
                  reference: nil, now: now)
        }
    }

    /// The aggregate of `gate`'s signal over its window (divided by `dividedBy`'s, if any).
    ///
    /// No usable sample (none, a NaN or infinity in the window, the newest older than `maxSampleAgeSeconds`, or the
    /// source failed) is no data, never a value.
    public static func measure(_ gate: Gate, signals: ClusterSignals, now: Double, maxSampleAgeSeconds: Double) -> Measurement {
        let measured = aggregate(
            gate.signal, gate.aggregation, windowSeconds: gate.windowSeconds, signals: signals, now: now,
            maxSampleAgeSeconds: maxSampleAgeSeconds)
        guard let divisor = gate.dividedBy, case .value(let numerator) = measured else { return measured }
        let denominator = aggregate(
            divisor, gate.aggregation == .rate ? .rate : .mean, windowSeconds: gate.windowSeconds, signals: signals,
            now: now, maxSampleAgeSeconds: maxSampleAgeSeconds)
        switch denominator {
        case .noData(let reason): return .noData(reason)
        case .value(let value) where value <= 0: return .noData("\(divisor) is \(value), cannot divide by it")
        case .value(let value): return .value(numerator / value)
        }
    }

    /// The aggregate of one signal over a window ending at `now`.
    public static func aggregate(
        _ signal: String, _ aggregation: Aggregation, windowSeconds: Double, signals: ClusterSignals, now: Double,
        maxSampleAgeSeconds: Double
    ) -> Measurement {
        if let error = signals.errors[signal] { return .noData("\(signal): source failed: \(error)") }
        let all = signals.samples[signal] ?? []
        guard let newest = all.last(where: { $0.value.isFinite }) else {
            return .noData("\(signal): no usable sample (missing or NaN)")
        }
        guard now - newest.at <= maxSampleAgeSeconds else {
            return .noData("\(signal): newest sample is \(DurationText.format(now - newest.at)) old (stale)")
        }
        let window = all.filter { $0.at >= now - windowSeconds && $0.at <= now }
        guard !window.isEmpty, window.allSatisfy({ $0.value.isFinite }) else {
            return .noData("\(signal): window has no sample or a NaN/infinite sample")
        }
        let value = aggregation.apply(to: window)
        return value.isFinite ? .value(value) : .noData("\(signal): \(aggregation) needs two samples or more")
    }

    /// The verdict on a measurement; with a relative comparison, `reference` is what the bound is a ratio of.
    public static func judge(
        _ gate: Gate, cluster: String, measured: Measurement, reference: Measurement?, now: Double
    ) -> GateEvaluation {
        func evaluation(_ verdict: GateEvaluation.Verdict, _ observed: Double?, _ reason: String) -> GateEvaluation {
            GateEvaluation(
                gate: gate.name, cluster: cluster, at: now, windowSeconds: gate.windowSeconds, observed: observed,
                bound: gate.bound, verdict: verdict, reason: reason)
        }
        let what = gate.dividedBy.map { "\(gate.aggregation)(\(gate.signal)) / \($0)" }
            ?? "\(gate.aggregation)(\(gate.signal))"
        guard case .value(let value) = measured else {
            if case .noData(let reason) = measured { return evaluation(.noData, nil, reason) }
            return evaluation(.noData, nil, "no data")
        }
        let shown = value.formatted(maxFractionDigits: 4)
        guard gate.comparison != .absolute else {
            return gate.bound.isHealthy(value)
                ? evaluation(.pass, value, "\(what) = \(shown), healthy \(gate.bound)")
                : evaluation(.breach, value, "\(what) = \(shown), breaches \(gate.bound)")
        }
        let against = gate.comparison == .baseline ? "baseline" : "untouched clusters' median"
        if let floor = gate.floor, value <= floor {
            return evaluation(.pass, value, "\(what) = \(shown), under the floor \(floor.formatted(maxFractionDigits: 4))")
        }
        switch reference {
        case .value(let base)?:
            // A reference under the floor is taken as the floor: near zero, ratios are noise.
            let ratio = min(1e9, value / max(base, gate.floor ?? 0, 1e-9))
            let text = "\(what) = \(shown) is \(ratio.formatted(maxFractionDigits: 3))× the \(against) "
                + "(\(base.formatted(maxFractionDigits: 4)))"
            return gate.bound.isHealthy(ratio)
                ? evaluation(.pass, ratio, "\(text), healthy \(gate.bound)")
                : evaluation(.breach, ratio, "\(text), breaches \(gate.bound)")
        case .noData(let reason)?:
            return evaluation(.noData, nil, "no \(against) to compare with: \(reason)")
        case nil:
            return evaluation(.noData, nil, "no \(against) to compare with")
        }
    }
}
