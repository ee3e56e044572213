import Foundation
import SluiceTestSupport
import SluiceBreakGlass

/// Break-glass in a process workspace: the operator's credentials, the config, and a rollout a daemon left half done.
extension ProcessWorkspace {
    static let token = "correct horse battery staple"
    static let key = "break-glass key of the on-call\n"

    /// `sluice break-glass` with the token and the config, plus `arguments`.
    func breakGlass(_ arguments: [String], token: String? = ProcessWorkspace.token) async throws -> (
        status: Int32, output: String
    ) {
        try await sluice(
            ["break-glass"] + arguments + ["--config", root.appendingPathComponent("break-glass.yaml").path],
            extraEnvironment: ["SLUICE_BREAK_GLASS_TOKEN": token])
    }

    /// The local scenario with a second wave that waits for approval, six hours of recording, and a break-glass
    /// config whose per-node command removes the node's file.
    func install() throws -> LocalScenario.Files {
        let files = try LocalScenario.install(in: self, manualSecondWave: true, recordingHours: 6)
        try writeBreakGlassConfig()
        return files
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
