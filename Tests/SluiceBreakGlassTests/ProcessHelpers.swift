import Foundation
import SluiceTestSupport
import SluiceBreakGlass

/// A private folder with a fake fleet (a file per node, as `Examples/local/driver.yaml` keeps it), a database and the
/// built `sluice` and `sluiced` run as processes.
struct GlassWorkspace {
    let root: URL
    var database: String { root.appendingPathComponent("sluice.db").path }
    var fleetDirectory: String { root.appendingPathComponent("fleet").path }
    static let token = "correct horse battery staple"
    static let key = "break-glass key of the on-call\n"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bg-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            atPath: root.appendingPathComponent("fleet").path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLUICE_DB"] = database
        environment["SLUICE_FAKE_FLEET"] = fleetDirectory
        environment["SLUICE_BREAK_GLASS_TOKEN"] = nil
        environment["SLUICE_BREAK_GLASS_CONFIG"] = nil
        return environment
    }

    /// Runs `sluice` to completion with `extraEnvironment` (nil values unset a variable).
    func sluice(_ arguments: [String], extraEnvironment: [String: String?] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        let process = try launch("sluice", arguments, extraEnvironment: extraEnvironment)
        await process.waitUntilExit()
        return (process.terminationStatus, process.output)
    }

    /// `sluice break-glass` with the token and the config, plus `arguments`.
    func breakGlass(_ arguments: [String], token: String? = GlassWorkspace.token) async throws -> (
        status: Int32, output: String
    ) {
        try await sluice(
            ["break-glass"] + arguments + ["--config", root.appendingPathComponent("break-glass.yaml").path],
            extraEnvironment: ["SLUICE_BREAK_GLASS_TOKEN": token])
    }

    func launch(_ executable: String, _ arguments: [String], extraEnvironment: [String: String?] = [:]) throws
        -> ChildProcess
    {
        var environment = self.environment
        for (name, value) in extraEnvironment { environment[name] = value }
        return try ChildProcess.launch(
            Self.binaries.appendingPathComponent(executable), arguments, environment: environment, directory: root,
            logDirectory: root)
    }

    /// Node files of `cluster` in the fake fleet.
    func nodesRunning(_ cluster: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fleetDirectory + "/" + cluster)) ?? []).sorted()
    }

    var changes: [String] {
        ((try? String(contentsOfFile: fleetDirectory + "/changes.log", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// The folder holding the built executables.
    static var binaries: URL { ChildProcess.builtBinaries }

    /// Files for a two-cluster rollout whose second wave waits for approval, the local exec driver, a healthy
    /// recording, and a break-glass config whose per-node command removes the node's file.
    func install() throws -> (plan: String, driver: String, signals: String) {
        try write(
            "fleet.yaml",
            """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata: {name: bg}
            spec:
              clusters:
                - {name: alpha, nodeNames: [a0, a1, a2, a3]}
                - {name: beta, nodeNames: [b0, b1, b2]}
            """)
        try write(
            "policy.yaml",
            """
            apiVersion: sluice.dev/v1
            kind: GatePolicy
            metadata: {name: bg-policy}
            spec:
              gates:
                - {name: errors, signal: apiserver_429_ratio, aggregate: max, window: 2m, max: 0.01}
            """)
        let plan = try write(
            "plan.yaml",
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
                - {name: second, clusters: [beta], nodeBatches: [1, 100%], bakeBetweenBatches: 5m, bakeAfterCluster: 10m, approval: manual}
            """)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let driver = try write(
            "driver.yaml", try String(contentsOfFile: repository + "/Examples/local/driver.yaml", encoding: .utf8))
        var lines = ["timestamp,cluster,signal,value"]
        for t in stride(from: 0, through: 6 * 3600, by: 30) {
            for cluster in ["alpha", "beta"] { lines.append("\(t),\(cluster),apiserver_429_ratio,0") }
        }
        let signals = try write("signals.csv", lines.joined(separator: "\n") + "\n")
        try writeBreakGlassConfig()
        return (plan, driver, signals)
    }

    func writeBreakGlassConfig(extra: String = "") throws {
        let tokenHash = BreakGlassAuthority.sha256Hex(Data(Self.token.utf8))
        let keyHash = BreakGlassAuthority.sha256Hex(Data(Self.key.utf8))
        try write(
            "break-glass.yaml",
            """
            apiVersion: sluice.dev/v1
            kind: BreakGlass
            metadata: {name: local}
            spec:
              credential: {tokenSHA256: \(tokenHash), keyFileSHA256: \(keyHash)}
              parallelism: 4
              attempts: 2
              timeout: 2m
              nodeCommand:
                command:
                  - sh
                  - -c
                  - 'f="${SLUICE_FAKE_FLEET:?}/$1/$2"; if [ -e "$f" ]; then rm "$f"; echo "break-glass $1 $2" >> "$SLUICE_FAKE_FLEET/changes.log"; fi'
                  - sluice-break-glass
                  - "{cluster}"
                  - "{node}"
            \(extra)
            """)
    }

    /// Submits the plan and runs a daemon until the first wave is applied and the second waits for approval, then
    /// kills it with SIGKILL.
    func rolloutToFirstWaveThenKill(files: (plan: String, driver: String, signals: String)) async throws {
        let submitted = try await sluice(["submit", files.plan])
        guard submitted.status == 0 else { throw GlassTestError("submit failed: \(submitted.output)") }
        let daemon = try launch("sluiced", daemonArguments(files))
        defer { daemon.kill() }
        let applied = try await eventually { nodesRunning("alpha").count == 4 && changes.count == 4 }
        guard applied else { throw GlassTestError("the daemon did not apply the first wave: \(daemon.output)") }
        daemon.kill()
    }

    func daemonArguments(_ files: (plan: String, driver: String, signals: String), idle: Bool = false) -> [String] {
        [
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.05",
            "--owner", "sluiced-bg",
        ] + (idle ? ["--exit-when-idle"] : [])
    }
}

struct GlassTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to completion and returns its status and output, without blocking the tests' shared pool.
@discardableResult
func runProgram(_ path: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await ChildProcess.run(path, arguments)
}
