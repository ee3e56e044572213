internal import GRDB

/// The right to drive the database, held by one daemon at a time.
///
/// `fence` grows by one at every change of owner; every write of the holder checks it, so a daemon that was paused
/// past its expiry and lost the lease to another cannot write after the other took over.
public struct Lease: Sendable, Equatable {
    public var owner: String
    public var fence: Int64
    public var expiresAt: Double
}

extension SluiceStore {
    /// Takes or renews the lease for `owner` until `now + ttlSeconds`; nil when another owner holds a live lease.
    public func acquireLease(owner: String, now: Double, ttlSeconds: Double) throws(StoreError) -> Lease? {
        try write { db in
            let expiresAt = now + ttlSeconds
            guard let current = try Self.currentLease(db) else {
                try db.execute(
                    sql: "INSERT INTO lease (id, owner, expiresAt, fence) VALUES (1, ?, ?, 1)", arguments: [owner, expiresAt])
                return Lease(owner: owner, fence: 1, expiresAt: expiresAt)
            }
            if current.owner == owner {
                try db.execute(sql: "UPDATE lease SET expiresAt = ? WHERE id = 1", arguments: [expiresAt])
                return Lease(owner: owner, fence: current.fence, expiresAt: expiresAt)
            }
            guard current.expiresAt < now else { return nil }
            let fence = current.fence + 1
            try db.execute(
                sql: "UPDATE lease SET owner = ?, expiresAt = ?, fence = ? WHERE id = 1", arguments: [owner, expiresAt, fence])
            return Lease(owner: owner, fence: fence, expiresAt: expiresAt)
        }
    }

    /// Gives the lease up so that a standby takes over at once (on graceful shutdown).
    public func releaseLease(_ lease: Lease) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE lease SET expiresAt = 0 WHERE id = 1 AND owner = ? AND fence = ?",
                arguments: [lease.owner, lease.fence])
        }
    }

    /// The lease as stored, live or not.
    public func currentLease() throws(StoreError) -> Lease? {
        try read { db in try Self.currentLease(db) }
    }

    static func currentLease(_ db: Database) throws -> Lease? {
        try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1").map {
            Lease(owner: $0["owner"], fence: $0["fence"], expiresAt: $0["expiresAt"])
        }
    }

    /// Throws ``StoreError/leaseLost(owner:fence:)`` unless `lease` is still the stored one. Call inside a write.
    static func checkFence(_ lease: Lease, db: Database) throws {
        let current = try currentLease(db)
        guard let current, current.owner == lease.owner, current.fence == lease.fence else {
            throw StoreError.leaseLost(owner: current?.owner ?? "nobody", fence: current?.fence ?? 0)
        }
    }
}
