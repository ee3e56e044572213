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
import SluiceBenchSupport
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
        var results = BenchReport()
        let commit = BenchReport.Baseline("commit", milliseconds: try Baseline.commitMilliseconds(in: folder))
        let spawn = BenchReport.Baseline("spawn", milliseconds: try Spawn.baselineMilliseconds(repeats: repeats))
        results.row("baseline: one SQLite commit (fsync)", ms: commit.milliseconds, against: commit)
        results.row("baseline: spawn /bin/true", ms: spawn.milliseconds, against: commit)

        let fresh = folder.appendingPathComponent("fresh.db").path
        let freshStore = try SluiceStore(path: fresh)
        try await History.finishRollouts(1, in: freshStore, prefix: "done")
        let freshController = try await History.activeRollout(in: freshStore)
        results.row(
            "daemon pass, 1 active rollout", ms: try await Timing.median(repeats) { _ = try await freshController.pass() },
            against: commit)

        let large = folder.appendingPathComponent("large.db").path
        let largeStore = try SluiceStore(path: large)
        try await History.finishRollouts(rollouts, in: largeStore, prefix: "done")
        let largeController = try await History.activeRollout(in: largeStore)
        let (statements, written) = (largeStore.statementCount, largeStore.rowsWritten())
        _ = try await largeController.pass()
        results.note(
            "one quiet pass: \(largeStore.statementCount - statements) SQL statements, "
                + "\(largeStore.rowsWritten() - written) rows written (lease, pass time, a gate evaluation a minute)")
        results.row(
            "daemon pass, 1 active + \(rollouts) finished",
            ms: try await Timing.median(repeats) { _ = try await largeController.pass() }, against: commit)
        try largeStore.appendEvents(
            count: max(0, events - (try largeStore.events(rollout: nil).count)), rollout: "done-0", now: 1)

        let sluice = Spawn.sibling("sluice")
        results.row(
            "sluice --help (process start, no database)",
            ms: try Timing.median(repeats) { try Spawn.run(sluice, ["--help"]) }, against: spawn)
        for (label, database) in [("fresh DB", fresh), ("\(rollouts) rollouts, \(events) events", large)] {
            for command in [["list"], ["get", "active"], ["events", "active"], ["explain", "active"]] {
                results.row(
                    "sluice \(command[0]), \(label)",
                    ms: try Timing.median(repeats) { try Spawn.run(sluice, command + ["--db", database]) },
                    against: spawn)
            }
        }
        // Exits 1 when the chain is broken, which this one is not; its time is what counts here.
        let verify = try Timing.once {
            try Spawn.run(sluice, ["events", "active", "--verify", "--db", large], acceptingFailure: true)
        }
        results.row("sluice events --verify, \(events) events", ms: verify, against: spawn)
        results.note("largest child's max RSS: \(Baseline.childrenMaxRSSMegabytes()) MB")
        let watch = try WatchLatency.milliseconds(
            sluice: sluice, database: large, store: largeStore, rollout: "active", repeats: repeats)
        results.row("sluice watch, a commit until its line", ms: watch.median, against: spawn)
        results.note(String(format: "watch: largest delay %.1f ms", watch.max))

        print(results.table)
        if history != "-" { try results.append(toHistory: history) }
    }
}

/// What the ratios are taken against, measured on the same machine and disk in the same run.
enum Baseline {
    /// One small row inserted and committed with SQLite's defaults in WAL mode, as the store does.
    static func commitMilliseconds(in folder: URL) throws -> Double {
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("baseline.db").path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)") }
        return try Timing.median(200) { try queue.write { try $0.execute(sql: "INSERT INTO t (v) VALUES ('row')") } }
    }

    /// The largest resident set of any child so far, in MB (Linux reports kilobytes).
    static func childrenMaxRSSMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
