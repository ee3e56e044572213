import Foundation

/// Files for a two-cluster rollout on the local exec driver (a file per node in the workspace's fake fleet), gated
/// on a healthy recording: `alpha` (4 nodes) in a first wave, `beta` (3 nodes) in a second.
public enum LocalScenario {
    public static let fleet = """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata: {name: local}
        spec:
          clusters:
            - {name: alpha, nodeNames: [a0, a1, a2, a3]}
            - {name: beta, nodeNames: [b0, b1, b2]}
        """

    public static let policy = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata: {name: local-policy}
        spec:
          gates:
            - {name: errors, signal: apiserver_429_ratio, aggregate: max, window: 2m, max: 0.01}
        """

    /// The plan `agent-rollout`; with `manualSecondWave`, the second wave waits for approval.
    public static func plan(manualSecondWave: Bool = false) -> String {
        """
        apiVersion: sluice.dev/v1
        kind: RolloutPlan
        metadata: {name: agent-rollout}
        spec:
          artifact: {name: agent, version: "2.0.0"}
          fleet: fleet.yaml
          policy: policy.yaml
          waves:
            - {name: first, clusters: [alpha], nodeBatches: [1, 50%, 100%], bakeBetweenBatches: 5m, bakeAfterCluster: 10m}
            - {name: second, clusters: [beta], nodeBatches: [1, 100%], bakeBetweenBatches: 5m, bakeAfterCluster: 10m\(manualSecondWave ? ", approval: manual" : "")}
        """
    }

    /// A healthy recording every 30 s for `hours` of virtual time.
    public static func healthyRecording(hours: Int = 48) -> String {
        var lines = ["timestamp,cluster,signal,value"]
        for t in stride(from: 0, through: hours * 3600, by: 30) {
            for cluster in ["alpha", "beta"] { lines.append("\(t),\(cluster),apiserver_429_ratio,0") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The fleet changes a correct rollout makes, in order: each node once.
    public static let expectedChanges = [
        "apply alpha a0 2.0.0", "apply alpha a1 2.0.0", "apply alpha a2 2.0.0", "apply alpha a3 2.0.0",
        "apply beta b0 2.0.0", "apply beta b1 2.0.0", "apply beta b2 2.0.0",
    ]

    /// The files `install` wrote.
    public typealias Files = (plan: String, driver: String, signals: String)

    /// Writes the scenario into `workspace`: fleet, policy, plan, the local driver and `hours` of recording.
    public static func install(
        in workspace: ProcessWorkspace, manualSecondWave: Bool = false, recordingHours: Int = 48
    ) throws -> Files {
        try workspace.write("fleet.yaml", fleet)
        try workspace.write("policy.yaml", policy)
        let plan = try workspace.write("plan.yaml", plan(manualSecondWave: manualSecondWave))
        let driverSource = try String(contentsOfFile: repositoryRoot + "/Examples/local/driver.yaml", encoding: .utf8)
        let driver = try workspace.write("driver.yaml", driverSource)
        let signals = try workspace.write("signals.csv", healthyRecording(hours: recordingHours))
        return (plan, driver, signals)
    }

    /// The repository, found from this source file's path.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}
