import Foundation
import SluiceTestSupport
import Testing
import SluiceCore
import SluiceStore

@Suite("A real sluiced killed and restarted", .serialized)
struct CrashRecoveryTests {
    /// Every place a pass can die, at the first, a middle and the last action of the rollout (five actions in all).
    static let faults = ["after-record", "after-driver", "after-complete"].flatMap { point in
        [1, 3, 5].map { "\(point):\($0)" }
    }

    @Test("SIGKILL at any step, then a restart: each batch applied exactly once, in order, bakes kept", arguments: faults)
    func killAndRestart(fault: String) async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let daemonArguments = [
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0",
            "--exit-when-idle", "--owner", "sluiced-test",
        ]
        let doomed = try workspace.startDaemon(daemonArguments, extraEnvironment: ["SLUICE_FAULT": fault])
        #expect(await doomed.waitUntilExit(), "\(doomed.output)")
        #expect(doomed.terminationReason == .uncaughtSignal)
        #expect(doomed.terminationStatus == SIGKILL)

        let survivor = try workspace.startDaemon(daemonArguments)
        #expect(await survivor.waitUntilExit(), "\(survivor.output)")
        #expect(survivor.terminationStatus == 0, "\(survivor.output)")

        let changes = try String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)
        #expect(changes.split(separator: "\n").map(String.init) == LocalScenario.expectedChanges)

        let store = try SluiceStore(path: workspace.database)
        #expect(try store.rollout(named: "agent-rollout")?.status.phase == .completed)
        let journal = try store.journal(rollout: "agent-rollout")
        #expect(journal.map(\.action.key) == ["apply/alpha/0", "apply/alpha/1", "apply/alpha/2", "apply/beta/0", "apply/beta/1"])
        #expect(journal.allSatisfy { $0.state == .done && $0.attempts == 1 })
        for (earlier, later) in zip(journal, journal.dropFirst()) {
            let bake: Double = earlier.action.cluster == later.action.cluster ? 300 : 600
            #expect(later.intendedAt - earlier.completedAt! >= bake, "bake cut short before \(later.action.key)")
        }
    }
}

@Suite("Two daemons on one database", .serialized)
struct TwoDaemonTests {
    @Test("The second stands by while the first holds the lease, and takes over when the first dies")
    func standbyTakesOver() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace, manualSecondWave: true)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        func arguments(_ owner: String) -> [String] {
            [
                "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.05",
                "--owner", owner, "--lease-ttl", "1", "--exit-when-idle",
            ]
        }
        let store = try SluiceStore(path: workspace.database)
        let first = try workspace.startDaemon(arguments("first"))
        defer { first.kill() }
        #expect(try await eventually { try store.rollout(named: "agent-rollout")?.status.phase == .awaitingApproval })
        let second = try workspace.startDaemon(arguments("second"))
        defer { second.kill() }
        #expect(try await eventually { second.output.contains("standing by") })
        #expect(try store.currentLease()?.owner == "first")
        #expect(try store.currentLease()?.fence == 1)

        first.kill()
        #expect(try await eventually { try store.currentLease()?.owner == "second" })
        #expect(try store.currentLease()?.fence == 2)
        #expect(try await workspace.sluice("promote", "agent-rollout", "--reason", "first wave fine").status == 0)
        #expect(await second.waitUntilExit(), "\(second.output)")
        #expect(second.terminationStatus == 0)
        #expect(try store.rollout(named: "agent-rollout")?.status.phase == .completed)
        let changes = try String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)
        #expect(changes.split(separator: "\n").map(String.init) == LocalScenario.expectedChanges)
    }
}
