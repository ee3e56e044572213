import Foundation
import SluiceCore
@testable import SluiceDrivers
import SluiceManifests
import SluiceTestSupport
import Testing

/// Runs real commands through `/bin/sh -c` scripts that record their arguments into a scratch folder.
@Suite struct ExecDriverTests {
    /// A script that appends one line per call to `$SLUICE_TEST_LOG`: its first word, then each argument in `<>`.
    static func recorder(_ word: String) -> [String] {
        let script = #"{ printf '%s' "$0"; for a in "$@"; do printf '<%s>' "$a"; done; echo; } >> "$SLUICE_TEST_LOG""#
        return ["/bin/sh", "-c", script, word]
    }

    static let artifact = ArtifactRef(name: "agent", version: "2.0.0")
    static let named = FleetCluster(name: "east", nodeCount: 5, nodeNames: ["a", "b", "c", "d", "e"])

    /// A driver whose commands log into `folder`'s `calls.log`.
    ///
    /// The default timeout is a safety net, never the subject: on a 2-core machine running the whole suite a trivial
    /// command can take tens of seconds to be seen finished, and a short budget would fail it as timed out. Tests of
    /// the timeout give a short one to a command that never ends by itself.
    func driver(
        _ folder: ScratchFolder, apply: [String], revert: [String] = recorder("revert"), maxNodesPerCall: Int = 200,
        timeoutSeconds: Double = 600
    ) -> ExecDriver {
        ExecDriver(
            config: ExecDriverConfig(
                apply: apply, revert: revert, timeoutSeconds: timeoutSeconds, maxNodesPerCall: maxNodesPerCall),
            environment: ["SLUICE_TEST_LOG": folder.path("calls.log")])
    }

    func action(_ kind: FleetAction.Kind = .apply, batch: Int = 0, nodes: Range<Int>) -> FleetAction {
        FleetAction(rollout: "agent-2.0", kind: kind, cluster: "east", batch: batch, nodes: nodes)
    }

    @Test func nodesAloneGiveOneArgumentPerNodeAndInsideAWordACommaList() async throws {
        let folder = try ScratchFolder()
        let apply = Self.recorder("apply") + [
            "{cluster}", "{nodes}", "--nodes={nodes}", "{artifact}@{version}", "{rollout}/{batch}",
        ]
        _ = try await driver(folder, apply: apply).execute(
            action(batch: 1, nodes: 1..<4), on: Self.named, artifact: Self.artifact)
        #expect(folder.lines("calls.log") == ["apply<east><b><c><d><--nodes=b,c,d><agent@2.0.0><agent-2.0/2>"])
    }

    @Test func nodesWithoutNamesAreNamedAfterTheCluster() async throws {
        let folder = try ScratchFolder()
        let cluster = FleetCluster(name: "west", nodeCount: 10)
        _ = try await driver(folder, apply: Self.recorder("apply") + ["{nodes}"]).execute(
            action(nodes: 2..<4), on: cluster, artifact: Self.artifact)
        #expect(folder.lines("calls.log") == ["apply<west-node-2><west-node-3>"])
    }

    @Test func valuesStayOneArgumentWithoutAShell() async throws {
        let folder = try ScratchFolder()
        let artifact = ArtifactRef(name: "agent", version: "2.0 beta; echo injected")
        _ = try await driver(folder, apply: Self.recorder("apply") + ["{version}", "$HOME"]).execute(
            action(nodes: 0..<1), on: Self.named, artifact: artifact)
        #expect(folder.lines("calls.log") == ["apply<2.0 beta; echo injected><$HOME>"])
    }

