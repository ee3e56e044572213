internal import Crypto
import Foundation
internal import GRDB
public import SluiceCore

/// The event log as a hash chain: each row's `hash` is SHA-256 over its content and the previous row's hash.
///
/// The chain runs over all events in id order (ids come from AUTOINCREMENT, so a removed row leaves a gap that names
/// it). Editing a row breaks its own hash; removing one breaks the next row's `prevHash`; removing the newest rows
/// shows in `sqlite_sequence`. Someone who rewrites every later hash by hand is not caught: the chain is evidence of
/// accidental or careless tampering, not a signature.
enum AuditChain {
    /// The hash of a row: SHA-256 hex over its id, rollout, time, actor, verb, message and `prevHash`, each length-prefixed.
    static func hash(
        id: Int64, rollout: String, at: Double, actor: String, verb: String, message: String, prevHash: String
    ) -> String {
        var text = ""
        for field in ["\(id)", rollout, String(at.bitPattern, radix: 16), actor, verb, message, prevHash] {
            text += "\(field.utf8.count):\(field);"
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Appends `event` and chains it to the newest row. Call inside a write transaction.
    static func append(_ event: RolloutEvent, rollout: String, db: Database) throws {
        let prevHash = try String.fetchOne(db, sql: "SELECT hash FROM event ORDER BY id DESC LIMIT 1") ?? ""
        try db.execute(
            sql: "INSERT INTO event (rollout, at, actor, verb, message, prevHash) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [rollout, event.at, event.actor, event.verb, event.message, prevHash])
        let id = db.lastInsertedRowID
        let hash = hash(
            id: id, rollout: rollout, at: event.at, actor: event.actor, verb: event.verb, message: event.message,
            prevHash: prevHash)
        try db.execute(sql: "UPDATE event SET hash = ? WHERE id = ?", arguments: [hash, id])
    }

    /// Hashes every row in id order (the v2 migration, for rows written before the chain existed).
    static func rehashAll(_ db: Database) throws {
        var prevHash = ""
        for row in try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id") {
            let id: Int64 = row["id"]
            let hash = hash(
                id: id, rollout: row["rollout"], at: row["at"], actor: row["actor"], verb: row["verb"],
                message: row["message"], prevHash: prevHash)
            try db.execute(
                sql: "UPDATE event SET hash = ?, prevHash = ? WHERE id = ?", arguments: [hash, prevHash, id])
            prevHash = hash
        }
    }
}

/// The outcome of checking the event log's hash chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every row matches its hash and links to the one before; `events` rows checked.
    case intact(events: Int)
    /// The row `id` (of `rollout`) was changed after it was written.
    case altered(id: Int64, rollout: String)
    /// The rows `ids` were removed (the first row after the gap is `before`, nil when the newest rows were removed).
    case removed(ids: ClosedRange<Int64>, before: Int64?)

    public var isIntact: Bool { if case .intact = self { true } else { false } }

    /// The first row that was altered or removed, by id.
    public var firstBadID: Int64? {
        switch self {
        case .intact: nil
        case .altered(let id, _): id
        case .removed(let ids, _): ids.lowerBound
        }
    }
}

extension SluiceStore {
    /// Checks the whole event log's hash chain and names the first row that was altered or removed.
    public func verifyEventChain() throws(StoreError) -> AuditVerification {
        try read { db in
            var previous: (id: Int64, hash: String)?
            var count = 0
            for row in try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id") {
                let id: Int64 = row["id"]
                let stored: String? = row["hash"]
                let prevHash: String = row["prevHash"] ?? ""
                let expected = AuditChain.hash(
                    id: id, rollout: row["rollout"], at: row["at"], actor: row["actor"], verb: row["verb"],
                    message: row["message"], prevHash: prevHash)
                if stored != expected { return .altered(id: id, rollout: row["rollout"]) }
                if prevHash != (previous?.hash ?? "") {
                    let firstMissing = (previous?.id ?? 0) + 1
                    // A broken link with no gap in ids means the link itself was edited: the row is altered.
                    if firstMissing >= id { return .altered(id: id, rollout: row["rollout"]) }
                    return .removed(ids: firstMissing...(id - 1), before: id)
                }
                previous = (id, expected)
                count += 1
            }
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event'") ?? 0
            let last = previous?.id ?? 0
            if sequence > last { return .removed(ids: (last + 1)...sequence, before: nil) }
            return .intact(events: count)
        }
    }
}
