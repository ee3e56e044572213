import Foundation
import SluiceManifests
import Testing
import SluiceTestSupport

/// Standard manifests for a plan folder: a fleet, a policy in `Policies/` and a plan whose waves a test supplies.
enum Manifests {
    static let fleet = """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata:
          name: demo
        spec:
          clusters:
            - name: staging-1
              labels: {tier: staging}
              nodeNames: [stg-a, stg-b, stg-c, stg-d, stg-e, stg-f, stg-g, stg-h, stg-i, stg-j]
            - name: small-big
              labels: {tier: small}
              nodes: 60
            - name: small-mid
              labels: {tier: small, region: eu}
              nodes: 40
            - name: small-tiny
              labels: {tier: small}
              nodes: 3
            - name: small-mid-2
              labels: {tier: small, region: us}
              nodes: 40
            - name: large-1
              labels: {tier: large}
              nodes: 400
              apiservers: 3

        """

    static let policy = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata:
          name: test-policy
        spec:
          maxSampleAge: 90s
          gates:
            - name: mutating-latency
              signal: apiserver_mutating_latency_p99_seconds
              aggregate: p99
              window: 2m
              max: 1.0
              action: rollbackCluster
            - name: availability
              signal: apiserver_availability
              aggregate: min
              min: 0.99
              onNoData: halt

        """

    static let canaryWave = """
            - name: canary
              clusters: [staging-1]
              nodeBatches: [1, 50%, 100%]
              bakeBetweenBatches: 5m
              bakeAfterCluster: 25m
        """

    /// A plan named `agent-2.0` on `fleet.yaml` and `test-policy` with `waves` (indented list items) under spec.waves.
    static func plan(waves: String, policy: String = "test-policy", fleet: String = "fleet.yaml") -> String {
        """
        apiVersion: sluice.dev/v1
        kind: RolloutPlan
        metadata:
          name: agent-2.0
        spec:
          artifact: {name: agent, version: "2.0.0", apiProfile: node-scoped-pod-list}
          fleet: \(fleet)
          policy: \(policy)
          waves:
        \(waves)

        """
    }

    /// Writes the fleet, the policy and `plan` into `folder`; returns the plan's path.
    @discardableResult
    static func writePlanFolder(_ folder: ScratchFolder, plan: String) throws -> String {
        try folder.write("fleet.yaml", fleet)
        try folder.write("Policies/test-policy.yaml", policy)
        return try folder.write("plan.yaml", plan)
    }
}
