import Foundation
import SluiceCore
import SluiceStore
import Testing
import SluiceTestSupport

/// The event chain's head kept apart from the events (`auditHead`), the operator's anchor, and refusals in the log.
/// Tampering is done as an intruder would: with `sqlite3` on the database file.
@Suite("The audit log's head and anchors")
struct AuditHeadTests {
    /// A database file with the fixture rollout and a few events: submitted, then two requests and a refusal.
    static func populated(_ folder: ScratchFolder) throws -> SluiceStore {
        let store = try SluiceStore(path: folder.path("sluice.db"))
        try store.submit(spec: try Fixtures.spec(), planPath: "/plans/agent.yaml", actor: "alice", now: 1)
        try store.request(.pause, rollout: "agent-2.0", reason: "look first", actor: "bob", now: 2)
        try store.request(.abort, rollout: "agent-2.0", reason: "", actor: "bob", now: 3)
        try store.recordRefused("resume", rollout: "agent-2.0", actor: "carol", reason: "it is aborting", now: 4)
        return store
    }

    /// Runs `sql` on the database file with the sqlite3 shell, outside the store.
    static func sqlite(_ store: SluiceStore, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [try #require(store.path), sql]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "sqlite3: \(message)")
    }

    /// Moves the head in the database to the chain's end as it now is, as someone hiding a truncation would.
    static let rewriteHead = """
        UPDATE auditHead SET events = (SELECT count(*) FROM event), lastID = coalesce((SELECT max(id) FROM event), 0),
            lastHash = coalesce((SELECT hash FROM event ORDER BY id DESC LIMIT 1), '');
        """

    @Test("An intact log verifies with the right count, and its head is the newest event")
    func intact() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let events = try store.events(rollout: nil)
        #expect(events.count == 4)
        let check = try store.checkEventChain()
        #expect(check.verification == .intact(events: 4))
        #expect(check.end.events == 4)
        #expect(check.end.lastID == events.last?.id)
        #expect(check.end.lastHash.count == 64)

        // An anchor taken now still holds after more events, whole or shortened to 16 hex digits.
        let anchor = check.end.anchor
        try store.recordRefused("resume", rollout: "agent-2.0", actor: "bob", reason: "r", now: 5)
        #expect(try store.verifyEventChain(anchor: anchor) == .intact(events: 5))
        let short = try #require(AuditAnchor("\(anchor.events):\(anchor.hash.prefix(16))"))
        #expect(try store.verifyEventChain(anchor: short) == .intact(events: 5))
        // An anchor the log never had is not held.
        let foreign = AuditAnchor(events: 4, hash: String(repeating: "ab", count: 32))
        #expect(try store.verifyEventChain(anchor: foreign) == .anchorMismatch(events: 4, id: events[3].id))
    }

    @Test("The newest row deleted and sqlite_sequence lowered is reported by id, and later events do not hide it")
    func newestRemovedAndSequenceLowered() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let last = try #require(try store.events(rollout: nil).last?.id)
        try Self.sqlite(
            store,
            "DELETE FROM event WHERE id = \(last); UPDATE sqlite_sequence SET seq = \(last - 1) WHERE name = 'event';")
        #expect(try store.verifyEventChain() == .removed(ids: last...last, before: nil))
        #expect(try store.verifyEventChain().firstBadID == last)

