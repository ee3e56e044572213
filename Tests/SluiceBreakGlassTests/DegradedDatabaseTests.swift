import Foundation
import SluiceTestSupport
import SluiceBreakGlass
import SluiceStore
import Testing
import SluiceCore

/// Holds SQLite's exclusive lock on a database from another process (the sqlite3 CLI) until released.
final class ExclusiveLock {
    let process = Process()
    let input = Pipe()
    let output = Pipe()

    init(database: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(
            Data(
                "BEGIN EXCLUSIVE;\nINSERT INTO virtualClock (id, now) VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET now = now;\nSELECT 'locked';\n"
                    .utf8))
        var seen = ""
        while !seen.contains("locked") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { throw GlassTestError("sqlite3 could not lock the database: \(seen)") }
            seen += String(decoding: data, as: UTF8.self)
        }
    }

    func release() {
        input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

@Suite("break-glass when the database is locked, missing or corrupt")
struct DegradedDatabaseTests {
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case locked
        case deleted
        case truncated

        var testDescription: String { rawValue }
    }

    @Test(
        "Every node is reverted from the fleet file, and the journal is imported once the database works",
        arguments: Damage.allCases)
    func degraded(damage: Damage) async throws {
        let workspace = try ProcessWorkspace()
        let files = try workspace.install()
        try await workspace.rolloutToFirstWaveThenKill(files: files)
        #expect(workspace.nodesRunning("alpha").count == 4)
        let backup = workspace.database + ".backup"
        #expect(
            try await runProgram("/usr/bin/sqlite3", [workspace.database, "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        try FileManager.default.copyItem(atPath: workspace.database, toPath: backup)

        var lock: ExclusiveLock?
        switch damage {
        case .locked:
            lock = try ExclusiveLock(database: workspace.database)
        case .deleted:
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: workspace.database + suffix)
            }
        case .truncated:
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: workspace.database))
            try handle.truncate(atOffset: 2048)
            try handle.close()
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: workspace.database + suffix) }
        }
        defer { lock?.release() }

        let fleetFile = workspace.root.appendingPathComponent("fleet.yaml").path
        let result = try await workspace.breakGlass([
            "agent-rollout", "--reason", "database \(damage.rawValue)", "--fleet", fleetFile, "--artifact",
            "agent:2.0.0",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(workspace.nodesRunning("alpha").isEmpty)
        #expect(workspace.changes.filter { $0.hasPrefix("break-glass alpha") }.count == 4)
        let journal = BreakGlassJournal(forDatabase: workspace.database)
        let nodeRecords = journal.records().filter { $0.type == .node }
        // Locked, the database can still be read: its journal names alpha's nodes. Otherwise the whole fleet file.
        let expected: Set<String> = damage == .locked ? ["a0", "a1", "a2", "a3"] : ["a0", "a1", "a2", "a3", "b0", "b1", "b2"]
        #expect(Set(nodeRecords.compactMap(\.node)) == expected)
        #expect(nodeRecords.allSatisfy { $0.state == "reverted" })

        // The database works again: released, restored from the backup, or created anew by the next command.
        lock?.release()
        lock = nil
        if damage == .truncated {
            try FileManager.default.removeItem(atPath: workspace.database)
            try FileManager.default.copyItem(atPath: backup, toPath: workspace.database)
        }
        // A deleted database is not created by a read command (it says so, naming the journal beside it), but by the
        // daemon or a submit, which import the journal; here the store opened below stands in for them.
        let list = try await workspace.sluice(["list"])
        #expect(list.status == (damage == .deleted ? 3 : 0), "\(list.output)")
        if damage == .deleted { #expect(list.output.contains("a break-glass journal is beside it")) }
        let store = try SluiceStore(path: workspace.database)
        let fence = try #require(try store.breakGlassFence(rollout: "agent-rollout"))
        #expect(fence.reason == "database \(damage.rawValue)")
        let results = try store.breakGlassResults(rollout: "agent-rollout")
        #expect(Set(results.map(\.node)).isSuperset(of: ["a0", "a1", "a2", "a3"]))
        #expect(results.count == Set(nodeRecords.compactMap { "\($0.cluster!)/\($0.node!)" }).count)
        #expect(results.allSatisfy { $0.state == "reverted" })
        #expect(try store.events(rollout: "agent-rollout").filter { $0.event.verb == "break-glass" }.count == 1)
        #expect(try store.verifyEventChain().isIntact)

        // A restarted daemon honours the imported fence (the rollout exists again after a restore or release).
        if damage != .deleted {
            let daemon = try workspace.launch("sluiced", workspace.daemonArguments(files, idle: true))
            defer { daemon.kill() }
            #expect(try await eventually { !daemon.process.isRunning }, "\(daemon.output)")
            #expect(workspace.nodesRunning("alpha").isEmpty)
            #expect(workspace.nodesRunning("beta").isEmpty)
            #expect(try store.rollout(named: "agent-rollout")?.status.phase == .halted)
        }
    }
}
