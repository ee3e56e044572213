import SluiceCore
import Synchronization

/// Thins the gate evaluations a daemon stores: a gate's verdict on a cluster is stored when it changes, and
/// otherwise at most once per interval, so a daemon passing every few seconds does not grow the table without bound.
///
/// Decisions never depend on what is stored; only `explain`, `watch` and `report` read it.
final class EvaluationSampler: Sendable {
    let intervalSeconds: Double
    /// The last stored verdict per rollout, then per gate and cluster.
    private let last = Mutex<[String: [GateOnCluster: (verdict: GateEvaluation.Verdict, at: Double)]]>([:])

    init(intervalSeconds: Double) {
        self.intervalSeconds = intervalSeconds
    }

    /// Forgets every rollout but `rollouts` (those still reconciled), so the sampler holds no history.
    func keepOnly(_ rollouts: [String]) {
        let kept = Set(rollouts)
        last.withLock { last in
            for rollout in last.keys where !kept.contains(rollout) { last[rollout] = nil }
        }
    }

    /// The evaluations of `rollout` worth storing now.
    func sample(_ evaluations: [GateEvaluation], rollout: String) -> [GateEvaluation] {
        last.withLock { last in
            evaluations.filter { evaluation in
                let key = evaluation.subject
                if let previous = last[rollout]?[key], previous.verdict == evaluation.verdict,
                    evaluation.at - previous.at < intervalSeconds
                {
                    return false
                }
                last[rollout, default: [:]][key] = (evaluation.verdict, evaluation.at)
                return true
            }
        }
    }
}
