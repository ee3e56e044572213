import Foundation
internal import GRDB
public import SluiceCore

/// A rollout fenced by break-glass: the daemon carries out nothing for it again.
public struct BreakGlassFence: Sendable, Equatable {
    public var rollout: String
    /// Grows by one with every break-glass run on the rollout.
    public var fence: Int64
    /// Wall-clock seconds of the first break-glass run.
    public var fencedAt: Double
    public var actor: String
    public var reason: String

    /// The rollout's status message while fenced.
    public var statusMessage: String { BreakGlassState.message(fencedAt: fencedAt, actor: actor, reason: reason) }
}

/// One line of a break-glass journal file (JSON Lines): the record break-glass keeps itself, database or not.
///
/// `intent` is written before anything is done, `node` after each node's revert (the last line for a node wins),
/// `finished` at the end. Importing the same lines twice changes nothing.
public struct BreakGlassJournalRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case intent
        case node
        case finished
    }

    public var type: Kind
    public var runID: String
    public var rollout: String
    /// Wall-clock seconds.
    public var at: Double
    // intent
    public var clusters: [String]?
    public var reason: String?
    public var actor: String?
    public var host: String?
    // node
    public var cluster: String?
    public var node: String?
    public var channel: String?
    /// `reverted` or `failed`.
    public var state: String?
    public var attempts: Int?
    public var detail: String?
    // finished
    public var outcome: String?

    public init(type: Kind, runID: String, rollout: String, at: Double) {
        self.type = type
        self.runID = runID
        self.rollout = rollout
        self.at = at
    }

    /// A `node` record: the result of `channel` on `node` of `cluster` after `attempts` tries.
    public static func node(
        runID: String, rollout: String, at: Double, cluster: String, node: String, channel: String, state: String,
        attempts: Int, detail: String
    ) -> BreakGlassJournalRecord {
        var record = BreakGlassJournalRecord(type: .node, runID: runID, rollout: rollout, at: at)
        record.cluster = cluster
        record.node = node
        record.channel = channel
        record.state = state
        record.attempts = attempts
        record.detail = detail
        return record
    }
}

/// The latest result of break-glass for one node and channel.
public struct BreakGlassNodeResult: Sendable, Equatable, Codable {
    public var runID: String
    public var cluster: String
    public var node: String
    public var channel: String
    public var state: String
    public var attempts: Int
    public var detail: String
    public var at: Double

    public init(
        runID: String, cluster: String, node: String, channel: String, state: String, attempts: Int, detail: String,
        at: Double
    ) {
        self.runID = runID
        self.cluster = cluster
        self.node = node
        self.channel = channel
        self.state = state
        self.attempts = attempts
        self.detail = detail
        self.at = at
    }
}

extension SluiceStore {
    /// The break-glass journal file next to this database, if it is a file.
    public var breakGlassJournal: BreakGlassJournal? { path.map(BreakGlassJournal.init(forDatabase:)) }

    /// Imports break-glass journal records: fences, runs, per-node results and events. Idempotent.
    ///
    /// Returns how many records changed the database.
    @discardableResult
    public func importBreakGlass(_ records: [BreakGlassJournalRecord]) throws(StoreError) -> Int {
        guard !records.isEmpty else { return 0 }
        return try write { db in try Self.importBreakGlass(records, db: db) }
    }

    static func importBreakGlass(_ records: [BreakGlassJournalRecord], db: Database) throws -> Int {
        var changed = 0
        for record in records {
            let didChange =
                switch record.type {
                case .intent: try importIntent(record, db: db)
                case .node: try importNodeResult(record, db: db)
                case .finished: try importFinish(record, db: db)
                }
            if didChange { changed += 1 }
        }
        return changed
    }