    @Test func largeBatchesAreSplitIntoCallsOfAtMostMaxNodes() async throws {
        let folder = try ScratchFolder()
        let apply = Self.recorder("apply") + ["{nodes}", "--list={nodes}"]
        _ = try await driver(folder, apply: apply, maxNodesPerCall: 2).execute(
            action(nodes: 0..<5), on: Self.named, artifact: Self.artifact)
        #expect(folder.lines("calls.log") == [
            "apply<a><b><--list=a,b>",
            "apply<c><d><--list=c,d>",
            "apply<e><--list=e>",
        ])
    }

    @Test func aBatchOfExactlyMaxNodesIsOneCall() async throws {
        let folder = try ScratchFolder()
        _ = try await driver(folder, apply: Self.recorder("apply") + ["{nodes}"], maxNodesPerCall: 5).execute(
            action(nodes: 0..<5), on: Self.named, artifact: Self.artifact)
        #expect(folder.lines("calls.log") == ["apply<a><b><c><d><e>"])
    }

    @Test func revertRunsTheRevertTemplate() async throws {
        let folder = try ScratchFolder()
        let driver = driver(
            folder, apply: Self.recorder("apply") + ["{nodes}"], revert: Self.recorder("revert") + ["{nodes}"])
        _ = try await driver.execute(action(.revert, batch: 0, nodes: 0..<2), on: Self.named, artifact: Self.artifact)
        #expect(folder.lines("calls.log") == ["revert<a><b>"])
    }

    @Test func theOutputOfEveryCallIsReturned() async throws {
        let folder = try ScratchFolder()
        let apply = ["/bin/sh", "-c", #"echo "out $*"; echo "err $*" >&2"#, "sh", "{nodes}"]
        let output = try await driver(folder, apply: apply, maxNodesPerCall: 1).execute(
            action(nodes: 0..<2), on: Self.named, artifact: Self.artifact)
        #expect(output == "out a\nerr a\n\nout b\nerr b")
    }

    @Test func aNonZeroExitFailsTheActionWithItsStatusAndOutput() async throws {
        let folder = try ScratchFolder()
        let apply = ["/bin/sh", "-c", "echo 'no such node' >&2; exit 3", "sh", "{nodes}"]
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await driver(folder, apply: apply).execute(
                action(nodes: 0..<2), on: Self.named, artifact: Self.artifact)
        }
        guard case .commandFailed(let command, let status, let output, let timedOut) = try #require(error) else {
            Issue.record("expected commandFailed, got \(String(describing: error))")
            return
        }
        #expect(status == 3)
        #expect(output == "no such node\n")
        #expect(timedOut == false)
        #expect(command.hasPrefix("/bin/sh -c echo 'no such node'"))
        #expect(error?.description.contains("exited with status 3: no such node") == true)
    }

    @Test func aFailedCallStopsTheRemainingChunks() async throws {
        let folder = try ScratchFolder()
        let apply = [
            "/bin/sh", "-c", #"echo "$*" >> "$SLUICE_TEST_LOG"; [ "$1" != c ]"#, "sh", "{nodes}",
        ]
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await driver(folder, apply: apply, maxNodesPerCall: 2).execute(
                action(nodes: 0..<5), on: Self.named, artifact: Self.artifact)
        }
        guard case .commandFailed(_, let status, _, false) = try #require(error) else {
            Issue.record("expected commandFailed without timeout, got \(String(describing: error))")
            return
        }
        #expect(status == 1)
        #expect(folder.lines("calls.log") == ["a b", "c d"])
    }

    /// Processes whose command line is exactly `arguments`: how a test sees whether a command it started still runs.
    static func running(_ arguments: [String]) -> Bool {
        let wanted = arguments.joined(separator: "\0") + "\0"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard entry.allSatisfy(\.isNumber), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: data, as: UTF8.self) == wanted
        }
    }

    /// A sleep no other test runs, so that finding it in `/proc` means this test's command survived.
    static func uniqueSleep() -> [String] { ["sleep", "600.\(Int.random(in: 100_000...999_999))"] }

    @Test func aCommandPastItsTimeoutIsKilledAndReportedAsTimedOut() async throws {
        let folder = try ScratchFolder()
        let sleep = Self.uniqueSleep()
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await driver(folder, apply: sleep, timeoutSeconds: 0.5).execute(
                action(nodes: 0..<1), on: Self.named, artifact: Self.artifact)
        }
        guard case .commandFailed(let command, let status, _, let timedOut) = try #require(error) else {
            Issue.record("expected commandFailed, got \(String(describing: error))")
            return
        }
        #expect(timedOut)
        #expect(status != 0)
        #expect(command == sleep.joined(separator: " "))
        #expect(error?.description.contains("timed out and was killed") == true)
        // Killed, not waited for: the ten-minute sleep is gone although the call already returned.
        #expect(try await eventually { !Self.running(sleep) })
    }

    @Test func aProgramThatCannotStartIsReported() async throws {
        let folder = try ScratchFolder()
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await driver(folder, apply: [folder.path("missing-program"), "{nodes}"]).execute(
                action(nodes: 0..<1), on: Self.named, artifact: Self.artifact)
        }
        guard case .cannotStart(let command, _) = try #require(error) else {
            Issue.record("expected cannotStart, got \(String(describing: error))")
            return
        }
        #expect(command == "\(folder.path("missing-program")) a")
    }

    @Test func aProgramMissingFromThePathCannotStart() async throws {
        let folder = try ScratchFolder()
        let program = "sluice-test-no-such-program-\(UUID().uuidString.prefix(8))"
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await driver(folder, apply: [program]).execute(
                action(nodes: 0..<1), on: Self.named, artifact: Self.artifact)
        }
        guard case .cannotStart(let command, _) = try #require(error) else {
            Issue.record("expected cannotStart, got \(String(describing: error))")
            return
        }
        #expect(command == program)
    }

    @Test func aTimeoutKillsTheChildrenAShellStartedToo() async throws {
        let sleep = Self.uniqueSleep()
        var config = ExecDriverConfig(apply: ["/bin/sh", "-c", sleep.joined(separator: " ") + "; true"], revert: ["true"])
        config.timeoutSeconds = 0.5
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await ExecDriver(config: config).execute(action(nodes: 0..<1), on: Self.named, artifact: Self.artifact)
        }
        guard case .commandFailed(_, _, _, let timedOut) = try #require(error) else {
            Issue.record("expected commandFailed, got \(String(describing: error))")
            return
        }
        #expect(timedOut)
        // The shell's child is killed with it, not left running past the timeout.
        #expect(try await eventually { !Self.running(sleep) })
    }

    @Test func shellVariablesAreNotPlaceholders() {
        let expanded = ExecDriver.expand(
            ["sh", "-c", "v=x; echo ${version} {version}"], values: ["version": "2.0.0"], nodes: ["a"])
        #expect(expanded == ["sh", "-c", "v=x; echo ${version} 2.0.0"])
    }
}
