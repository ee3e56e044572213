public import CoreMetrics
public import SluiceCore

/// What the controller counts, through swift-metrics: the daemon serves them in Prometheus's format; with the default
/// factory they go nowhere.
///
/// Labels stay few and bounded (an action's kind, a gate's name and verdict, a signal's name): no rollout, cluster or
/// node names, so a long history never grows the number of series.
public struct ControllerMetrics: Sendable {
    let factory: any MetricsFactory
    /// False with the no-op factory (simulations, tests): what is measured only for metrics is then not gathered.
    let isRecording: Bool

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        isRecording = !(factory is NOOPMetricsHandler)
    }

    /// A pass ended: `outcome` is `reconciled`, `standby` or `failed`.
    func passEnded(_ outcome: String, after duration: Duration) {
        Counter(label: "sluice_passes_total", dimensions: [("outcome", outcome)], factory: factory).increment()
        let (seconds, attoseconds) = duration.components
        Timer(label: "sluice_pass_duration_seconds", factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Whether this daemon holds the lease (1) or stands by (0), and how many rollouts still need passes.
    func leaseSeen(held: Bool, activeRollouts: Int?) {
        Gauge(label: "sluice_lease_held", factory: factory).record(held ? 1 : 0)
        if let activeRollouts {
            Gauge(label: "sluice_rollouts_active", factory: factory).record(activeRollouts)
        }
    }

    /// How many rollouts are in each phase (`sluice_rollouts{phase}`), every phase written so that one emptied reads 0.
    public func rolloutsByPhase(_ counts: [RolloutPhase: Int]) {
        for (phase, count) in counts {
            Gauge(label: "sluice_rollouts", dimensions: [("phase", phase.rawValue)], factory: factory).record(count)
        }
    }

    /// A driver call ended: `result` is `done`, `failed` or `refused` (fenced by break-glass).
    func actionEnded(_ action: FleetAction, result: String) {
        Counter(
            label: "sluice_actions_total", dimensions: [("kind", action.kind.rawValue), ("result", result)],
            factory: factory
        ).increment()
    }

    /// The gate evaluations of one decision, counted by gate and verdict: one counter update per pair, not per
    /// cluster, as a decision holds gates × clusters evaluations.
    func gatesEvaluated(_ evaluations: [GateEvaluation]) {
        var counts: [GateVerdictKey: Int] = [:]
        for evaluation in evaluations {
            counts[GateVerdictKey(gate: evaluation.gate, verdict: evaluation.verdict), default: 0] += 1
        }
        for (key, count) in counts {
            let dimensions = [("gate", key.gate), ("verdict", key.verdict.rawValue)]
            Counter(label: "sluice_gate_evaluations_total", dimensions: dimensions, factory: factory)
                .increment(by: count)
        }
    }

    /// The signal reads of one pass, over every rollout it reconciled: how old the newest sample is on the cluster
    /// where it is oldest (`sluice_signal_age_seconds`, controller clock), and each cluster's read counted as `fresh`
    /// (samples), `missing` (none in the window) or `error` (the source failed) in `sluice_signal_reads_total`.
    func signalsRead(_ readings: SignalReadings) {
        for (signal, age) in readings.oldestAge {
            Gauge(label: "sluice_signal_age_seconds", dimensions: [("signal", signal)], factory: factory).record(age)
        }
        for (key, count) in readings.reads {
            let dimensions = [("signal", key.signal), ("result", key.result)]
            Counter(label: "sluice_signal_reads_total", dimensions: dimensions, factory: factory).increment(by: count)
        }
    }

    private struct GateVerdictKey: Hashable {
        var gate: String
        var verdict: GateEvaluation.Verdict
    }
}

/// What the signal reads of a pass showed, by signal, gathered over every rollout the pass reconciled so that one
/// rollout's fresh read does not hide another's stale one (``ControllerMetrics/signalsRead(_:)``).
struct SignalReadings {
    struct Key: Hashable {
        var signal: String
        /// `fresh`, `missing` or `error`.
        var result: String
    }

    /// Seconds since the newest sample, on the cluster where that is longest, by signal.
    private(set) var oldestAge: [String: Double] = [:]
    /// Reads by signal and result.
    private(set) var reads: [Key: Int] = [:]

    /// Adds one cluster's reads at controller time `now`.
    mutating func add(_ cluster: ClusterSignals, now: Double) {
        for (signal, samples) in cluster.samples {
            // Samples come oldest first.
            guard let newest = samples.last?.at else {
                reads[Key(signal: signal, result: cluster.errors[signal] == nil ? "missing" : "error"), default: 0] += 1
                continue
            }
            reads[Key(signal: signal, result: "fresh"), default: 0] += 1
            oldestAge[signal] = max(oldestAge[signal] ?? 0, max(0, now - newest))
        }
        for signal in cluster.errors.keys where cluster.samples[signal] == nil {
            reads[Key(signal: signal, result: "error"), default: 0] += 1
        }
    }
}