        // The next event takes a new id and links to the recorded head: the gap stays and names the row.
        try store.recordRefused("resume", rollout: "agent-2.0", actor: "bob", reason: "r", now: 5)
        let next = try #require(try store.events(rollout: nil).last?.id)
        #expect(next == last + 1)
        #expect(try store.verifyEventChain() == .removed(ids: last...last, before: next))
    }

    @Test("Every event deleted is reported, with the ids")
    func everyEventRemoved() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let events = try store.events(rollout: nil)
        let first = try #require(events.first?.id)
        let last = try #require(events.last?.id)
        try Self.sqlite(store, "DELETE FROM event; DELETE FROM sqlite_sequence WHERE name = 'event';")
        #expect(try store.events(rollout: nil).isEmpty)
        #expect(try store.verifyEventChain() == .removed(ids: first...last, before: nil))
    }

    @Test("Truncation with the head rewritten to match is caught against the operator's anchor")
    func truncationWithHeadRewritten() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let anchor = try store.checkEventChain().end.anchor
        let events = try store.events(rollout: nil)
        try Self.sqlite(
            store,
            "DELETE FROM event WHERE id >= \(events[2].id); UPDATE sqlite_sequence SET seq = \(events[1].id) "
                + "WHERE name = 'event'; " + Self.rewriteHead)
        // The database alone cannot tell (the limit of a chain kept where the intruder writes)...
        #expect(try store.verifyEventChain() == .intact(events: 2))
        // ...the anchor kept elsewhere can, and says how many are missing after which event.
        #expect(try store.verifyEventChain(anchor: anchor) == .truncated(events: 2, anchored: 4, lastID: events[1].id))

        // Events written after the forgery fill the count again, but not with the anchored history.
        try store.recordRefused("resume", rollout: "agent-2.0", actor: "bob", reason: "r", now: 5)
        try store.recordRefused("pause", rollout: "agent-2.0", actor: "bob", reason: "r", now: 6)
        let now = try store.events(rollout: nil)
        #expect(now.count == 4)
        #expect(try store.verifyEventChain() == .intact(events: 4))
        #expect(try store.verifyEventChain(anchor: anchor) == .anchorMismatch(events: 4, id: now[3].id))

        // Emptied and the head reset: nothing left of what the anchor recorded.
        try Self.sqlite(
            store, "DELETE FROM event; DELETE FROM sqlite_sequence WHERE name = 'event'; " + Self.rewriteHead)
        #expect(try store.verifyEventChain() == .intact(events: 0))
        #expect(try store.verifyEventChain(anchor: anchor) == .truncated(events: 0, anchored: 4, lastID: nil))
    }

    @Test("A head row removed or edited is reported")
    func headTampered() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let end = try store.checkEventChain().end
        try Self.sqlite(store, "UPDATE auditHead SET events = events + 1")
        var recorded = end
        recorded.events += 1
        #expect(try store.verifyEventChain() == .headMismatch(head: recorded, end: end))
        try Self.sqlite(store, "DELETE FROM auditHead")
        #expect(try store.verifyEventChain() == .headMismatch(head: nil, end: end))
        // Appends go on without a head and do not recreate it: the removal stays visible.
        try store.recordRefused("resume", rollout: "agent-2.0", actor: "bob", reason: "r", now: 5)
        guard case .headMismatch(nil, let later) = try store.verifyEventChain() else {
            Issue.record("a missing head was not reported")
            return
        }
        #expect(later.events == end.events + 1)
    }

    @Test("The v3 migration starts the head from the events there are")
    func migrationStartsTheHead() throws {
        let folder = try ScratchFolder()
        let store = try Self.populated(folder)
        let end = try store.checkEventChain().end
        try Self.sqlite(store, "DROP TABLE auditHead; DELETE FROM grdb_migrations WHERE identifier = 'v3';")
        let reopened = try SluiceStore(path: folder.path("sluice.db"))
        let check = try reopened.checkEventChain()
        #expect(check.verification == .intact(events: 4))
        #expect(check.end == end)
        try reopened.recordRefused("resume", rollout: "agent-2.0", actor: "bob", reason: "r", now: 5)
        #expect(try reopened.verifyEventChain(anchor: end.anchor) == .intact(events: 5))
    }

    @Test("A refusal is one chained event: verb refused, the actor, what and why")
    func refusalEvent() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        let before = try store.checkEventChain().end
        let id = try store.recordRefused(
            "break-glass", rollout: "agent-2.0", actor: "mallory", reason: "the key file does not match", now: 9)
        let events = try store.events(rollout: "agent-2.0")
        let last = try #require(events.last)
        #expect(last.id == id)
        #expect(
            last.event.unstamped
                == RolloutEvent(
                    at: 9, actor: "mallory", verb: "refused",
                    message: "break-glass by mallory refused: the key file does not match"))
        let check = try store.checkEventChain()
        #expect(check.verification == .intact(events: before.events + 1))
        #expect(check.end.lastID == id)
        // An unknown rollout is no reason to drop the record of an attempt.
        try store.recordRefused("break-glass", rollout: "no-such", actor: "mallory", reason: "no credential", now: 10)
        #expect(try store.events(rollout: "no-such").map(\.event.verb) == ["refused"])
    }

    @Test("Anchors read as EVENTS:HASH", arguments: [
        ("12:" + String(repeating: "a", count: 64), true), ("1:0123456789abcdef", true), ("12:ABCDEF0123456789", true),
        ("0:0123456789abcdef", false), ("12:0123456789abcde", false), ("12:xyz3456789abcdef", false),
        ("0123456789abcdef", false), ("12:34:0123456789abcdef", false), ("-1:0123456789abcdef", false),
    ])
    func anchorParsing(text: String, valid: Bool) {
        #expect((AuditAnchor(text) != nil) == valid)
        if let anchor = AuditAnchor(text) { #expect(AuditAnchor(anchor.description) == anchor) }
    }
}
