import Foundation
import SluiceCore
import SluiceManifests
import Testing

@testable import SluiceDrivers
import SluiceTestSupport

/// The exec driver's verify step: run after a batch's apply until it exits 0, its waits on a clock that only pretends.
@Suite struct VerifyStepTests {
    let clock = InstantClock()
    let base = ExecDriverTests()

    /// A verify command that logs its nodes to `tries.log`, prints them with their try count (`a b try 2`), and
    /// exits 0 from the `succeedingOnTry`-th try of the same nodes on.
    static func verify(_ folder: ScratchFolder, succeedingOnTry: Int) -> [String] {
        let script =
            #"log=$1; shift; echo "$*" >> "$log"; n=$(grep -cx "$*" "$log"); echo "$* try $n"; "#
            + #"[ "$n" -ge \#(succeedingOnTry) ]"#
        return ["/bin/sh", "-c", script, "verify", folder.path("tries.log"), "{nodes}"]
    }

    /// The recording driver of ``ExecDriverTests`` with a verify step, waiting on this test's clock.
    func driver(
        _ folder: ScratchFolder, apply: [String] = ExecDriverTests.recorder("apply") + ["{nodes}"], verify: [String],
        timeoutSeconds: Double = 300, intervalSeconds: Double = 10, maxNodesPerCall: Int = 200
    ) -> ExecDriver {
        var driver = base.driver(folder, apply: apply, maxNodesPerCall: maxNodesPerCall)
        driver.config.verify = ExecDriverConfig.Verify(
            command: verify, timeoutSeconds: timeoutSeconds, intervalSeconds: intervalSeconds)
        driver.clock = clock
        return driver
    }

    func execute(
        _ driver: ExecDriver, _ kind: FleetAction.Kind = .apply, nodes: Range<Int> = 0..<2
    ) async throws -> String {
        let action = base.action(kind, nodes: nodes)
        return try await driver.execute(action, on: ExecDriverTests.named, artifact: ExecDriverTests.artifact)
    }

    /// The `notVerified` error `body` throws; records an issue when it throws anything else.
    func notVerified(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async -> (command: String, timeoutSeconds: Double, status: Int32, output: String, description: String)? {
        let error = await #expect(throws: ExecDriverError.self, sourceLocation: sourceLocation) { try await body() }
        guard let error, case .notVerified(let command, let timeoutSeconds, let status, let output, false) = error
        else {
            Issue.record("expected notVerified, got \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        return (command, timeoutSeconds, status, output, error.description)
    }

    @Test func verifyRunsAfterEveryChunkIsAppliedWithTheChunksNodesAndValues() async throws {
        let folder = try ScratchFolder()
        let verify = ExecDriverTests.recorder("verify") + ["{cluster}", "{nodes}", "{artifact}@{version}", "{batch}"]
        let output = try await execute(driver(folder, verify: verify, maxNodesPerCall: 2), nodes: 0..<3)
        let calls = [
            "apply<a><b>", "apply<c>", "verify<east><a><b><agent@2.0.0><1>", "verify<east><c><agent@2.0.0><1>",
        ]
        #expect(folder.lines("calls.log") == calls)
        #expect(output.isEmpty)
        #expect(clock.now.offset == .zero)
    }

    @Test func aVerifyThatFailsTwiceSucceedsOnTheThirdTryTwoIntervalsLater() async throws {
        let folder = try ScratchFolder()
        let output = try await execute(driver(folder, verify: Self.verify(folder, succeedingOnTry: 3)))
        #expect(folder.lines("tries.log") == ["a b", "a b", "a b"])
        #expect(clock.now.offset == .seconds(20))
        // Only the successful try's output is kept, after the apply's (which prints nothing).
        #expect(output == "a b try 3")
    }

    @Test(arguments: [(timeout: 60.0, interval: 10.0, tries: 7), (timeout: 25.0, interval: 10.0, tries: 3)])
    func aVerifyThatNeverSucceedsFailsWithItsLastTryAfterTheTimeout(
        timeout: Double, interval: Double, tries: Int
    ) async throws {
        let folder = try ScratchFolder()
        let driver = driver(
            folder, verify: Self.verify(folder, succeedingOnTry: 1000), timeoutSeconds: timeout,
            intervalSeconds: interval)
        let failure = try #require(await notVerified { _ = try await execute(driver) })
        #expect(folder.lines("tries.log") == Array(repeating: "a b", count: tries))
        #expect(clock.now.offset == .seconds(interval * Double(tries - 1)))
        #expect(failure.timeoutSeconds == timeout)
        #expect(failure.status == 1)
        #expect(failure.output == "a b try \(tries)\n")
        #expect(failure.command.hasPrefix("/bin/sh -c log=$1;"))
        let within = DurationText.format(timeout)
        let reason = "did not succeed within \(within) (last: exited with status 1: a b try \(tries)"
        #expect(failure.description.contains(reason))
    }

    @Test func theTimeoutIsOneBudgetForTheWholeBatchAndAVerifiedChunkIsNotTriedAgain() async throws {
        let folder = try ScratchFolder()
        let driver = driver(
            folder, verify: Self.verify(folder, succeedingOnTry: 3), timeoutSeconds: 30, maxNodesPerCall: 1)
        let failure = try #require(await notVerified { _ = try await execute(driver) })
        // a succeeds at 20 s; b fails at 20 s and 30 s, and a third try would start past the 30 s.
        #expect(folder.lines("tries.log") == ["a", "a", "a", "b", "b"])
        #expect(clock.now.offset == .seconds(30))
        #expect(failure.command.hasSuffix(" b"))
        #expect(failure.output == "b try 2\n")
    }

    @Test func aRevertIsNeverVerified() async throws {
        let folder = try ScratchFolder()
        _ = try await execute(driver(folder, verify: Self.verify(folder, succeedingOnTry: 1)), .revert)
        #expect(folder.lines("calls.log") == ["revert"])
        #expect(folder.lines("tries.log").isEmpty)
    }

    @Test func aFailedApplyIsNotVerified() async throws {
        let folder = try ScratchFolder()
        let apply = ["/bin/sh", "-c", "exit 4"]
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await execute(driver(folder, apply: apply, verify: Self.verify(folder, succeedingOnTry: 1)))
        }
        guard case .commandFailed(_, 4, _, false) = try #require(error) else {
            Issue.record("expected the apply's commandFailed, got \(String(describing: error))")
            return
        }
        #expect(folder.lines("tries.log").isEmpty)
    }

    @Test func aVerifyCommandThatCannotStartFailsAtOnce() async throws {
        let folder = try ScratchFolder()
        let error = await #expect(throws: ExecDriverError.self) {
            _ = try await execute(driver(folder, verify: [folder.path("missing-program"), "{nodes}"]))
        }
        guard case .cannotStart(let command, _) = try #require(error) else {
            Issue.record("expected cannotStart, got \(String(describing: error))")
            return
        }
        #expect(command == "\(folder.path("missing-program")) a b")
        #expect(folder.lines("calls.log") == ["apply<a><b>"])
        #expect(clock.now.offset == .zero)
    }

    @Test func withoutAVerifyStepAnApplyIsOnlyItsCommand() async throws {
        let folder = try ScratchFolder()
        var driver = driver(folder, verify: Self.verify(folder, succeedingOnTry: 1000))
        driver.config.verify = nil
        let output = try await execute(driver)
        #expect(output.isEmpty)
        #expect(folder.lines("calls.log") == ["apply<a><b>"])
        #expect(folder.lines("tries.log").isEmpty)
        #expect(clock.now.offset == .zero)
    }
}
