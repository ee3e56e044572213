import Foundation
import SluiceTestSupport
import Testing

/// What `sluiced` tells a log pipeline: `--log-format json`, `--log-level`, and `--version` on both executables.
@Suite("sluiced's log lines and version")
struct DaemonLogTests {
    /// Runs the two-cluster scenario to the end with `logArguments`; returns the daemon's output lines.
    static func run(_ logArguments: [String]) async throws -> [Substring] {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let daemon = try workspace.startDaemon([
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0",
            "--exit-when-idle", "--owner", "log-test",
        ] + logArguments)
        #expect(await daemon.waitUntilExit(), "\(daemon.output)")
        #expect(daemon.terminationStatus == 0, "\(daemon.output)")
        return daemon.output.split(separator: "\n")
    }

    @Test("--log-format json: one object per line, a start line with the configuration, one per decision, a stop line")
    func jsonLines() async throws {
        let lines = try await Self.run(["--log-format", "json"])
        let objects = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        let times = objects.compactMap { $0["time"] as? String }
        #expect(times.count == objects.count)
        #expect(times.allSatisfy { (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0)) != nil })
        #expect(times.allSatisfy { $0.hasSuffix("Z") })
        #expect(objects.allSatisfy { $0["label"] as? String == "sluiced" && $0["level"] is String })

        let start = try #require(objects.first)
        #expect(start["message"] as? String == "sluiced started")
        let configuration = try #require(start["metadata"] as? [String: String])
        #expect(configuration["owner"] == "log-test")
        #expect(configuration["clock"] == "virtual, 60.0 s a pass")
        #expect(configuration["driver"]?.hasSuffix("driver.yaml") == true)
        #expect(configuration["signals"]?.hasSuffix("signals.csv") == true)
        #expect(objects.last?["message"] as? String == "sluiced stopped")

        // Each decision is a line naming the rollout and the event's verb: five batches applied, then completed.
        let decisions = objects.compactMap { $0["metadata"] as? [String: String] }.filter { $0["rollout"] != nil }
        #expect(decisions.allSatisfy { $0["rollout"] == "agent-rollout" })
        #expect(decisions.filter { $0["verb"] == "applied" }.count == 5)
        #expect(decisions.last?["verb"] == "completed")
    }

    @Test("--log-level warning leaves out the start, stop and decision lines")
    func levelFilters() async throws {
        let lines = try await Self.run(["--log-level", "warning"])
        #expect(!lines.contains { $0.contains("sluiced started") || $0.contains("sluiced stopped") }, "\(lines)")
        #expect(!lines.contains { $0.contains(" info ") }, "\(lines)")
    }

    @Test("--version names the program, Sluice's version, the commit it was built from with its date, and the SQLite")
    func version() async throws {
        let line = /^(sluiced?) 0\.7\.0 \(commit ([0-9a-f]{12})(\+changes)? of (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ), SQLite 3\.\d+\.\d+\)$/
        for program in ["sluiced", "sluice"] {
            let result = try await ChildProcess.run(
                ProcessWorkspace.binaries.appendingPathComponent(program).path, ["--version"])
            #expect(result.status == 0)
            let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let match = try #require(text.wholeMatch(of: line), "\(text)")
            #expect(match.1 == program)
            // The commit is this checkout's HEAD or one before it (a build made before the latest commit).
            let commit = String(match.2)
            let known = try await ChildProcess.run(
                "/usr/bin/git", ["-C", LocalScenario.repositoryRoot, "merge-base", "--is-ancestor", commit, "HEAD"])
            #expect(known.status == 0, "\(commit) is not in this checkout's history: \(known.output)")
        }
    }
}

@Suite("Shell completion")
struct CompletionTests {
    @Test("sluice writes completion scripts for bash, zsh and fish that know its subcommands")
    func completionScripts() async throws {
        let sluice = ProcessWorkspace.binaries.appendingPathComponent("sluice").path
        for shell in ["bash", "zsh", "fish"] {
            let script = try await ChildProcess.run(sluice, ["--generate-completion-script", shell])
            #expect(script.status == 0, "\(shell): \(script.output)")
            for subcommand in ["submit", "watch", "break-glass", "scenarios"] {
                #expect(script.output.contains(subcommand), "\(shell) lacks \(subcommand)")
            }
        }
    }
}
