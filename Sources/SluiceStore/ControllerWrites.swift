import Foundation
internal import GRDB
public import SluiceCore

/// The outcome of a driver call, as the journal records it.
public enum ActionResult: Sendable, Equatable {
    case done(detail: String)
    case failed(detail: String)

    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}

extension SluiceStore {
    /// A rollout's phase as the daemon last recorded it; nil before its first pass or for an unknown rollout.
    public func phase(rollout name: String) throws(StoreError) -> RolloutPhase? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT phase FROM rolloutStatus WHERE rollout = ?", arguments: [name])
                .flatMap(RolloutPhase.init(rawValue:))
        }
    }

    /// Rollouts the daemon must look at, oldest first: not finished, or with journal entries to carry out or
    /// requests to answer. Read from the active set, so finished rollouts cost nothing however many there are.
    public func rolloutsToReconcile() throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT r.name FROM activeRollout a JOIN rollout r ON r.name = a.name
                    ORDER BY r.submittedAt, r.name
                    """)
        }
    }

    /// Everything the decision function needs for `rollout` except signals and time.
    public func reconcileInput(rollout name: String, now: Double) throws(StoreError) -> ReconcileInput {
        try read { db in
            guard let record = try rollout(named: name, db: db) else { throw StoreError.unknownRollout(name) }
            let requests = try Row.fetchAll(
                db, sql: "SELECT * FROM request WHERE rollout = ? AND state = 'pending' ORDER BY id", arguments: [name]
            ).map { try Self.storedRequest($0).request }
            // The stored key is the action's: read, not formatted again for every entry.
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.journalColumns), key FROM journal WHERE rollout = ?", arguments: [name])
            var journal: [String: JournalEntry] = [:]
            while let row = try rows.next() { journal[row[11]] = try Self.journalEntry(row) }
            return ReconcileInput(spec: record.spec, status: record.status, requests: requests, journal: journal, now: now)
        }
    }

    /// Records a decision in one fenced transaction: status, new intents, events, request outcomes, evaluations.
    ///
    /// Actions are recorded as `intended` here, before any driver call; a retried action keeps its key and counts
    /// one more attempt. A status equal to `previous` (the one the decision was made from) is not written again, so
    /// a quiet pass changes no row.
    public func record(
        _ decision: Decision, previous: RolloutStatus? = nil, rollout name: String, now: Double, lease: Lease
    ) throws(StoreError) {
        try write { db in
            try Self.checkFence(lease, db: db)
            if let fence = try Self.breakGlassFence(rollout: name, db: db) {
                return try self.recordFenced(fence, rollout: name, now: now, db: db)
            }
            let status = decision.status
            if status != previous {
                try self.writeStatus(status, rollout: name, now: now, db: db)
            }
            var sequence = try Int.fetchOne(db, sql: "SELECT max(sequence) FROM journal WHERE rollout = ?", arguments: [name]) ?? 0
            for action in decision.actions {
                sequence += 1
                try db.execute(
                    sql: """
                        INSERT INTO journal (rollout, key, kind, cluster, batch, firstNode, endNode, state, attempts,
                            intendedAt, fence, sequence)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'intended', 1, ?, ?, ?)
                        ON CONFLICT (rollout, key) DO UPDATE SET state = 'intended', attempts = attempts + 1,
                            completedAt = NULL, fence = excluded.fence
                        """,
                    arguments: [
                        name, action.key, action.kind.rawValue, action.cluster, action.batch, action.nodes.lowerBound,
                        action.nodes.upperBound, now, lease.fence, sequence,
                    ])
            }
            for event in decision.events { try Self.append(event, rollout: name, db: db) }
            for outcome in decision.requestOutcomes {
                try db.execute(
                    sql: "UPDATE request SET state = ?, outcome = ?, handledAt = ? WHERE id = ?",
                    arguments: [outcome.accepted ? "accepted" : "refused", outcome.message, now, outcome.requestID])
            }
            try Self.settleIfFinished(rollout: name, isFinished: status.phase.isFinished, db: db)
            let wallNow = Date().timeIntervalSince1970
            for evaluation in decision.gateEvaluations {
                let boundKind = if case .atLeast = evaluation.bound { "atLeast" } else { "atMost" }
                try db.execute(
                    sql: """
                        INSERT INTO gateEvaluation (rollout, gate, cluster, at, windowSeconds, observed, bound, threshold,
                            verdict, reason, wallAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        name, evaluation.gate, evaluation.cluster, evaluation.at, evaluation.windowSeconds,
                        evaluation.observed, boundKind, evaluation.bound.threshold, evaluation.verdict.rawValue,
                        evaluation.reason,
                        evaluation.wallAt ?? ControllerTime.recordedWallTime(at: evaluation.at, now: wallNow),
                    ])
            }
        }
    }

    /// Writes the status of a rollout and its summary row (the daemon's only status write); returns the text stored.
    @discardableResult
    func writeStatus(_ status: RolloutStatus, rollout name: String, now: Double, db: Database) throws -> String {
        let text = try encodedStatus(status, rollout: name)
        try db.execute(
            sql: """
                INSERT INTO rolloutStatus (rollout, status, phase, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT (rollout) DO UPDATE SET status = excluded.status, phase = excluded.phase,
                    updatedAt = excluded.updatedAt
                """,
            arguments: [name, text, status.phase.rawValue, now])
        try db.execute(
            sql: "UPDATE rolloutSummary SET phase = ?, message = ?, clustersDone = ? WHERE rollout = ?",
            arguments: [
                status.phase.rawValue, status.message, status.clusters.filter { $0.state == .done }.count, name,
            ])
        return text
    }

    /// Takes a rollout out of the active set once it is finished with nothing left to carry out or answer.
    static func settleIfFinished(rollout name: String, isFinished: Bool, db: Database) throws {
        guard isFinished else { return }
        try db.execute(
            sql: """
                DELETE FROM activeRollout WHERE name = ?
                  AND NOT EXISTS (SELECT 1 FROM journal WHERE rollout = ? AND state = 'intended')
                  AND NOT EXISTS (SELECT 1 FROM request WHERE rollout = ? AND state = 'pending')
                """,
            arguments: [name, name, name])
    }

    /// Puts a rollout (back) in the active set: it was submitted, or has a request or a fence to answer.
    static func activate(rollout name: String, db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO activeRollout (name) VALUES (?)", arguments: [name])
    }

    /// The actions recorded as intended and not yet confirmed, in the order they were intended.
    public func intendedActions(rollout name: String) throws(StoreError) -> [JournalEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.journalColumns) FROM journal WHERE rollout = ? AND state = 'intended'
                    ORDER BY sequence
                    """,
                arguments: [name]
            ).map(Self.journalEntry)
        }
    }

    /// Marks an intended action done or failed, in a fenced transaction. A no-op if it is no longer intended.
    ///
    /// The completion is never stamped before the intent, whatever the caller's clock says, so a bake measured from
    /// it can never come out shorter than configured.
    public func complete(
        _ action: FleetAction, result: ActionResult, at now: Double, lease: Lease
    ) throws(StoreError) {
        try write { db in
            try Self.checkFence(lease, db: db)
            let (state, detail) = switch result {
            case .done(let detail): ("done", detail)
            case .failed(let detail): ("failed", detail)
            }
            try db.execute(
                sql: """
                    UPDATE journal SET state = ?, detail = ?, completedAt = max(?, intendedAt)
                    WHERE rollout = ? AND key = ? AND state = 'intended'
                    """,
                arguments: [state, String(detail.suffix(4000)), now, action.rollout, action.key])
        }
    }

    /// Notes the controller's clock reading at the start of a pass, with the wall time it was taken at.
    public func noteControllerTime(_ now: Double, wallAt: Double, lease: Lease) throws(StoreError) {
        try write { db in
            try Self.checkFence(lease, db: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO controllerClock (id, now, wallAt, owner) VALUES (1, ?, ?, ?)",
                arguments: [now, wallAt, lease.owner])
        }
    }

    /// The virtual time a daemon running in virtual time had reached, if any.
    public func virtualNow() throws(StoreError) -> Double? {
        try read { db in try Double.fetchOne(db, sql: "SELECT now FROM virtualClock WHERE id = 1") }
    }

    /// Stores the virtual time reached, in a fenced transaction.
    public func saveVirtualNow(_ now: Double, lease: Lease) throws(StoreError) {
        try write { db in
            try Self.checkFence(lease, db: db)
            try db.execute(sql: "INSERT OR REPLACE INTO virtualClock (id, now) VALUES (1, ?)", arguments: [now])
        }
    }

    /// A number that changes whenever another connection commits (SQLite's `PRAGMA data_version`).
    public func dataVersion() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
