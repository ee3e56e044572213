import Foundation
import SluiceCore
import SluiceStore
import Testing

@Suite("The tamper-evident event log")
struct AuditChainTests {
    /// A database file with a rollout and a few events: submitted, then three requests.
    static func populated() async throws -> GlassWorkspace {
        let workspace = try GlassWorkspace()
        let files = try workspace.install()
        #expect(try await workspace.sluice(["submit", files.plan]).status == 0)
        for verb in ["pause", "resume", "abort"] {
            _ = try await workspace.sluice([verb, "agent-rollout", "--reason", "audit \(verb)"])
        }
        return workspace
    }

    func sqlite(_ workspace: GlassWorkspace, _ sql: String) async throws {
        let result = try await runProgram("/usr/bin/sqlite3", [workspace.database, sql])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("An intact log verifies; a row edited with sqlite3 is named by id")
    func editedRow() async throws {
        let workspace = try await Self.populated()
        let store = try SluiceStore(path: workspace.database)
        let events = try store.events(rollout: "agent-rollout")
        #expect(events.count >= 3)
        #expect(try store.verifyEventChain() == .intact(events: events.count))
        let intact = try await workspace.sluice(["events", "agent-rollout", "--verify"])
        #expect(intact.status == 0, "\(intact.output)")

        let victim = events[1].id
        try await sqlite(workspace, "UPDATE event SET message = 'nothing happened' WHERE id = \(victim)")
        #expect(try store.verifyEventChain() == .altered(id: victim, rollout: "agent-rollout"))
        let caught = try await workspace.sluice(["events", "agent-rollout", "--verify", "-o", "json"])
        #expect(caught.status == 1)
        let json = try #require(
            caught.output.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("sluice:") }.joined(separator: "\n").data(using: .utf8))
        struct Verdict: Decodable {
            var intact: Bool
            var firstBadID: Int64?
        }
        let verdict = try JSONDecoder().decode(Verdict.self, from: json)
        #expect(verdict.intact == false)
        #expect(verdict.firstBadID == victim)
    }

    @Test("A row deleted with sqlite3, in the middle or at the end, is named by id")
    func deletedRows() async throws {
        let workspace = try await Self.populated()
        let store = try SluiceStore(path: workspace.database)
        let events = try store.events(rollout: nil)
        let middle = events[1].id
        try await sqlite(workspace, "DELETE FROM event WHERE id = \(middle)")
        #expect(try store.verifyEventChain().firstBadID == middle)
        #expect(try store.verifyEventChain() == .removed(ids: middle...middle, before: events[2].id))
        let caught = try await workspace.sluice(["events", "agent-rollout", "--verify"])
        #expect(caught.status == 1)
        #expect(caught.output.contains("event \(middle) was removed"))

        let other = try GlassWorkspace()
        let files = try other.install()
        #expect(try await other.sluice(["submit", files.plan]).status == 0)
        _ = try await other.sluice(["pause", "agent-rollout", "--reason", "p"])
        let otherStore = try SluiceStore(path: other.database)
        let last = try #require(try otherStore.events(rollout: nil).last?.id)
        #expect(
            try await runProgram("/usr/bin/sqlite3", [other.database, "DELETE FROM event WHERE id = \(last)"]).status == 0)
        #expect(try otherStore.verifyEventChain() == .removed(ids: last...last, before: nil))
    }

    @Test("Rows written before the v2 migration are hashed in order when it runs")
    func migrationHashesExistingRows() async throws {
        let workspace = try await Self.populated()
        // Take the database back to v1: no hash columns, no break-glass tables, v2 not applied.
        let downgrade = """
            ALTER TABLE event DROP COLUMN hash; ALTER TABLE event DROP COLUMN prevHash;
            DROP TABLE rolloutFence; DROP TABLE breakGlassRun; DROP TABLE breakGlassNode;
            DELETE FROM grdb_migrations WHERE identifier = 'v2';
            """
        let result = try await runProgram("/usr/bin/sqlite3", [workspace.database, downgrade])
        #expect(result.status == 0, "\(result.output)")
        let store = try SluiceStore(path: workspace.database)
        let count = try store.events(rollout: nil).count
        #expect(count >= 2)
        #expect(try store.verifyEventChain() == .intact(events: count))
    }
}
