public import SluiceCore

/// What a fixed-step canary with Argo-style analysis would do with the same plan, for comparisons.
///
/// Each cluster takes 10%, 50%, then 100% of its nodes with a 5-minute pause between steps and nothing after the
/// last (Argo Rollouts has no bake after the final step), gated on apiserver latency only. A measurement with no data
/// is inconclusive: it neither fails the analysis nor stops the rollout, which is what users get by default when the
/// metric they query disappears.
public enum ArgoStyleCanary {
    public static let policy = GatePolicy(
        name: "argo-style latency analysis",
        gates: [
            Gate(name: "latency", signal: "apiserver_mutating_latency_p99_seconds", aggregation: .max, windowSeconds: 120,
                 bound: .atMost(1), onNoData: .inconclusive, action: .rollbackCluster)
        ])

    /// `plan`'s waves as fixed-step canaries on `fleet`.
    public static func spec(from plan: RolloutPlan, fleet: Fleet) throws -> RolloutSpec {
        var canary = plan
        for index in canary.waves.indices {
            canary.waves[index].nodeBatches = [.percent(10), .percent(50), .percent(100)]
            canary.waves[index].bakeBetweenBatchesSeconds = 300
            canary.waves[index].bakeAfterClusterSeconds = 0
            canary.waves[index].approval = .automatic
        }
        return try RolloutSpec.resolve(plan: canary, fleet: fleet, policy: policy).get()
    }
}
