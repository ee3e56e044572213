import Foundation
import SluiceCore
import Synchronization
internal import GRDB
internal import GRDBSQLite

/// Sluice's state in one SQLite file, shared by `sluiced` and `sluice`.
///
/// The CLI writes specs and requests; only the lease holder writes status and the journal, and every such write checks
/// the lease's fencing number in the same transaction, so a daemon that lost its lease cannot write.
public final class SluiceStore: Sendable {
    let writer: any DatabaseWriter
    /// Decoded specs by rollout name and submission time: a spec never changes once submitted, and decoding a large
    /// one at every pass would dominate the daemon's work.
    private let specs = Mutex<[String: RolloutSpec]>([:])
    /// The last status decoded or written per rollout, with its text: reused while the stored text is the same,
    /// decoded again once another writer changed it; and the encoded parts of the last status this store wrote, so
    /// that a write re-encodes only what changed (``StatusParts``). Bounded, so a long-lived process does not grow
    /// with history.
    private let statuses = Mutex<[String: KeptStatus]>([:])
    static let decodedStatusesKept = 64
    /// The break-glass journal file as this store last imported it: while `stat` still says the same, there is
    /// nothing to import and no statement is run.
    let journalSeen = Mutex<JournalFileStatus?>(nil)
    /// Where the database lives, or nil when it is in memory.
    public let path: String?
    private let statements: StatementCounter

    /// SQL statements this store has executed so far: what a pass costs, as a number that does not depend on the
    /// machine's speed (tests assert that it does not grow with history; benchmarks print it).
    public var statementCount: Int { statements.count }

    /// Opens (creating if needed) the database at `path` in WAL mode, waiting up to `busyTimeoutSeconds` for locks.
    ///
    /// What is new in a break-glass journal file left next to the database is imported (idempotently). With
    /// `createIfMissing` false, a missing or empty file is unusable rather than created anew.
    public init(path: String, busyTimeoutSeconds: Double = 5, createIfMissing: Bool = true) throws(StoreError) {
        self.path = path
        statements = StatementCounter()
        if !createIfMissing {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            guard let size, size > 0 else {
                throw StoreError.unusable(path: path, reason: size == nil ? "the file is missing" : "the file is empty")
            }
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(busyTimeoutSeconds)
            configuration.foreignKeysEnabled = true
            statements.install(in: &configuration)
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.unusable(path: path, reason: "\(error)")
        }
        try Schema.refuseNewer(writer, path: path)
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw StoreError.unusable(path: path, reason: "\(error)")
        }
        // Break-glass may have run while the database was unusable; what it did is recorded here from now on.
        _ = try? importBreakGlassJournal()
    }

    /// Opens an existing database for reading only: no migration, no journal import, no write. For break-glass when
    /// the database is locked for writing by another process (in WAL mode it can still be read).
    public init(readOnlyPath path: String, busyTimeoutSeconds: Double = 1) throws(StoreError) {
        self.path = path
        statements = StatementCounter()
        do {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError.unusable(path: path, reason: "the file is missing")
            }
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(busyTimeoutSeconds)
            writer = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError.unusable(path: path, reason: "\(error)")
        }
        try Schema.refuseNewer(writer, path: path)
    }

    /// A private in-memory database, for tests and virtual-time runs.
    public init() throws(StoreError) {
        path = nil
        statements = StatementCounter()
        do {
            var configuration = Configuration()
            statements.install(in: &configuration)
            writer = try DatabaseQueue(configuration: configuration)
            try Schema.migrator.migrate(writer)
        } catch {
            throw StoreError.unusable(path: ":memory:", reason: "\(error)")
        }
    }

    /// The default database path: `$SLUICE_DB`, else `$XDG_STATE_HOME/sluice/sluice.db`, else
    /// `~/.local/state/sluice/sluice.db`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["SLUICE_DB"], !path.isEmpty { return path }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/sluice/sluice.db"
    }

    /// The version of the SQLite library this process runs with (`sqlite3_libversion`).
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }

    /// Pages of the database that the connection reads go through has visited so far (SQLite's page cache hits and
    /// misses): how much data statements touched, whatever the machine's speed. Whole for an in-memory store, which
    /// has one connection; a file database's pool spreads reads over several.
    package func pagesVisited() throws(StoreError) -> Int {
        try read { db in
            var hits: Int32 = 0
            var misses: Int32 = 0
            var highwater: Int32 = 0
            sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_HIT, &hits, &highwater, 0)
            sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_MISS, &misses, &highwater, 0)
            return Int(hits) + Int(misses)
        }
    }

    /// Rows inserted, updated or deleted through this store so far (SQLite's total changes on the writing
    /// connection): what a pass writes, whatever the machine's speed.
    package func rowsWritten() -> Int {
        writer.writeWithoutTransaction { db in db.totalChangesCount }
    }

    func decodedStatus(rollout name: String, text: String) throws -> RolloutStatus {
        if let cached = statuses.withLock({ $0[name] }), cached.text == text { return cached.status }
        let status = try Codec.decode(RolloutStatus.self, from: text)
        remember(status, text: text, rollout: name)
        return status
    }

    /// Keeps `status` as the decoding of `text` (what was just read or written), so that reading `text` back costs
    /// no decoding. An entry whose write was rolled back is never used: the stored text differs from it.
    func remember(_ status: RolloutStatus, text: String, parts: StatusParts? = nil, rollout name: String) {
        statuses.withLock { kept in
            if kept.count >= Self.decodedStatusesKept && kept[name] == nil { kept.removeAll(keepingCapacity: true) }
            kept[name] = KeptStatus(text: text, status: status, parts: parts ?? kept[name]?.parts ?? StatusParts())
        }
    }

    /// The text `status` of rollout `name` is stored as, exactly `Codec.encode`'s, re-encoding only the parts that
    /// changed since this store last wrote the rollout's status; remembered, so that reading it back costs no
    /// decoding.
    func encodedStatus(_ status: RolloutStatus, rollout name: String) throws -> String {
        // Taken out while in use, so that changing them does not copy them.
        var parts = statuses.withLock { kept in
            defer { kept[name]?.parts = StatusParts() }
            return kept[name]?.parts ?? StatusParts()
        }
        let text = try parts.splicedText(of: status) ?? Codec.encode(status)
        remember(status, text: text, parts: parts, rollout: name)
        return text
    }

    func decodedSpec(name: String, submittedAt: Double, text: String) throws -> RolloutSpec {
        let key = "\(name)@\(submittedAt)"
        if let spec = specs.withLock({ $0[key] }) { return spec }
        let spec = try Codec.decode(RolloutSpec.self, from: text)
        specs.withLock { $0[key] = spec }
        return spec
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }
}

