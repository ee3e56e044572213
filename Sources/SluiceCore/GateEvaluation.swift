/// The outcome of one gate on one cluster at one time.
public struct GateEvaluation: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Equatable, Codable {
        case pass
        case breach
        case noData
    }

    public var gate: String
    public var cluster: String
    public var at: Double
    public var windowSeconds: Double
    public var observed: Double?
    public var bound: Bound
    public var verdict: Verdict
    public var reason: String

    public init(
        gate: String, cluster: String, at: Double, windowSeconds: Double, observed: Double?, bound: Bound,
        verdict: Verdict, reason: String
    ) {
        self.gate = gate
        self.cluster = cluster
        self.at = at
        self.windowSeconds = windowSeconds
        self.observed = observed
        self.bound = bound
        self.verdict = verdict
        self.reason = reason
    }
}

/// Turns samples into verdicts. Pure: the same samples and `now` give the same verdicts.
public enum GateEvaluator {
    /// Evaluates every gate of `policy` on `signals` at `now`.
    ///
    /// No usable sample in the window (none, all NaN or infinite, the newest older than the policy's
    /// `maxSampleAgeSeconds`, or the source failed) is `noData`, never `pass`.
    public static func evaluate(policy: GatePolicy, signals: ClusterSignals, now: Double) -> [GateEvaluation] {
        policy.gates.map { gate in
            evaluate(gate, signals: signals, now: now, maxSampleAgeSeconds: policy.maxSampleAgeSeconds)
        }
    }

    static func evaluate(
        _ gate: Gate, signals: ClusterSignals, now: Double, maxSampleAgeSeconds: Double
    ) -> GateEvaluation {
        func verdict(_ verdict: GateEvaluation.Verdict, _ observed: Double?, _ reason: String) -> GateEvaluation {
            GateEvaluation(
                gate: gate.name, cluster: signals.cluster, at: now, windowSeconds: gate.windowSeconds,
                observed: observed, bound: gate.bound, verdict: verdict, reason: reason)
        }
        if let error = signals.errors[gate.signal] {
            return verdict(.noData, nil, "\(gate.signal): source failed: \(error)")
        }
        let all = signals.samples[gate.signal] ?? []
        guard let newest = all.last(where: { $0.value.isFinite }) else {
            return verdict(.noData, nil, "\(gate.signal): no usable sample (missing or NaN)")
        }
        guard now - newest.at <= maxSampleAgeSeconds else {
            let age = (now - newest.at).formatted(maxFractionDigits: 0)
            return verdict(.noData, nil, "\(gate.signal): newest sample is \(age)s old (stale)")
        }
        let windowStart = now - gate.windowSeconds
        let values = all.filter { $0.at >= windowStart && $0.at <= now }.map(\.value)
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
            return verdict(.noData, nil, "\(gate.signal): window has no sample or a NaN/infinite sample")
        }
        let observed = gate.aggregation.apply(to: values)
        let shown = observed.formatted(maxFractionDigits: 4)
        if gate.bound.isHealthy(observed) {
            return verdict(.pass, observed, "\(gate.aggregation)(\(gate.signal)) = \(shown), healthy \(gate.bound)")
        }
        return verdict(.breach, observed, "\(gate.aggregation)(\(gate.signal)) = \(shown), breaches \(gate.bound)")
    }
}
