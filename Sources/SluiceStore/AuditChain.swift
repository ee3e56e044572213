internal import Crypto
import Foundation
internal import GRDB
import SluiceCore

/// The event log as a hash chain: each row's `hash` is SHA-256 over its content and the previous row's hash.
///
/// The chain runs over all events in id order. Its head (how many events, the newest id and hash) is kept apart in
/// the one-row table `auditHead`, written in the same transaction as every append, and a new row takes its id and
/// `prevHash` from that head, not from whatever the table holds last. So editing a row breaks its own hash; removing
/// one breaks the next row's `prevHash` and leaves a gap in ids that names it; removing the newest rows (even with
/// `sqlite_sequence` lowered, even all of them) leaves the head pointing past the chain's end. Someone who rewrites
/// every later hash and the head by hand is caught only against a head recorded outside the database
/// (``AuditAnchor``): the chain is evidence of careless or partial tampering, not a signature.
enum AuditChain {
    /// The hash of a row: SHA-256 hex over its id, rollout, time, actor, verb, message, wall time (rows since v7)
    /// and `prevHash`, each length-prefixed. A row without a wall time hashes as before v7.
    static func hash(
        id: Int64, rollout: String, at: Double, actor: String, verb: String, message: String, wallAt: Double?,
        prevHash: String
    ) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(180 + message.utf8.count)
        // Field by field into one buffer: `--verify` hashes every row of the log.
        func field(_ text: String) {
            bytes.append(contentsOf: String(text.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: ";"))
        }
        field(String(id))
        field(rollout)
        field(String(at.bitPattern, radix: 16))
        field(actor)
        field(verb)
        field(message)
        if let wallAt { field(String(wallAt.bitPattern, radix: 16)) }
        field(prevHash)
        return SHA256.hash(data: bytes).hexDigits
    }

    /// Appends `event`, chains it to the head and moves the head to it; returns the new row's id. Call inside a write
    /// transaction. The only place events are written.
    ///
    /// The id is one past both the head's and the table's newest, so ids removed from the end are never reused; the
    /// row links to the head's hash, so a truncated log stays visibly broken after later appends. Without a head row
    /// (removed by hand) the row chains to the table's newest and the head stays missing, for verification to report.
    @discardableResult
    static func append(_ event: RolloutEvent, rollout: String, db: Database) throws -> Int64 {
        let head = try AuditHead.fetch(db)
        let newest = try Row.fetchOne(db, sql: "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1")
        let newestID: Int64 = newest?["id"] ?? 0
        let newestHash: String = newest?["hash"] ?? ""
        let prevHash = head?.lastHash ?? newestHash
        let id = max(head?.lastID ?? 0, newestID) + 1
        let wallAt = event.wallAt ?? ControllerTime.recordedWallTime(at: event.at, now: Date().timeIntervalSince1970)
        try db.execute(
            sql: """
                INSERT INTO event (id, rollout, at, actor, verb, message, wallAt, prevHash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, rollout, event.at, event.actor, event.verb, event.message, wallAt, prevHash])
        let hash = hash(
            id: id, rollout: rollout, at: event.at, actor: event.actor, verb: event.verb, message: event.message,
            wallAt: wallAt, prevHash: prevHash)
        try db.execute(sql: "UPDATE event SET hash = ? WHERE id = ?", arguments: [hash, id])
        if head != nil {
            try db.execute(
                sql: "UPDATE auditHead SET events = events + 1, lastID = ?, lastHash = ? WHERE id = 1",
                arguments: [id, hash])
        }
        return id
    }

    /// Hashes every row in id order (the v2 migration, for rows written before the chain existed).
    static func rehashAll(_ db: Database) throws {
        var prevHash = ""
        for row in try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id") {
            let id: Int64 = row["id"]
            let hash = hash(
                id: id, rollout: row["rollout"], at: row["at"], actor: row["actor"], verb: row["verb"],
                message: row["message"], wallAt: nil, prevHash: prevHash)
            try db.execute(
                sql: "UPDATE event SET hash = ?, prevHash = ? WHERE id = ?", arguments: [hash, prevHash, id])
            prevHash = hash
        }
    }
}

/// The end of the event log's chain: how many events, the newest one's id and hash (0 and "" for an empty log).
///
/// The database keeps the head in `auditHead`, moved by every append; `sluice events --verify` prints it so the
/// operator can keep it elsewhere and check the log against it later (``AuditAnchor``).
public struct AuditHead: Sendable, Equatable, CustomStringConvertible {
    public var events: Int
    public var lastID: Int64
    public var lastHash: String

    public init(events: Int, lastID: Int64, lastHash: String) {
        self.events = events
        self.lastID = lastID
        self.lastHash = lastHash
    }

    /// The head as an anchor to record: `EVENTS:HASH`.
    public var anchor: AuditAnchor { AuditAnchor(events: events, hash: lastHash) }

    public var description: String {
        let hash = lastHash.isEmpty ? "(none)" : String(lastHash.prefix(12)) + "…"
        return "\(events) events, last id \(lastID), last hash \(hash)"
    }

    /// The head row, or nil when the table or its row is missing.
    static func fetch(_ db: Database) throws -> AuditHead? {
        guard try db.tableExists("auditHead"),
            let row = try Row.fetchOne(db, sql: "SELECT events, lastID, lastHash FROM auditHead WHERE id = 1")
        else { return nil }
        return AuditHead(events: row["events"], lastID: row["lastID"], lastHash: row["lastHash"])
    }
}

/// A head recorded earlier, outside the database: the log had `events` events and the last one's hash began with
/// `hash`. A log that still holds that history has, at position `events`, a row with that hash.
///
/// Written and read as `EVENTS:HASH`; the hash may be shortened to its first 16 hex digits or more.
public struct AuditAnchor: Sendable, Equatable, CustomStringConvertible {
    public var events: Int
    public var hash: String

    public init(events: Int, hash: String) {
        self.events = events
        self.hash = hash
    }

    /// Parses `EVENTS:HASH`, or nil when it is not that (events at least 1, 16 to 64 hex digits).
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let events = Int(parts[0]), events >= 1 else { return nil }
        let hash = parts[1].lowercased()
        guard (16...64).contains(hash.count), hash.allSatisfy(\.isHexDigit) else { return nil }
        self.init(events: events, hash: hash)
    }

    public var description: String { "\(events):\(hash)" }
}

/// The outcome of checking the event log's hash chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every row matches its hash and links to the one before, and the chain ends at the head; `events` rows checked.
    case intact(events: Int)
    /// The row `id` (of `rollout`) was changed after it was written.
    case altered(id: Int64, rollout: String)
    /// The rows `ids` were removed (the first row after the gap is `before`, nil when the newest rows were removed;
    /// `1...n` with nil: every event was removed).
    case removed(ids: ClosedRange<Int64>, before: Int64?)
    /// The head kept in the database does not match the chain: its row was removed or edited, or rows were written
    /// around the store. `head` is the recorded head (nil: missing), `end` the chain's real end.
    case headMismatch(head: AuditHead?, end: AuditHead)
    /// The log has `events` events where the anchor recorded `anchored`: the newest were removed and the head in the
    /// database rewritten to hide it. `lastID` is the newest event left (nil: none).
    case truncated(events: Int, anchored: Int, lastID: Int64?)
    /// The event at position `events` of the chain (id `id`) is not the one the anchor recorded: the history before
    /// the anchor was rewritten (rows removed or changed and every later hash recomputed).
    case anchorMismatch(events: Int, id: Int64)

    public var isIntact: Bool { if case .intact = self { true } else { false } }

    /// The first row that was altered or removed, by id, when it is known.
    public var firstBadID: Int64? {
        switch self {
        case .intact: nil
        case .altered(let id, _): id
        case .removed(let ids, _): ids.lowerBound
        case .headMismatch(let head, let end):
            // Rows past the recorded head were written around the store; otherwise the head itself is what is wrong.
            head.flatMap { $0.lastID < end.lastID ? $0.lastID + 1 : nil }
        case .truncated(_, _, let lastID): (lastID ?? 0) + 1
        case .anchorMismatch(_, let id): id
        }
    }
}

/// What checking the event log found, with the chain's end as it was read (the head to record when intact).
public struct AuditCheck: Sendable, Equatable {
    public var verification: AuditVerification
    /// The chain's real end: the rows walked and the newest of them.
    public var end: AuditHead
}

extension SluiceStore {
    /// Checks the whole event log's hash chain and names the first row that was altered or removed.
    ///
    /// Also compares the chain's end with the head kept in the database and, when given, with `anchor`, a head
    /// recorded earlier outside the database. Rows are streamed, so memory does not grow with the log.
    public func verifyEventChain(anchor: AuditAnchor? = nil) throws(StoreError) -> AuditVerification {
        try checkEventChain(anchor: anchor).verification
    }

    /// ``verifyEventChain(anchor:)`` with the chain's end as read in the same transaction.
    public func checkEventChain(anchor: AuditAnchor? = nil) throws(StoreError) -> AuditCheck {
        try read { db in
            var previous: (id: Int64, hash: String)?
            var count = 0
            func check(_ verification: AuditVerification) -> AuditCheck {
                AuditCheck(
                    verification: verification,
                    end: AuditHead(events: count, lastID: previous?.id ?? 0, lastHash: previous?.hash ?? ""))
            }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, rollout, at, actor, verb, message, hash, prevHash, wallAt FROM event ORDER BY id")
            while let row = try rows.next() {
                // By position, in the SELECT's order: a million rows make name lookups a noticeable part of the walk.
                let id: Int64 = row[0]
                let rollout: String = row[1]
                let stored: String? = row[6]
                let prevHash: String = row[7] ?? ""
                let expected = AuditChain.hash(
                    id: id, rollout: rollout, at: row[2], actor: row[3], verb: row[4], message: row[5], wallAt: row[8],
                    prevHash: prevHash)
                if stored != expected { return check(.altered(id: id, rollout: rollout)) }
                if prevHash != (previous?.hash ?? "") {
                    let firstMissing = (previous?.id ?? 0) + 1
                    // A broken link with no gap in ids means the link itself was edited: the row is altered.
                    if firstMissing >= id { return check(.altered(id: id, rollout: rollout)) }
                    return check(.removed(ids: firstMissing...(id - 1), before: id))
                }
                previous = (id, expected)
                count += 1
                if let anchor, count == anchor.events, !expected.hasPrefix(anchor.hash) {
                    return check(.anchorMismatch(events: count, id: id))
                }
            }
            let last = previous?.id ?? 0
            let head = try AuditHead.fetch(db)
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event'") ?? 0
            let newest = max(sequence, head?.lastID ?? 0)
            if newest > last { return check(.removed(ids: (last + 1)...newest, before: nil)) }
            let end = AuditHead(events: count, lastID: last, lastHash: previous?.hash ?? "")
            if head != end { return check(.headMismatch(head: head, end: end)) }
            if let anchor, count < anchor.events {
                return check(.truncated(events: count, anchored: anchor.events, lastID: previous?.id))
            }
            return check(.intact(events: count))
        }
    }
}