/// Why the store refused or failed.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case unusable(path: String, reason: String)
    case duplicateRollout(String)
    case unknownRollout(String)
    case refused(String)
    /// This daemon no longer holds the lease: another one took over.
    case leaseLost(owner: String, fence: Int64)
    case database(String)

    static func wrap(_ error: any Error) -> StoreError {
        (error as? StoreError) ?? .database("\(error)")
    }

    public var description: String {
        switch self {
        case .unusable(let path, let reason):
            "cannot open the database \(path): \(reason); check the path (--db or SLUICE_DB) and its permissions"
        case .duplicateRollout(let name):
            "a rollout named '\(name)' already exists; give the plan a new metadata.name"
        case .unknownRollout(let name): "no rollout named '\(name)'; `sluice list` shows the rollouts"
        case .refused(let reason): reason
        case .leaseLost(let owner, let fence): "lease lost to \(owner) (fence \(fence)); this daemon stands down"
        case .database(let message): "database error: \(message)"
        }
    }
}

/// Counts the SQL statements run on a store's connections.
final class StatementCounter: Sendable {
    private let executed = Atomic<Int>(0)

    var count: Int { executed.load(ordering: .relaxed) }

    /// Counts every statement of every connection `configuration` opens.
    func install(in configuration: inout Configuration) {
        configuration.prepareDatabase { [self] db in
            db.trace(options: .statement) { _ in self.executed.add(1, ordering: .relaxed) }
        }
    }
}

/// What the store keeps of a rollout's latest status (see `SluiceStore.statuses`).
struct KeptStatus {
    var text: String
    var status: RolloutStatus
    var parts: StatusParts
}
