import Foundation
internal import GRDB
public import SluiceCore

/// A rollout as stored: its spec, its status and how many requests it has had.
public struct RolloutRecord: Sendable, Equatable {
    public var spec: RolloutSpec
    /// The daemon's status, or the pending status of a rollout the daemon has not seen yet.
    public var status: RolloutStatus
    public var generation: Int
    public var planPath: String
    public var submittedAt: Double
    public var submittedBy: String

    public init(
        spec: RolloutSpec, status: RolloutStatus, generation: Int, planPath: String, submittedAt: Double,
        submittedBy: String
    ) {
        self.spec = spec
        self.status = status
        self.generation = generation
        self.planPath = planPath
        self.submittedAt = submittedAt
        self.submittedBy = submittedBy
    }
}

/// A request as stored, with the daemon's answer once it has one.
public struct StoredRequest: Sendable, Equatable {
    public var request: OperatorRequest
    public var createdAt: Double
    /// `pending`, `accepted` or `refused`.
    public var state: String
    public var outcome: String?
}

/// The times of the first and the latest of some events.
public struct EventSpan: Sendable, Equatable {
    public var first: Double
    public var last: Double

    public init(first: Double, last: Double) {
        self.first = first
        self.last = last
    }
}

/// An event as stored.
public struct StoredEvent: Sendable, Equatable {
    public var id: Int64
    public var rollout: String
    public var event: RolloutEvent

    public init(id: Int64, rollout: String, event: RolloutEvent) {
        self.id = id
        self.rollout = rollout
        self.event = event
    }
}

