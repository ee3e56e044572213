import Foundation
import SluiceTestSupport
import Testing
import SluiceCore
import SluiceStore

@Suite("The lease between real daemons", .serialized)
struct LeaseTests {
    /// A driver whose apply takes `seconds`, and more until the file `go` exists in the fake fleet, and logs each
    /// call (not each node change) to `calls.log`, so that two overlapping calls of one batch show even though
    /// applying is idempotent. The test writes `go` once it has seen what it waits for during the first call, so a
    /// loaded machine cannot let that call end first.
    static func slowDriver(seconds: Int) -> String {
        """
        apiVersion: sluice.dev/v1
        kind: ExecDriver
        metadata: {name: slow}
        spec:
          timeout: 10m
          apply:
            command: [sh, -c, 'echo "apply $1 $2" >> "$SLUICE_FAKE_FLEET/calls.log"; sleep \(seconds); until [ -e "$SLUICE_FAKE_FLEET/go" ]; do sleep 0.1; done', slow, "{cluster}", "{batch}"]
          revert:
            command: [sh, -c, 'echo "revert $1 $2" >> "$SLUICE_FAKE_FLEET/calls.log"', slow, "{cluster}", "{batch}"]
        """
    }

    @Test("A driver call longer than the lease's TTL runs once: the holder keeps its lease, the standby waits")
    func callOutlastingTTL() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        let driver = try workspace.write("slow.yaml", Self.slowDriver(seconds: 3))
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        func arguments(_ owner: String) -> [String] {
            [
                "--driver-config", driver, "--signals", files.signals, "--virtual-step", "600", "--interval", "0.05",
                "--owner", owner, "--lease-ttl", "2", "--exit-when-idle",
            ]
        }
        let store = try SluiceStore(path: workspace.database)
        let first = try workspace.startDaemon(arguments("first"))
        defer { first.kill() }
        #expect(try await eventually { try store.currentLease()?.owner == "first" })
        let second = try workspace.startDaemon(arguments("second"))
        defer { second.kill() }
        #expect(
            try await eventually { second.output.contains("standing by: lease held by first until") },
            "first: \(first.output)\nsecond: \(second.output)")
        _ = FileManager.default.createFile(atPath: workspace.fleetDirectory + "/go", contents: nil)

        #expect(await first.waitUntilExit(), "\(first.output)")
        #expect(await second.waitUntilExit(), "\(second.output)")
        #expect(first.terminationStatus == 0, "\(first.output)")
        #expect(second.terminationStatus == 0, "\(second.output)")
        #expect(try store.rollout(named: "agent-rollout")?.status.phase == .completed)
        let calls = try String(contentsOfFile: workspace.fleetDirectory + "/calls.log", encoding: .utf8)
        #expect(calls.split(separator: "\n") == ["apply alpha 1", "apply alpha 2", "apply alpha 3", "apply beta 1", "apply beta 2"])
        let journal = try store.journal(rollout: "agent-rollout")
        #expect(journal.allSatisfy { $0.state == .done && $0.attempts == 1 })
        #expect(!first.output.contains("lease lost"), "\(first.output)")
    }

    @Test("Three daemons in virtual time, holders SIGKILLed mid-call: whoever takes over keeps the clock and every bake")
    func takeoverKeepsVirtualClock() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        func arguments(_ owner: String) -> [String] {
            [
                "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60",
                "--interval", "0.05", "--owner", owner, "--lease-ttl", "1", "--exit-when-idle",
            ]
        }
        let store = try SluiceStore(path: workspace.database)
        // The first holder dies after its third driver call returns, before the journal hears of it; the standbys
        // were started at virtual time 0 and must not stamp that call's completion with their own stale clock.
        let first = try workspace.startDaemon(arguments("d1"), extraEnvironment: ["SLUICE_FAULT": "after-driver:3"])
        defer { first.kill() }
        #expect(try await eventually { try store.currentLease()?.owner == "d1" })
        let second = try workspace.startDaemon(arguments("d2"), extraEnvironment: ["SLUICE_FAULT": "after-driver:2"])
        defer { second.kill() }
        let third = try workspace.startDaemon(arguments("d3"))
        defer { third.kill() }

        for daemon in [first, second, third] { #expect(await daemon.waitUntilExit(), "\(daemon.output)") }
        #expect(first.terminationStatus == SIGKILL)
        #expect(try store.currentLease()?.fence ?? 0 >= 2)
        #expect(try store.rollout(named: "agent-rollout")?.status.phase == .completed)
        let changes = try String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)
        #expect(changes.split(separator: "\n").map(String.init) == LocalScenario.expectedChanges)
        let journal = try store.journal(rollout: "agent-rollout")
        #expect(journal.map(\.action.key) == ["apply/alpha/0", "apply/alpha/1", "apply/alpha/2", "apply/beta/0", "apply/beta/1"])
        for entry in journal {
            let completedAt = try #require(entry.completedAt)
            #expect(completedAt >= entry.intendedAt, "\(entry.action.key) completed before it was intended")
        }
        for (earlier, later) in zip(journal, journal.dropFirst()) {
            let bake: Double = earlier.action.cluster == later.action.cluster ? 300 : 600
            #expect(later.intendedAt - earlier.completedAt! >= bake, "bake cut short before \(later.action.key)")
        }
    }
}
