internal import GRDB

/// The database schema. A shipped migration never changes; later changes are new migrations.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE rollout (
                    name TEXT PRIMARY KEY NOT NULL,
                    spec TEXT NOT NULL,
                    planPath TEXT NOT NULL,
                    generation INTEGER NOT NULL DEFAULT 0,
                    submittedAt REAL NOT NULL,
                    submittedBy TEXT NOT NULL
                );
                CREATE TABLE rolloutStatus (
                    rollout TEXT PRIMARY KEY NOT NULL REFERENCES rollout(name),
                    status TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    updatedAt REAL NOT NULL
                );
                CREATE TABLE clusterStatus (
                    rollout TEXT NOT NULL REFERENCES rollout(name),
                    cluster TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    wave INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    appliedBatches INTEGER NOT NULL,
                    totalBatches INTEGER NOT NULL,
                    inFlight TEXT,
                    bakeUntil REAL,
                    startedAt REAL,
                    finishedAt REAL,
                    PRIMARY KEY (rollout, cluster)
                );
                CREATE TABLE journal (
                    rollout TEXT NOT NULL REFERENCES rollout(name),
                    key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    cluster TEXT NOT NULL,
                    batch INTEGER NOT NULL,
                    firstNode INTEGER NOT NULL,
                    endNode INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    intendedAt REAL NOT NULL,
                    completedAt REAL,
                    detail TEXT NOT NULL DEFAULT '',
                    fence INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    PRIMARY KEY (rollout, key)
                );
                CREATE VIEW batchStatus AS
                    SELECT rollout, cluster, batch, firstNode, endNode,
                           max(CASE WHEN kind = 'apply' THEN state END) AS applyState,
                           max(CASE WHEN kind = 'apply' THEN completedAt END) AS appliedAt,
                           max(CASE WHEN kind = 'revert' THEN state END) AS revertState,
                           max(CASE WHEN kind = 'revert' THEN completedAt END) AS revertedAt
                    FROM journal GROUP BY rollout, cluster, batch;
                CREATE TABLE request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    rollout TEXT NOT NULL REFERENCES rollout(name),
                    verb TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    createdAt REAL NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    outcome TEXT,
                    handledAt REAL
                );
                CREATE INDEX requestPending ON request(rollout, state);
                CREATE TABLE gateEvaluation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    rollout TEXT NOT NULL REFERENCES rollout(name),
                    gate TEXT NOT NULL,
                    cluster TEXT NOT NULL,
                    at REAL NOT NULL,
                    windowSeconds REAL NOT NULL,
                    observed REAL,
                    bound TEXT NOT NULL,
                    threshold REAL NOT NULL,
                    verdict TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX gateEvaluationByRollout ON gateEvaluation(rollout, id);
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    rollout TEXT NOT NULL,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    verb TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX eventByRollout ON event(rollout, id);
                CREATE TABLE lease (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    owner TEXT NOT NULL,
                    expiresAt REAL NOT NULL,
                    fence INTEGER NOT NULL
                );
                CREATE TABLE controllerClock (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    now REAL NOT NULL,
                    wallAt REAL NOT NULL,
                    owner TEXT NOT NULL
                );
                CREATE TABLE virtualClock (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    now REAL NOT NULL
                );
                """)
        }
        // v2: the event log becomes a hash chain; break-glass fences, runs and per-node results.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN hash TEXT;
                ALTER TABLE event ADD COLUMN prevHash TEXT;
                CREATE TABLE rolloutFence (
                    rollout TEXT PRIMARY KEY NOT NULL,
                    fence INTEGER NOT NULL,
                    fencedAt REAL NOT NULL,
                    runID TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    acknowledged INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE breakGlassRun (
                    runID TEXT PRIMARY KEY NOT NULL,
                    rollout TEXT NOT NULL,
                    clusters TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    host TEXT NOT NULL,
                    startedAt REAL NOT NULL,
                    finishedAt REAL,
                    outcome TEXT
                );
                CREATE TABLE breakGlassNode (
                    runID TEXT NOT NULL,
                    rollout TEXT NOT NULL,
                    cluster TEXT NOT NULL,
                    node TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (runID, cluster, node, channel)
                );
                CREATE INDEX breakGlassNodeByRollout ON breakGlassNode(rollout, cluster, node);
                """)
            try AuditChain.rehashAll(db)
        }
        // v3: the event chain's head (count, newest id and hash) kept apart from the events, so removing the newest
        // rows shows; it starts from the rows there are.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE auditHead (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    events INTEGER NOT NULL,
                    lastID INTEGER NOT NULL,
                    lastHash TEXT NOT NULL
                );
                INSERT INTO auditHead (id, events, lastID, lastHash)
                    SELECT 1, count(*), coalesce(max(id), 0),
                           coalesce((SELECT hash FROM event ORDER BY id DESC LIMIT 1), '')
                    FROM event;
                """)
        }
        // v4: how far the break-glass journal file was imported, so that an unchanged file costs one `stat` and an
        // appended one is read from where the last import stopped (`BreakGlassImportMark`).
        migrator.registerMigration("v4-break-glass-import") { db in
            try db.execute(sql: """
                CREATE TABLE breakGlassImport (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    modifiedNanoseconds INTEGER NOT NULL,
                    importedBytes INTEGER NOT NULL,
                    prefixDigest TEXT NOT NULL
                );
                """)
        }
        // v5: what every pass and `list` read is kept small and apart: the set of rollouts the daemon still has to
        // look at (finished ones drop out, so history costs a pass nothing), and one short summary row per rollout.
        // The write-only per-cluster table and batch view go.
        migrator.registerMigration("v5-active-rollouts") { db in
            try db.execute(sql: """
                CREATE TABLE activeRollout (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                INSERT INTO activeRollout (name)
                    SELECT r.name FROM rollout r LEFT JOIN rolloutStatus s ON s.rollout = r.name
                    WHERE s.phase IS NULL OR s.phase NOT IN ('completed', 'aborted', 'rolledBack')
                       OR EXISTS (SELECT 1 FROM journal j WHERE j.rollout = r.name AND j.state = 'intended')
                       OR EXISTS (SELECT 1 FROM request q WHERE q.rollout = r.name AND q.state = 'pending');
                CREATE TABLE rolloutSummary (
                    rollout TEXT PRIMARY KEY NOT NULL REFERENCES rollout(name),
                    submittedAt REAL NOT NULL,
                    submittedBy TEXT NOT NULL,
                    artifact TEXT NOT NULL,
                    clusters INTEGER NOT NULL,
                    clustersDone INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX rolloutSummaryBySubmission ON rolloutSummary(submittedAt, rollout);
                INSERT INTO rolloutSummary
                    SELECT r.name, r.submittedAt, r.submittedBy,
                           json_extract(r.spec, '$.artifact.name') || ' ' || json_extract(r.spec, '$.artifact.version'),
                           (SELECT coalesce(sum(json_array_length(w.value, '$.clusters')), 0)
                            FROM json_each(r.spec, '$.waves') w),
                           coalesce((SELECT count(*) FROM json_each(s.status, '$.clusters') c
                                     WHERE json_extract(c.value, '$.state') = 'done'), 0),
                           coalesce(s.phase, 'pending'), coalesce(json_extract(s.status, '$.message'), 'submitted')
                    FROM rollout r LEFT JOIN rolloutStatus s ON s.rollout = r.name;
                CREATE INDEX journalIntended ON journal(rollout) WHERE state = 'intended';
                DROP VIEW batchStatus;
                DROP TABLE clusterStatus;
                """)
        }
        // v6: how far each webhook of a notifier got in the event log (`NotifierCursor`), so a restarted daemon sends
        // what it had not sent yet and nothing twice that it had confirmed.
        migrator.registerMigration("v6-notifier-cursor") { db in
            try db.execute(sql: """
                CREATE TABLE notifierCursor (
                    webhook TEXT PRIMARY KEY NOT NULL,
                    lastEventID INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // v7: one clock for people. Each event and gate evaluation keeps the wall time it was recorded at, beside its
        // controller time (virtual seconds in a virtual-time run). Older rows keep NULL: their `at` is Unix seconds
        // or a virtual time whose wall time nobody knew.
        migrator.registerMigration("v7-wall-time") { db in
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN wallAt REAL;
                ALTER TABLE gateEvaluation ADD COLUMN wallAt REAL;
                """)
        }
        return migrator
    }

    /// Refuses a database that a newer Sluice migrated: this binary would misread or damage it.
    static func refuseNewer(_ reader: some DatabaseReader, path: String) throws(StoreError) {
        let known = migrator.migrations
        let applied: [String]
        do {
            applied = try reader.read { db in
                guard try db.tableExists("grdb_migrations") else { return [] }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            }
        } catch {
            throw StoreError.unusable(path: path, reason: "\(error)")
        }
        let unknown = applied.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw StoreError.unusable(
                path: path,
                reason: "its schema (\(unknown.last!)) is newer than this binary's (\(known.last ?? "none")); "
                    + "use the Sluice release that wrote it or a newer one")
        }
    }
}
