import Foundation
import SluiceTestSupport
import SluiceCore
import SluiceStore
import Testing

@Suite("The tamper-evident event log")
struct AuditChainTests {
    /// A database file with a rollout and a few events: submitted, then three requests.
    static func populated() async throws -> ProcessWorkspace {
        let workspace = try ProcessWorkspace()
        let files = try workspace.install()
        #expect(try await workspace.sluice(["submit", files.plan]).status == 0)
        for verb in ["pause", "resume", "abort"] {
            _ = try await workspace.sluice([verb, "agent-rollout", "--reason", "audit \(verb)"])
        }
        return workspace
    }

    func sqlite(_ workspace: ProcessWorkspace, _ sql: String) async throws {
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

    @Test("A wall time edited with sqlite3 breaks the row's hash: the time people read is covered too")
    func editedWallTime() async throws {
        let workspace = try await Self.populated()
        let store = try SluiceStore(path: workspace.database)
        let victim = try store.events(rollout: "agent-rollout")[2].id
        try await sqlite(workspace, "UPDATE event SET wallAt = wallAt - 3600 WHERE id = \(victim)")
        #expect(try store.verifyEventChain() == .altered(id: victim, rollout: "agent-rollout"))
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

        let other = try ProcessWorkspace()
        let files = try other.install()
        #expect(try await other.sluice(["submit", files.plan]).status == 0)
        _ = try await other.sluice(["pause", "agent-rollout", "--reason", "p"])
        let otherStore = try SluiceStore(path: other.database)
        let last = try #require(try otherStore.events(rollout: nil).last?.id)
        #expect(
            try await runProgram("/usr/bin/sqlite3", [other.database, "DELETE FROM event WHERE id = \(last)"]).status == 0)
        #expect(try otherStore.verifyEventChain() == .removed(ids: last...last, before: nil))
    }

    @Test("--verify prints the head to keep; with --anchor it catches truncation hidden by a rewritten head")
    func anchorThroughTheCLI() async throws {
        let workspace = try await Self.populated()
        let store = try SluiceStore(path: workspace.database)
        let events = try store.events(rollout: nil)
        let verified = try await workspace.sluice(["events", "agent-rollout", "--verify"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("head: \(events.count) events, last id \(events.last?.id ?? 0), last hash "))
        let command = try #require(
            verified.output.split(separator: "\n").first { $0.contains("--anchor ") }, "\(verified.output)")
        let anchor = try #require(command.split(separator: " ").last.map(String.init))
        #expect(anchor.hasPrefix("\(events.count):"))
        #expect(AuditAnchor(anchor) != nil)
        let json = try await workspace.sluice(["events", "agent-rollout", "--verify", "-o", "json"])
        #expect(json.output.contains(anchor), "\(json.output)")

        // The two newest rows removed, sqlite_sequence lowered and the head rewritten to match: the database alone
        // verifies, the anchor kept outside it does not.
        let keep = events[events.count - 3].id
        try await sqlite(
            workspace,
            """
            DELETE FROM event WHERE id > \(keep); UPDATE sqlite_sequence SET seq = \(keep) WHERE name = 'event';
            UPDATE auditHead SET events = events - 2, lastID = \(keep),
                lastHash = (SELECT hash FROM event WHERE id = \(keep));
            """)
        #expect(try await workspace.sluice(["events", "agent-rollout", "--verify"]).status == 0)
        let caught = try await workspace.sluice(["events", "agent-rollout", "--verify", "--anchor", anchor])
        #expect(caught.status == 1)
        #expect(caught.output.contains("the newest 2 events (after event \(keep)) were removed"), "\(caught.output)")

        // Every event removed, the head left as it was: reported without an anchor, with the ids.
        try await sqlite(workspace, "DELETE FROM event")
        let emptied = try await workspace.sluice(["events", "agent-rollout", "--verify"])
        #expect(emptied.status == 1)
        let which = keep == events[0].id ? "event \(keep) was" : "events \(events[0].id)-\(keep) were"
        #expect(emptied.output.contains("\(which) removed (every event)"), "\(emptied.output)")

        // A malformed anchor is a usage error (argument-parser's validation exit), not a verdict on the log.
        let bad = try await workspace.sluice(["events", "agent-rollout", "--verify", "--anchor", "12:nothex"])
        #expect(bad.status != 0 && bad.status != 1)
        #expect(bad.output.contains("is not EVENTS:HASH"), "\(bad.output)")
    }

    @Test("Rows written before the v2 migration are hashed in order when it runs")
    func migrationHashesExistingRows() async throws {
        let workspace = try await Self.populated()
        // Take the database back to v1: no hash or wall-time columns, no chain head, no break-glass tables; v2, v3
        // and v7 not applied.
        let downgrade = """
            ALTER TABLE event DROP COLUMN hash; ALTER TABLE event DROP COLUMN prevHash;
            ALTER TABLE event DROP COLUMN wallAt; ALTER TABLE gateEvaluation DROP COLUMN wallAt;
            DROP TABLE rolloutFence; DROP TABLE breakGlassRun; DROP TABLE breakGlassNode; DROP TABLE auditHead;
            DELETE FROM grdb_migrations WHERE identifier IN ('v2', 'v3', 'v7-wall-time');
            """
        let result = try await runProgram("/usr/bin/sqlite3", [workspace.database, downgrade])
        #expect(result.status == 0, "\(result.output)")
        let store = try SluiceStore(path: workspace.database)
        let count = try store.events(rollout: nil).count
        #expect(count >= 2)
        let verdict = try store.verifyEventChain()
        #expect(verdict == .intact(events: count), "\(verdict)")
    }
}
