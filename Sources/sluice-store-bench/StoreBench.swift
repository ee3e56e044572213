// Benchmark: what the store, the daemon's pass and the CLI cost as history grows.
//
//     swift build -c release && .build/release/sluice-store-bench [--rollouts 1000] [--events 1000000]
//
// Builds a database of finished rollouts through the real controller, fills the event log, then measures a daemon
// pass and the CLI's read commands (the release `sluice` beside this executable) on it and on a fresh database, each
// against a baseline measured in the same run on the same disk: one SQLite commit and one bare process spawn.
// Prints a table and appends one line to a history file, so that a regression shows.

import ArgumentParser
import Foundation
import GRDB
import SluiceController
import SluiceCore
import SluiceStore

@main
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-store-bench", abstract: "Measure the store, a daemon pass and the CLI as history grows.")

    @Option(help: "Finished rollouts in the large database.") var rollouts = 1000
    @Option(help: "Events in the large database's log.") var events = 1_000_000
    @Option(help: "Timed repetitions of each measure (the median is reported).") var repeats = 15
    @Option(help: "Where the databases go (default: a new temporary folder, removed afterwards).") var directory: String?
    @Option(help: "The history file a line of results is appended to; '-' for none.")
    var history = "docs/performance-history.tsv"

    func run() async throws {
        let folder = directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        var results = Results()

        results.add("baseline: one SQLite commit (fsync)", ms: try Baseline.commitMilliseconds(in: folder))
        results.add("baseline: spawn /bin/true", ms: try Baseline.spawnMilliseconds(repeats: repeats))

        let fresh = folder.appendingPathComponent("fresh.db").path
        let freshStore = try SluiceStore(path: fresh)
        try await History.finishRollouts(1, in: freshStore, prefix: "done")
        let freshController = try await History.activeRollout(in: freshStore)
        results.add("daemon pass, 1 active rollout", ms: try await Timing.median(repeats) {
            _ = try await freshController.pass()
        })

        let large = folder.appendingPathComponent("large.db").path
        let largeStore = try SluiceStore(path: large)
        try await History.finishRollouts(rollouts, in: largeStore, prefix: "done")
        let largeController = try await History.activeRollout(in: largeStore)
        let (statements, written) = (largeStore.statementCount, largeStore.rowsWritten())
        _ = try await largeController.pass()
        results.note(
            "one quiet pass: \(largeStore.statementCount - statements) SQL statements, "
                + "\(largeStore.rowsWritten() - written) rows written (lease, pass time, a gate evaluation a minute)")
        results.add(
            "daemon pass, 1 active + \(rollouts) finished", ms: try await Timing.median(repeats) {
                _ = try await largeController.pass()
            })
        try largeStore.appendEvents(
            count: max(0, events - (try largeStore.events(rollout: nil).count)), rollout: "done-0", now: 1)

        let cli = CLI(sluice: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sluice").path)
        results.add(
            "sluice --help (process start, no database)",
            ms: try Timing.medianBlocking(repeats) { try cli.run(["--help"], database: nil) })
        for (label, database) in [("fresh DB", fresh), ("\(rollouts) rollouts, \(events) events", large)] {
            for command in [["list"], ["get", "active"], ["events", "active"], ["explain", "active"]] {
                results.add(
                    "sluice \(command[0]), \(label)",
                    ms: try Timing.medianBlocking(repeats) { try cli.run(command, database: database) })
            }
        }
        let verify = try Timing.once { try cli.run(["events", "active", "--verify"], database: large) }
        results.add("sluice events --verify, \(events) events", ms: verify)
        results.note("largest child's max RSS: \(Baseline.childrenMaxRSSMegabytes()) MB")
        let watch = try WatchLatency.milliseconds(
            sluice: cli.sluice, database: large, store: largeStore, rollout: "active", repeats: repeats)
        results.add("sluice watch, a commit until its line", ms: watch.median)
        results.note(String(format: "watch: largest delay %.1f ms", watch.max))

        print(results.table)
        if history != "-" { try results.append(toHistory: history) }
    }
}

/// Measured rows, printed as a table and kept as one history line.
struct Results {
    var rows: [(label: String, ms: Double)] = []
    var notes: [String] = []

    mutating func add(_ label: String, ms: Double) { rows.append((label, ms)) }
    mutating func note(_ text: String) { notes.append(text) }

    var table: String {
        let commit = rows.first { $0.label.hasPrefix("baseline: one SQLite") }?.ms ?? 1
        let spawn = rows.first { $0.label.hasPrefix("baseline: spawn") }?.ms ?? 1
        let width = rows.map(\.label.count).max() ?? 0
        var lines = ["\("measure".padding(toLength: width, withPad: " ", startingAt: 0))  median ms  ratio to baseline"]
        for row in rows {
            let isCLI = row.label.hasPrefix("sluice ")
            let ratio = row.ms / (isCLI ? spawn : commit)
            lines.append(
                row.label.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  " + String(format: "%9.2f", row.ms)
                    + "  " + String(format: "%6.1f× %@", ratio, isCLI ? "spawn" : "commit"))
        }
        return (lines + notes.map { "- \($0)" }).joined(separator: "\n")
    }

    func append(toHistory path: String) throws {
        let exists = FileManager.default.fileExists(atPath: path)
        let header = "date\t" + rows.map(\.label).joined(separator: "\t") + "\n"
        let line = ISO8601DateFormatter().string(from: Date()) + "\t"
            + rows.map { String(format: "%.2f", $0.ms) }.joined(separator: "\t") + "\n"
        let handle: FileHandle
        if exists {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            handle.seekToEndOfFile()
        } else {
            FileManager.default.createFile(atPath: path, contents: Data(header.utf8))
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            handle.seekToEndOfFile()
        }
        handle.write(Data(line.utf8))
        try handle.close()
    }
}

/// What the ratios are taken against, measured on the same machine and disk in the same run.
enum Baseline {
    /// One small row inserted and committed with SQLite's defaults in WAL mode, as the store does.
    static func commitMilliseconds(in folder: URL) throws -> Double {
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("baseline.db").path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)") }
        var samples: [Double] = []
        for index in 0..<200 {
            let start = ContinuousClock.now
            try queue.write { try $0.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: ["row \(index)"]) }
            samples.append(Timing.milliseconds(since: start))
        }
        return Timing.median(of: samples)
    }

    static func spawnMilliseconds(repeats: Int) throws -> Double {
        try Timing.medianBlocking(repeats) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/true")
            try process.run()
            process.waitUntilExit()
        }
    }

    /// The largest resident set of any child so far, in MB (Linux reports kilobytes).
    static func childrenMaxRSSMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}

/// The release `sluice`, run as a user runs it.
struct CLI {
    let sluice: String

    func run(_ arguments: [String], database: String?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sluice)
        process.arguments = arguments + (database.map { ["--db", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 || arguments.contains("--verify") else {
            throw ValidationError("sluice \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

enum Timing {
    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        milliseconds(from: start, to: .now)
    }

    static func milliseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
        let elapsed = end - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15
    }

    static func median(of samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func median(_ repeats: Int, _ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            try await body()
            samples.append(milliseconds(since: start))
        }
        return median(of: samples)
    }

    static func medianBlocking(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            try body()
            samples.append(milliseconds(since: start))
        }
        return median(of: samples)
    }

    static func once(_ body: () throws -> Void) throws -> Double { try medianBlocking(1, body) }
}