extension SluiceStore {
    /// Records a new rollout. Its status is written by the daemon when it first sees it.
    public func submit(spec: RolloutSpec, planPath: String, actor: String, now: Double) throws(StoreError) {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM rollout WHERE name = ?", arguments: [spec.name]) == true {
                throw StoreError.duplicateRollout(spec.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO rollout (name, spec, planPath, generation, submittedAt, submittedBy)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """,
                arguments: [spec.name, try Codec.encode(spec), planPath, now, actor])
            try db.execute(
                sql: """
                    INSERT INTO rolloutSummary (rollout, submittedAt, submittedBy, artifact, clusters, clustersDone,
                        phase, message)
                    VALUES (?, ?, ?, ?, ?, 0, 'pending', 'submitted')
                    """,
                arguments: [
                    spec.name, now, actor, "\(spec.artifact.name) \(spec.artifact.version)", spec.clustersInOrder.count,
                ])
            try Self.activate(rollout: spec.name, db: db)
            try Self.append(
                RolloutEvent(at: now, actor: actor, verb: .submitted,
                             message: "\(spec.artifact.name) \(spec.artifact.version) to \(spec.clustersInOrder.count) clusters in \(spec.waves.count) waves"),
                rollout: spec.name, db: db)
        }
    }

    /// One line of `sluice list`: read from the summary row, without decoding a spec or a status.
    public struct Summary: Sendable, Equatable {
        public var name: String
        public var artifact: String
        public var phase: RolloutPhase
        public var message: String
        public var clustersDone: Int
        public var clusters: Int
        public var submittedAt: Double
        public var submittedBy: String
    }

    /// How many rollouts are in each phase, a rollout fenced by break-glass counted as halted (as every view shows it);
    /// phases with none are 0. One aggregate over the summary rows: for a scrape, not for every pass.
    public func rolloutCountByPhase() throws(StoreError) -> [RolloutPhase: Int] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT CASE WHEN f.rollout IS NULL THEN s.phase ELSE 'halted' END AS phase, count(*) AS rollouts
                    FROM rolloutSummary s LEFT JOIN rolloutFence f ON f.rollout = s.rollout GROUP BY 1
                    """)
            var counts = Dictionary(uniqueKeysWithValues: RolloutPhase.allCases.map { ($0, 0) })
            for row in rows {
                if let phase = RolloutPhase(rawValue: row["phase"]) { counts[phase, default: 0] += row["rollouts"] as Int }
            }
            return counts
        }
    }

    /// The newest `limit` rollouts (all when nil), newest first, and how many there are in all. A rollout fenced by
    /// break-glass shows as halted with the fence's message, as every view does.
    public func summaries(limit: Int?) throws(StoreError) -> (rollouts: [Summary], total: Int) {
        try read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM rolloutSummary") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.*, f.fencedAt, f.actor AS fenceActor, f.reason AS fenceReason
                    FROM rolloutSummary s LEFT JOIN rolloutFence f ON f.rollout = s.rollout
                    ORDER BY s.submittedAt DESC, s.rollout DESC LIMIT ?
                    """,
                arguments: [limit ?? -1])
            let summaries = rows.map { row in
                let fencedAt: Double? = row["fencedAt"]
                return Summary(
                    name: row["rollout"], artifact: row["artifact"],
                    phase: fencedAt == nil ? RolloutPhase(rawValue: row["phase"]) ?? .pending : .halted,
                    message: fencedAt.map {
                        BreakGlassState.message(fencedAt: $0, actor: row["fenceActor"], reason: row["fenceReason"])
                    } ?? row["message"],
                    clustersDone: row["clustersDone"], clusters: row["clusters"], submittedAt: row["submittedAt"],
                    submittedBy: row["submittedBy"])
            }
            return (summaries, total)
        }
    }

    /// Every rollout, oldest first.
    public func rollouts() throws(StoreError) -> [RolloutRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name FROM rollout ORDER BY submittedAt, name").map {
                try rollout(named: $0["name"], db: db)!
            }
        }
    }

    /// The rollout named `name`, or nil.
    public func rollout(named name: String) throws(StoreError) -> RolloutRecord? {
        try read { db in try rollout(named: name, db: db) }
    }

    func rollout(named name: String, db: Database) throws -> RolloutRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM rollout WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let spec = try decodedSpec(name: name, submittedAt: row["submittedAt"], text: row["spec"])
        let statusText = try String.fetchOne(db, sql: "SELECT status FROM rolloutStatus WHERE rollout = ?", arguments: [name])
        let status = try statusText.map { try decodedStatus(rollout: name, text: $0) }
            ?? RolloutStatus(spec: spec, now: row["submittedAt"])
        return RolloutRecord(
            spec: spec, status: status, generation: row["generation"], planPath: row["planPath"],
            submittedAt: row["submittedAt"], submittedBy: row["submittedBy"])
    }

    /// Records an operator request, refusing at once one that makes no sense for the rollout's current status or
    /// that break-glass fenced.
    ///
    /// Returns the request's id. A refusal is recorded too, as a `refused` event (see ``recordRefused(_:rollout:actor:reason:now:)``), before it
    /// is thrown. The
    /// daemon checks the request again when it acts on it.
    @discardableResult
    public func request(
        _ verb: OperatorRequest.Verb, rollout name: String, reason: String, actor: String, now: Double
    ) throws(StoreError) -> Int64 {
        let outcome: Result<Int64, StoreError> = try write { db in
            guard let record = try rollout(named: name, db: db) else { throw StoreError.unknownRollout(name) }
            if let refusal = try Self.refusal(of: verb, rollout: name, status: record.status, db: db) {
                let given = reason.isEmpty ? "" : " (reason given: \(reason))"
                _ = try Self.appendRefusal(verb.rawValue, rollout: name, actor: actor, reason: refusal + given, now: now, db: db)
                return .failure(StoreError.refused("cannot \(verb.rawValue) \(name): \(refusal)"))
            }
            let generation = record.generation + 1
            try db.execute(sql: "UPDATE rollout SET generation = ? WHERE name = ?", arguments: [generation, name])
            try db.execute(
                sql: "INSERT INTO request (rollout, verb, reason, actor, generation, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [name, verb.rawValue, reason, actor, generation, now])
            let id = db.lastInsertedRowID
            try Self.activate(rollout: name, db: db)
            let because = reason.isEmpty ? "" : ": \(reason)"
            try Self.append(
                RolloutEvent(at: now, actor: actor, verb: .requested, message: "\(verb.rawValue)\(because)"),
                rollout: name, db: db)
            return .success(id)
        }
        return try outcome.get()
    }

    /// Why a request `verb` on the rollout `name` is refused now, or nil if it may be recorded.
    static func refusal(
        of verb: OperatorRequest.Verb, rollout name: String, status: RolloutStatus, db: Database
    ) throws -> String? {
        if let fence = try breakGlassFence(rollout: name, db: db) {
            return "\(fence.statusMessage); sluiced will act on no request for it"
        }
        if let refusal = OperatorRequest.refusal(of: verb, status: status) { return refusal }
        let pending = try String.fetchAll(
            db, sql: "SELECT verb FROM request WHERE rollout = ? AND state = 'pending'", arguments: [name])
        if pending.contains(verb.rawValue) { return "a \(verb.rawValue) of \(name) is already waiting for the daemon" }
        return nil
    }

    /// Records that `what` (a command or request: `break-glass`, `resume`...) was refused: one event, verb `refused`.
    ///
    /// The event reads as the daemon's own refusals do: actor `actor`, message `WHAT by ACTOR refused: REASON`, so
    /// `sluice events` and the report show every refusal alike. For attempts turned away before anything else is
    /// written (a bad credential, a missing reason, a request that makes no sense for the rollout's state); it
    /// changes nothing but the log. `rollout` need not exist: an attempt on an unknown name is recorded too.
    /// `reason` goes into the log as is, so it must never carry a secret (a token, a key). Returns the event's id.
    @discardableResult
    public func recordRefused(
        _ what: String, rollout: String, actor: String, reason: String, now: Double
    ) throws(StoreError) -> Int64 {
        try write { db in try Self.appendRefusal(what, rollout: rollout, actor: actor, reason: reason, now: now, db: db) }
    }

    /// Appends the `refused` event of ``recordRefused(_:rollout:actor:reason:now:)`` inside a write.
    static func appendRefusal(
        _ what: String, rollout: String, actor: String, reason: String, now: Double, db: Database
    ) throws -> Int64 {
        try append(
            RolloutEvent(at: now, actor: actor, verb: .refused, message: "\(what) by \(actor) refused: \(reason)"),
            rollout: rollout, db: db)
    }

    /// Appends `count` copies of a filler event to the log in one transaction, chained like any other: for
    /// benchmarks that need a long history.
    package func appendEvents(count: Int, rollout: String, now: Double) throws(StoreError) {
        try write { db in
            for index in 0..<count {
                _ = try Self.append(
                    RolloutEvent(at: now, actor: "bench", verb: .note, message: "filler event \(index)"),
                    rollout: rollout, db: db)
            }
        }
    }

    /// Appends one event to the log as the controller or an operator would have: for tests of what reads the log.
    @discardableResult
    package func appendEvent(_ event: RolloutEvent, rollout: String) throws(StoreError) -> Int64 {
        try write { db in try Self.append(event, rollout: rollout, db: db) }
    }

    /// The requests of a rollout, oldest first.
    public func requests(rollout name: String) throws(StoreError) -> [StoredRequest] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM request WHERE rollout = ? ORDER BY id", arguments: [name])
                .map(Self.storedRequest)
        }
    }

    static func storedRequest(_ row: Row) throws -> StoredRequest {
        StoredRequest(
            request: OperatorRequest(
                id: row["id"], verb: OperatorRequest.Verb(rawValue: row["verb"]) ?? .pause, reason: row["reason"],
                actor: row["actor"], generation: row["generation"]),
            createdAt: row["createdAt"], state: row["state"], outcome: row["outcome"])
    }

    /// The events of a rollout (or of all rollouts), oldest first.
    public func events(rollout name: String?) throws(StoreError) -> [StoredEvent] {
        try read { db in
            let rows = if let name {
                try Row.fetchAll(db, sql: "SELECT * FROM event WHERE rollout = ? ORDER BY id", arguments: [name])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id")
            }
            return rows.map(Self.storedEvent)
        }
    }

    static func storedEvent(_ row: Row) -> StoredEvent {
        StoredEvent(
            id: row["id"], rollout: row["rollout"],
            event: event(row))
    }

    static func event(_ row: Row) -> RolloutEvent {
        RolloutEvent(at: row["at"], actor: row["actor"], verb: row["verb"], message: row["message"], wallAt: row["wallAt"])
    }

    /// The newest `count` events of a rollout, oldest first: what a view that shows the last few reads, whatever the
    /// length of the log.
    public func latestEvents(rollout name: String, count: Int) throws(StoreError) -> [RolloutEvent] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM event WHERE rollout = ? ORDER BY id DESC LIMIT ?", arguments: [name, count]
            ).reversed().map(Self.event)
        }
    }

    /// When `actor` recorded its first and its latest event on a rollout, or nil if it recorded none: on the wall
    /// clock, except for events of a virtual-time run recorded before wall times were kept.
    public func eventSpan(rollout name: String, actor: String) throws(StoreError) -> EventSpan? {
        try read { db in
            let first = "SELECT coalesce(wallAt, at) FROM event WHERE rollout = ? AND actor = ? ORDER BY id LIMIT 1"
            let last = "SELECT coalesce(wallAt, at) FROM event WHERE rollout = ? AND actor = ? ORDER BY id DESC LIMIT 1"
            guard let firstAt = try Double.fetchOne(db, sql: first, arguments: [name, actor]) else { return nil }
            return EventSpan(first: firstAt, last: try Double.fetchOne(db, sql: last, arguments: [name, actor]) ?? firstAt)
        }
    }

    /// The journal of a rollout in the order the actions were intended.
    public func journal(rollout name: String) throws(StoreError) -> [JournalEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.journalColumns) FROM journal WHERE rollout = ? ORDER BY sequence",
                arguments: [name]
            ).map(Self.journalEntry)
        }
    }

    /// The most recent gate evaluations of a rollout, oldest first.
    public func gateEvaluations(rollout name: String, limit: Int = 200) throws(StoreError) -> [GateEvaluation] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM gateEvaluation WHERE rollout = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [name, limit]
            ).map { row in
                let bound: Bound = row["bound"] == "atLeast" ? .atLeast(row["threshold"]) : .atMost(row["threshold"])
                return GateEvaluation(
                    gate: row["gate"], cluster: row["cluster"], at: row["at"], windowSeconds: row["windowSeconds"],
                    observed: row["observed"], bound: bound,
                    verdict: GateEvaluation.Verdict(rawValue: row["verdict"]) ?? .noData, reason: row["reason"],
                    wallAt: row["wallAt"])
            }
        }
    }

    /// The journal's columns ``journalEntry(_:)`` reads, in the order it reads them: by position, since looking a
    /// column up by name lowercases the name first, and the daemon reads the whole journal of a rollout every pass.
    static let journalColumns =
        "rollout, kind, cluster, batch, firstNode, endNode, state, attempts, intendedAt, completedAt, detail"

    /// A journal entry from a row of ``journalColumns``.
    static func journalEntry(_ row: Row) throws -> JournalEntry {
        let action = FleetAction(
            rollout: row[0], kind: FleetAction.Kind(rawValue: row[1]) ?? .apply, cluster: row[2], batch: row[3],
            nodes: row[4]..<row[5])
        return JournalEntry(
            action: action, state: JournalEntry.State(rawValue: row[6]) ?? .intended, attempts: row[7],
            intendedAt: row[8], completedAt: row[9], detail: row[10])
    }

    /// Appends an event, chained to the one before by its hash (see ``AuditChain``); returns its id.
    @discardableResult
    static func append(_ event: RolloutEvent, rollout: String, db: Database) throws -> Int64 {
        try AuditChain.append(event, rollout: rollout, db: db)
    }
}
