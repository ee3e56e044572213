import Foundation
import SluiceTestSupport
import Testing

/// A private tmux server (its own socket) running `sluice watch` in a real pseudo-terminal.
struct TmuxTerminal {
    let workspace: ProcessWorkspace
    let socket = "sluice-watch-\(UUID().uuidString.prefix(8))"
    let tmux: String

    /// tmux, if installed.
    static var executable: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs a tmux client command. Through bash, which first closes every inherited descriptor above stderr:
    /// Foundation's `Process` on Linux learns that a child exited when a socket it hands the child closes, and the
    /// tmux server that `new-session` forks would otherwise keep that socket open, so the wait would never end.
    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let closeInherited = """
            for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null
            exec "$0" "$@"
            """
        return try ChildProcess.runBlocking(
            "/bin/bash", ["-c", closeInherited, tmux, "-u", "-L", socket] + arguments,
            environment: workspace.environment, directory: workspace.root)
    }

    /// Runs `sluice ARGUMENTS` in a new 160×60 window named `name`; the shell then prints `EXIT=<code>` and waits,
    /// so the window stays to be read. The shell survives Ctrl-C (a trap) while `sluice` gets it.
    func startWatch(window name: String, _ arguments: [String], newSession: Bool) throws {
        let sluice = ProcessWorkspace.binaries.appendingPathComponent("sluice").path
        let command = "trap 'true' INT; '\(sluice)' " + arguments.map { "'\($0)'" }.joined(separator: " ")
            + "; echo EXIT=$?; sleep 600"
        let result = newSession
            ? try run(["new-session", "-d", "-s", "watch", "-n", name, "-x", "160", "-y", "60", command])
            : try run(["new-window", "-d", "-t", "watch", "-n", name, command])
        #expect(result.status == 0, "\(result.output)")
    }

    /// The window's visible text, without colours.
    func capture(_ window: String) throws -> String { try run(["capture-pane", "-p", "-t", "watch:\(window)"]).output }

    /// A tmux format value of the window's pane, e.g. `#{alternate_on}`.
    func display(_ window: String, _ format: String) throws -> String {
        try run(["display-message", "-p", "-t", "watch:\(window)", format]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Ends the panes' process groups (shell, `sluice watch`, the shell's wait), then the server. `kill-server`
    /// alone is not enough: the panes' processes may ignore the SIGHUP it sends, if the test runner ignores it.
    func stop() {
        let panes = (try? run(["list-panes", "-a", "-F", "#{pane_pid}"]).output) ?? ""
        for pid in panes.split(whereSeparator: \.isNewline).compactMap({ Int32($0) }) where pid > 1 {
            Foundation.kill(-pid, SIGKILL)
        }
        _ = try? run(["kill-server"])
    }
}

@Suite("sluice watch in a real terminal (tmux) against a daemon on a simulated fleet")
struct WatchTerminalTests {
    @Test("Live screen: no-daemon banner, progress, gates, approval wait; Ctrl-C restores the terminal; exit 0 on completion")
    func liveScreen() async throws {
        guard let tmux = TmuxTerminal.executable else {
            print("⚠️⚠️⚠️ SKIPPED the terminal test of `sluice watch`: tmux is not installed (apt-get install tmux; .ci/run does).")
            return
        }
        let workspace = try ProcessWorkspace()
        let root = LocalScenario.repositoryRoot
        let submitted = try await workspace.sluice("submit", root + "/Examples/plan-demo.yaml")
        #expect(submitted.status == 0, "\(submitted.output)")
        let terminal = TmuxTerminal(workspace: workspace, tmux: tmux)
        defer { terminal.stop() }
        let rollout = "telemetry-agent-2.0"
        try terminal.startWatch(window: "first", ["watch", rollout, "--db", workspace.database], newSession: true)

        // Before any daemon: the banner says so, on the alternate screen with the cursor hidden.
        #expect(try await eventually { try terminal.capture("first").contains("sluiced is not running") })
        #expect(try terminal.display("first", "#{alternate_on} #{cursor_flag}") == "1 0")

        let daemon = try workspace.startDaemon([
            "--simulate", root + "/Examples/fleet-demo.yaml", "--virtual-step", "30", "--interval", "0.05",
        ])
        defer { daemon.kill() }
        let waiting = try await eventually {
            try terminal.capture("first").contains("waiting for approval of wave 'large'")
        }
        let screen = try terminal.capture("first")
        #expect(waiting, "\(screen)")
        #expect(screen.contains("AWAITING APPROVAL"))
        #expect(!screen.contains("sluiced is not running"))
        #expect(screen.contains("[████████████████████]  60/60"))
        #expect(screen.contains("[░░░░░░░░░░░░░░░░░░░░]  0/400"))
        #expect(screen.contains("GATE") && screen.contains("THRESHOLD") && screen.contains("pass"))
        #expect(screen.contains("LAST EVENTS"))

        // Ctrl-C: exit 130, the main screen back and the cursor shown.
        try terminal.run(["send-keys", "-t", "watch:first", "C-c"])
        #expect(try await eventually { try terminal.capture("first").contains("EXIT=130") })
        #expect(try terminal.display("first", "#{alternate_on} #{cursor_flag}") == "0 1")

        // A second watch follows the promotion to the end and exits 0, leaving the last frame on the main screen.
        try terminal.startWatch(window: "second", ["watch", rollout, "--db", workspace.database], newSession: false)
        #expect(try await eventually { try terminal.capture("second").contains("AWAITING APPROVAL") })
        #expect(try await workspace.sluice("promote", rollout, "--reason", "tmux test").status == 0)
        let done = try await eventually { try terminal.capture("second").contains("EXIT=") }
        let final = try terminal.capture("second")
        #expect(done, "\(final)")
        #expect(final.contains("EXIT=0"), "\(final)")
        #expect(final.contains("COMPLETED"))
        #expect(final.contains("[████████████████████]  400/400"))
        #expect(try terminal.display("second", "#{alternate_on} #{cursor_flag}") == "0 1")
    }
}