    /// A run's start: the run row, the fence (raised again by a later run) and a `break-glass` event, once.
    static func importIntent(_ record: BreakGlassJournalRecord, db: Database) throws -> Bool {
        let clusters = String(decoding: try JSONEncoder().encode(record.clusters ?? []), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO breakGlassRun (runID, rollout, clusters, reason, actor, host, startedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.runID, record.rollout, clusters, record.reason ?? "", record.actor ?? "", record.host ?? "",
                record.at,
            ])
        guard db.changesCount > 0 else { return false }
        // The daemon must see the fence even if the rollout had finished.
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM rollout WHERE name = ?", arguments: [record.rollout]) == true {
            try Self.activate(rollout: record.rollout, db: db)
        }
        try db.execute(
            sql: """
                INSERT INTO rolloutFence (rollout, fence, fencedAt, runID, actor, reason)
                VALUES (?, 1, ?, ?, ?, ?)
                ON CONFLICT (rollout) DO UPDATE SET fence = fence + 1, runID = excluded.runID, acknowledged = 0
                """,
            arguments: [record.rollout, record.at, record.runID, record.actor ?? "", record.reason ?? ""])
        let scope = (record.clusters ?? []).isEmpty ? "every cluster" : (record.clusters ?? []).joined(separator: ", ")
        try Self.append(
            RolloutEvent(
                at: record.at, actor: record.actor ?? "", verb: .breakGlass,
                message: "fenced; reverting \(scope) node-direct from \(record.host ?? "?") (run \(record.runID)): "
                    + (record.reason ?? "")),
            rollout: record.rollout, db: db)
        return true
    }

    /// One node's result: one statement whether or not the row is there; an unchanged result changes nothing.
    static func importNodeResult(_ record: BreakGlassJournalRecord, db: Database) throws -> Bool {
        guard let cluster = record.cluster, let node = record.node, let channel = record.channel else { return false }
        try db.cachedStatement(
            sql: """
                INSERT INTO breakGlassNode (runID, rollout, cluster, node, channel, state, attempts, detail, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (runID, cluster, node, channel) DO UPDATE SET rollout = excluded.rollout,
                    state = excluded.state, attempts = excluded.attempts, detail = excluded.detail,
                    at = excluded.at
                WHERE state IS NOT excluded.state OR attempts IS NOT excluded.attempts
                """
        ).execute(arguments: [
            record.runID, record.rollout, cluster, node, channel, record.state ?? "failed", record.attempts ?? 1,
            String((record.detail ?? "").suffix(2000)), record.at,
        ])
        return db.changesCount > 0
    }

    /// A run's end: its outcome and a `break-glass-done` event, once.
    static func importFinish(_ record: BreakGlassJournalRecord, db: Database) throws -> Bool {
        try db.execute(
            sql: "UPDATE breakGlassRun SET finishedAt = ?, outcome = ? WHERE runID = ? AND finishedAt IS NULL",
            arguments: [record.at, record.outcome ?? "", record.runID])
        guard db.changesCount > 0 else { return false }
        let actor =
            try String.fetchOne(db, sql: "SELECT actor FROM breakGlassRun WHERE runID = ?", arguments: [record.runID])
            ?? ""
        try Self.append(
            RolloutEvent(
                at: record.at, actor: actor, verb: .breakGlassDone, message: "run \(record.runID): \(record.outcome ?? "")"),
            rollout: record.rollout, db: db)
        return true
    }

    /// The break-glass fence of `rollout`, or nil when break-glass never ran on it.
    public func breakGlassFence(rollout name: String) throws(StoreError) -> BreakGlassFence? {
        try read { db in try Self.breakGlassFence(rollout: name, db: db) }
    }

    static func breakGlassFence(rollout name: String, db: Database) throws -> BreakGlassFence? {
        try Row.fetchOne(db, sql: "SELECT * FROM rolloutFence WHERE rollout = ?", arguments: [name]).map {
            BreakGlassFence(
                rollout: $0["rollout"], fence: $0["fence"], fencedAt: $0["fencedAt"], actor: $0["actor"],
                reason: $0["reason"])
        }
    }

    /// The newest break-glass result for every node and channel of `rollout`, by cluster and node.
    public func breakGlassResults(rollout name: String) throws(StoreError) -> [BreakGlassNodeResult] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT n.* FROM breakGlassNode n
                    WHERE n.rollout = ? AND n.at = (SELECT max(m.at) FROM breakGlassNode m
                        WHERE m.rollout = n.rollout AND m.cluster = n.cluster AND m.node = n.node AND m.channel = n.channel)
                    ORDER BY n.cluster, n.node, n.channel
                    """,
                arguments: [name]
            ).map {
                BreakGlassNodeResult(
                    runID: $0["runID"], cluster: $0["cluster"], node: $0["node"], channel: $0["channel"],
                    state: $0["state"], attempts: $0["attempts"], detail: $0["detail"], at: $0["at"])
            }
        }
    }

    /// What break-glass did to `rollout`, for the views: the fence (who broke the glass first, and why) and, per cluster, the nodes reverted (by at least
    /// one channel, in their newest result) and those every channel failed. Nil when break-glass never ran on it.
    public func breakGlassState(rollout name: String) throws(StoreError) -> BreakGlassState? {
        guard let fence = try breakGlassFence(rollout: name) else { return nil }
        let runs = try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM breakGlassRun WHERE rollout = ?", arguments: [name]) ?? 0
        }
        var reverted: [String: Set<String>] = [:]
        var reached: [String: [String]] = [:]
        for result in try breakGlassResults(rollout: name) {
            if reached[result.cluster]?.last != result.node { reached[result.cluster, default: []].append(result.node) }
            if result.state == "reverted" { reverted[result.cluster, default: []].insert(result.node) }
        }
        let clusters = reached.keys.sorted().map { cluster in
            let nodes = reached[cluster]!
            let done = reverted[cluster] ?? []
            return BreakGlassState.ClusterResult(
                cluster: cluster, reverted: nodes.filter(done.contains), failed: nodes.filter { !done.contains($0) })
        }
        return BreakGlassState(
            fencedAt: fence.fencedAt, actor: fence.actor, reason: fence.reason, runs: max(runs, 1), clusters: clusters)
    }

    /// Refuses an intended action of a fenced rollout: marks it failed with the fence's message, without the driver.
    public func refuseFenced(_ action: FleetAction, fence: BreakGlassFence, at now: Double, lease: Lease)
        throws(StoreError)
    {
        try complete(action, result: .failed(detail: "refused: \(fence.statusMessage)"), at: now, lease: lease)
    }
}

extension SluiceStore {
    /// The decision recording of a fenced rollout: no new intents and none of the decision's events; the status
    /// reads halted with the break-glass message, and pending requests are refused.
    func recordFenced(_ fence: BreakGlassFence, rollout name: String, now: Double, db: Database) throws {
        guard var status = try rollout(named: name, db: db)?.status else { return }
        if status.phase != .halted || status.message != fence.statusMessage {
            status.phase = .halted
            status.message = fence.statusMessage
            status.updatedAt = now
            try writeStatus(status, rollout: name, now: now, db: db)
            try Self.append(
                RolloutEvent(at: now, actor: "sluiced", verb: .fenced, message: status.message), rollout: name, db: db)
        }
        try db.execute(
            sql:
                "UPDATE request SET state = 'refused', outcome = ?, handledAt = ? WHERE rollout = ? AND state = 'pending'",
            arguments: ["refused: \(fence.statusMessage)", now, name])
        try db.execute(sql: "UPDATE rolloutFence SET acknowledged = 1 WHERE rollout = ?", arguments: [name])
        // Nothing more will happen to it once the intents left over are refused: it leaves the active set.
        try Self.settleIfFinished(rollout: name, isFinished: true, db: db)
    }
}
