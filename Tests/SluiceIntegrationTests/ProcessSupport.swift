import Foundation
import SluiceTestSupport

/// Runs the built `sluice` and `sluiced` executables as a user would, in a private temporary workspace.
struct Workspace {
    let root: URL
    var database: String { root.appendingPathComponent("sluice.db").path }
    var fleetDirectory: String { root.appendingPathComponent("fleet").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: fleetDirectory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["SLUICE_DB": database, "SLUICE_FAKE_FLEET": fleetDirectory]) { $1 }
    }

    /// Runs `sluice` to completion.
    func sluice(_ arguments: String...) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(
            Self.binaries.appendingPathComponent("sluice").path, arguments, environment: environment, directory: root)
    }

    /// Starts `sluiced`; the caller waits for it or kills it.
    func startDaemon(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> ChildProcess {
        try launch("sluiced", arguments, extraEnvironment: extraEnvironment)
    }

    func launch(_ executable: String, _ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.launch(
            Self.binaries.appendingPathComponent(executable), arguments,
            environment: environment.merging(extraEnvironment) { $1 }, directory: root, logDirectory: root)
    }

    /// The folder holding the built executables.
    static var binaries: URL { ChildProcess.builtBinaries }
}

/// Files for a two-cluster rollout on the local exec driver, gated on a healthy recording.
enum Scenario {
    static let fleet = """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata: {name: it}
        spec:
          clusters:
            - {name: alpha, nodeNames: [a0, a1, a2, a3]}
            - {name: beta, nodeNames: [b0, b1, b2]}
        """

    static let policy = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata: {name: it-policy}
        spec:
          gates:
            - {name: errors, signal: apiserver_429_ratio, aggregate: max, window: 2m, max: 0.01}
        """

    static func plan(manualSecondWave: Bool = false) -> String {
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
    static func healthyRecording(hours: Int = 48) -> String {
        var lines = ["timestamp,cluster,signal,value"]
        for t in stride(from: 0, through: hours * 3600, by: 30) {
            for cluster in ["alpha", "beta"] { lines.append("\(t),\(cluster),apiserver_429_ratio,0") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The fleet changes a correct rollout makes, in order: each node once.
    static let expectedChanges = [
        "apply alpha a0 2.0.0", "apply alpha a1 2.0.0", "apply alpha a2 2.0.0", "apply alpha a3 2.0.0",
        "apply beta b0 2.0.0", "apply beta b1 2.0.0", "apply beta b2 2.0.0",
    ]

    /// Writes the scenario into `workspace`; returns the plan and driver paths and the recording.
    static func install(in workspace: Workspace, manualSecondWave: Bool = false) throws -> (plan: String, driver: String, signals: String) {
        _ = try workspace.write("fleet.yaml", fleet)
        _ = try workspace.write("policy.yaml", policy)
        let plan = try workspace.write("plan.yaml", plan(manualSecondWave: manualSecondWave))
        let driverSource = try String(contentsOfFile: repositoryRoot + "/Examples/local/driver.yaml", encoding: .utf8)
        let driver = try workspace.write("driver.yaml", driverSource)
        let signals = try workspace.write("signals.csv", healthyRecording())
        return (plan, driver, signals)
    }

    /// The repository, found from this source file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}
