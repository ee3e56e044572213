import Foundation

/// An append-only JSON Lines file next to the database, written by break-glass whether or not the database works.
///
/// A line is a record only when it is whole: a line torn by a crash mid-write is skipped on read, and a writer that
/// finds one at the end of the file ends it first, so the next record starts on a line of its own.
public struct BreakGlassJournal: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The journal file that belongs to the database at `databasePath`.
    public init(forDatabase databasePath: String) {
        path = databasePath + ".break-glass.jsonl"
    }

    /// Appends one record as one line and syncs it to disk before returning. A run appends many through one
    /// ``BreakGlassJournalWriter`` instead, which syncs them together.
    public func append(_ record: BreakGlassJournalRecord) throws {
        let writer = try BreakGlassJournalWriter(path: path)
        try writer.append(record)
        try writer.sync()
    }

    /// Every record in the file, in order; a torn line is skipped. Empty when there is no file.
    public func records() -> [BreakGlassJournalRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return Self.decode(lines: data[...])
    }

    /// The records of the whole lines in `data`: lines that are not a record (torn, blank) are skipped.
    static func decode(lines data: Data.SubSequence) -> [BreakGlassJournalRecord] {
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? decoder.decode(BreakGlassJournalRecord.self, from: Data($0))
        }
    }

    /// What one `stat` says of the file: enough to tell that it did not change. Nil when there is no file.
    func status() -> JournalFileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return JournalFileStatus(
            device: Int64(info.st_dev), inode: Int64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// The bytes of the file in `range` (fewer if the file is shorter), or nil when it cannot be read.
    func bytes(in range: Range<Int64>) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(range.lowerBound))
            return try handle.read(upToCount: range.count) ?? Data()
        } catch {
            return nil
        }
    }
}

/// A journal file's identity, size and modification time, as `stat` reports them.
struct JournalFileStatus: Sendable, Equatable {
    var device: Int64
    var inode: Int64
    var size: Int64
    var modifiedNanoseconds: Int64
}

/// Appends records to a break-glass journal, syncing to disk only when asked (group commit).
///
/// Records are buffered and written whole lines at a time; ``sync()`` writes what is buffered and waits for the disk.
/// A record is durable only once a `sync` after it returned. Not for use from two tasks at once.
public final class BreakGlassJournalWriter {
    public let path: String
    private let descriptor: Int32
    private var buffer = Data()
    private let encoder: JSONEncoder
    /// Buffered bytes past which `append` writes them out (still without syncing).
    private static let bufferLimit = 64 * 1024

    /// Opens (creating if needed, mode 600) the journal at `path` for appending. A torn last line is ended first.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure(path) }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var info = stat()
        var last: UInt8 = 0
        if fstat(descriptor, &info) == 0, info.st_size > 0, pread(descriptor, &last, 1, info.st_size - 1) == 1,
            last != UInt8(ascii: "\n")
        {
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    deinit { close(descriptor) }

    /// Adds `record` as one line; written out when the buffer is full, durable after the next ``sync()``.
    public func append(_ record: BreakGlassJournalRecord) throws {
        buffer.append(try encoder.encode(record))
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    /// Writes what is buffered and syncs the file: every record appended so far is on disk when it returns.
    public func sync() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw Self.failure(path) }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Self.failure(path) }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}
