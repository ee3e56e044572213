internal import Crypto
import Foundation
internal import GRDB
import SluiceCore
import Synchronization

/// How far the database has taken in its break-glass journal file (one row, table `breakGlassImport`).
///
/// The file as `stat` saw it when it was last read, and how many of its bytes (whole lines) were imported, with a
/// digest of the imported part's first and last 4 KiB: the same file grown by appends keeps them; a file truncated,
/// rewritten or replaced does not, and is imported again from its start.
struct BreakGlassImportMark: Equatable {
    var file: JournalFileStatus
    var importedBytes: Int64
    var prefixDigest: String

    /// Bytes of each end of the imported part that the digest covers.
    static let digestWindow: Int64 = 4096

    /// The digest of the first and last ``digestWindow`` bytes of the journal's first `length` bytes; nil when they
    /// cannot be read (the file is shorter or gone).
    static func prefixDigest(of journal: BreakGlassJournal, length: Int64) -> String? {
        var hash = SHA256()
        for range in [0..<min(digestWindow, length), max(0, length - digestWindow)..<length] {
            guard let bytes = journal.bytes(in: range), bytes.count == range.count else { return nil }
            hash.update(data: bytes)
        }
        return hash.finalize().hexDigits
    }

    static func read(_ db: Database) throws -> BreakGlassImportMark? {
        try Row.fetchOne(db, sql: "SELECT * FROM breakGlassImport WHERE id = 1").map {
            BreakGlassImportMark(
                file: JournalFileStatus(
                    device: $0["device"], inode: $0["inode"], size: $0["size"],
                    modifiedNanoseconds: $0["modifiedNanoseconds"]),
                importedBytes: $0["importedBytes"], prefixDigest: $0["prefixDigest"])
        }
    }

    func write(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO breakGlassImport
                    (id, device, inode, size, modifiedNanoseconds, importedBytes, prefixDigest)
                VALUES (1, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                file.device, file.inode, file.size, file.modifiedNanoseconds, importedBytes, prefixDigest,
            ])
    }

    /// Where reading `journal`, now `file`, starts: past the imported part if the file still begins with it, else 0.
    func resumeOffset(in journal: BreakGlassJournal, now file: JournalFileStatus) -> Int64 {
        guard file.device == self.file.device, file.inode == self.file.inode, file.size >= importedBytes,
            Self.prefixDigest(of: journal, length: importedBytes) == prefixDigest
        else { return 0 }
        return importedBytes
    }
}

/// What one import of the break-glass journal did.
public struct BreakGlassJournalImport: Sendable, Equatable {
    /// Journal lines read and decoded: 0 when the file did not change since it was last imported.
    public var linesRead: Int
    /// Records that changed the database.
    public var changed: Int

    static let nothing = BreakGlassJournalImport(linesRead: 0, changed: 0)
}

extension SluiceStore {
    /// Imports what is new in this database's break-glass journal file, if there is one. The file is kept.
    ///
    /// An unchanged file costs one `stat` (and, the first time in this process, one small read); lines appended since
    /// the last import are read alone; a file truncated or rewritten is imported again from its start. Importing is
    /// idempotent, so two processes importing the same lines at once do no harm. A torn last line is left for later.
    @discardableResult
    public func importBreakGlassJournal() throws(StoreError) -> BreakGlassJournalImport {
        guard let journal = breakGlassJournal, let file = journal.status() else { return .nothing }
        if journalSeen.withLock({ $0 == file }) { return .nothing }
        let mark = try read { db in try BreakGlassImportMark.read(db) }
        if mark?.file == file {
            journalSeen.withLock { $0 = file }
            return .nothing
        }
        // Read and decode outside the write transaction: a large first import must not hold the daemon's writes.
        let start = mark?.resumeOffset(in: journal, now: file) ?? 0
        guard let tail = journal.bytes(in: start..<file.size) else { return .nothing }
        let whole = tail[..<(tail.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? tail.startIndex)]
        let records = BreakGlassJournal.decode(lines: whole)
        let importedBytes = start + Int64(whole.count)
        let next = BreakGlassImportMark(
            file: file, importedBytes: importedBytes,
            prefixDigest: BreakGlassImportMark.prefixDigest(of: journal, length: importedBytes) ?? "")
        let changed = try write { db in
            let changed = try Self.importBreakGlass(records, db: db)
            // Another process may have moved the mark meanwhile; its mark is as good as this one, so it stays.
            if try BreakGlassImportMark.read(db) == mark { try next.write(db) }
            return changed
        }
        journalSeen.withLock { $0 = file }
        return BreakGlassJournalImport(
            linesRead: whole.lazy.filter { $0 == UInt8(ascii: "\n") }.count, changed: changed)
    }
}
