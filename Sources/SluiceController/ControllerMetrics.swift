public import CoreMetrics
import SluiceCore

/// What the controller counts, through swift-metrics: the daemon serves them in Prometheus's format; with the default
/// factory they go nowhere.
///
/// Labels stay few and bounded (an action's kind, a gate's name and verdict): no rollout, cluster or node names, so
/// a long history never grows the number of series.
public struct ControllerMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
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

    private struct GateVerdictKey: Hashable {
        var gate: String
        var verdict: GateEvaluation.Verdict
    }
}
