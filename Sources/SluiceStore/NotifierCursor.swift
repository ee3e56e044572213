internal import GRDB

/// A webhook's cursor: the id of the newest event it is done with (sent, or given up on).
///
/// Moved only after a delivery finished, so a notifier stopped in between sends that event again: at-least-once.
extension SluiceStore {
    /// The webhook's cursor; on its first use, the newest event's id (0 for an empty log), so history is not sent.
    ///
    /// Idempotent: an existing cursor is returned unchanged.
    public func startNotifierCursor(webhook key: String) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO notifierCursor (webhook, lastEventID)
                    SELECT ?, coalesce(max(id), 0) FROM event WHERE true
                    ON CONFLICT (webhook) DO NOTHING
                    """,
                arguments: [key])
            return try Self.notifierCursor(webhook: key, db: db) ?? 0
        }
    }

    /// The webhook's cursor, or nil before its first use.
    public func notifierCursor(webhook key: String) throws(StoreError) -> Int64? {
        try read { db in try Self.notifierCursor(webhook: key, db: db) }
    }

    static func notifierCursor(webhook key: String, db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT lastEventID FROM notifierCursor WHERE webhook = ?", arguments: [key])
    }

    /// Moves the webhook's cursor forward to `eventID`; never back.
    public func advanceNotifierCursor(webhook key: String, to eventID: Int64) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE notifierCursor SET lastEventID = max(lastEventID, ?) WHERE webhook = ?",
                arguments: [eventID, key])
        }
    }

    /// Up to `limit` events of every rollout with an id above `eventID`, oldest first (one range of the key).
    public func events(after eventID: Int64, limit: Int) throws(StoreError) -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM event WHERE id > ? ORDER BY id LIMIT ?", arguments: [eventID, limit]
            ).map(Self.storedEvent)
        }
    }
}
