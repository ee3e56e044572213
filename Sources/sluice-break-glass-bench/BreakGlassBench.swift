// Benchmark: a break-glass fan-out over many nodes, and what its journal file costs everything that opens the database.
//
//     swift build -c release && .build/release/sluice-break-glass-bench [--nodes 200000] [--parallelism 32]
//
// 1. Reverts `--nodes` nodes with the per-node command `true` (a bare name, looked up along PATH) through the exec
//    channel, journal and database beside each other as `sluice break-glass` has them: wall time, nodes/s, and the
//    children running at once (an exact count of channel calls in flight, and the process's children sampled from
//    /proc) against the configured parallelism. A second, smaller run whose command lives 50 ms shows the ceiling.
// 2. Opens a database whose journal holds 0, 10,000 and `--nodes` lines: the first open (which imports), then a
//    store open, a daemon pass and a `sluice list` (the release binary beside this one) once imported.
// Each against a baseline measured in the same run: one bare process spawn. Appends a line to a history file.

import ArgumentParser
import Foundation
import SluiceBenchSupport
import SluiceBreakGlass
import SluiceController
import SluiceCore
import SluiceStore

@main
struct BreakGlassBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-break-glass-bench",
        abstract: "Measure a break-glass fan-out and the cost of its journal to every store open.")

    @Option(help: "Nodes in the large run and lines in the large journal.") var nodes = 200_000
    @Option(help: "Node reverts at once.") var parallelism = 32
    @Option(help: "Timed repetitions of each open, pass and CLI command (the median is reported).") var repeats = 11
    @Option(help: "The history file a line of results is appended to; '-' for none.")
    var history = "docs/break-glass-history.tsv"

    func run() async throws {
        // Beside the current folder's files (the disk a database usually lives on), removed afterwards.
        let folder = URL(fileURLWithPath: ".sluice-glass-bench-\(getpid())", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var report = BenchReport()
        let spawn = BenchReport.Baseline("spawn", milliseconds: try Spawn.baselineMilliseconds(repeats: repeats * 3))
        report.row("baseline: spawn /bin/true", ms: spawn.milliseconds)
        // What this machine allows at all: xargs running `true` with the same parallelism, no Swift in between.
        let ceilingSpawns = min(nodes, 5000)
        let ceiling = try Timing.once { try Spawn.xargs(count: ceilingSpawns, parallelism: parallelism) }
        report.row("baseline: xargs -P \(parallelism) runs `true` \(ceilingSpawns) times", ms: ceiling)
        report.note(
            String(
                format: "the machine's ceiling: %.0f `true`/s at parallelism %d",
                Double(ceilingSpawns) / ceiling * 1000, parallelism))

        let fast = try await FanOut.run(
            nodes: nodes, parallelism: parallelism, command: ["true"], in: folder.appendingPathComponent("fast"))
        report.row("break-glass, \(nodes) nodes, command `true`", ms: fast.milliseconds, against: spawn)
        report.note(fast.summary(parallelism: parallelism))
        let slowNodes = min(nodes, parallelism * 40)
        let slow = try await FanOut.run(
            nodes: slowNodes, parallelism: parallelism, command: ["sleep", "0.05"],
            in: folder.appendingPathComponent("slow"))
        report.row("break-glass, \(slowNodes) nodes, command `sleep 0.05`", ms: slow.milliseconds, against: spawn)
        report.note(slow.summary(parallelism: parallelism))

        let sluice = Spawn.sibling("sluice")
        for lines in [0, 10_000, nodes] {
            let database = folder.appendingPathComponent("journal-\(lines).db").path
            try JournalFile.write(lines: lines, beside: database)
            let label = lines == 0 ? "no journal" : "\(lines)-line journal"
            report.row(
                "first store open (imports), \(label)", ms: try Timing.once { _ = try SluiceStore(path: database) })
            report.row(
                "store open, \(label)",
                ms: try Timing.median(repeats) { _ = try SluiceStore(path: database) }, against: spawn)
            let pass = try await Pass(database: database)
            report.row(
                "daemon pass, \(label)", ms: try await Timing.median(repeats) { try await pass.run() },
                against: spawn)
            report.row(
                "sluice list, \(label)",
                ms: try Timing.median(repeats) { try Spawn.run(sluice, ["list", "--db", database]) }, against: spawn)
        }
        print(report.table)
        if history != "-" { try report.append(toHistory: history) }
    }
}

/// One break-glass run through the exec channel, counted.
struct FanOut {
    var nodes: Int
    var milliseconds: Double
    var callsInFlightMax: Int
    var childrenSampledMax: Int

    /// Reverts `nodes` nodes (in clusters of 1,000) of a rollout with `command`, journal and database in `folder`.
    static func run(nodes: Int, parallelism: Int, command: [String], in folder: URL) async throws -> FanOut {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = folder.appendingPathComponent("sluice.db").path
        let store = try SluiceStore(path: database)
        let targets = stride(from: 0, to: nodes, by: 1000).map { first in
            let indices = Array(0..<min(1000, nodes - first))
            return ClusterTargets(
                cluster: "c\(first / 1000)", nodeIndices: indices, nodeNames: indices.map { "n\(first + $0)" })
        }
        let gauge = Gauge()
        let channel = CountedChannel(inner: ExecNodeChannel(command: command), gauge: gauge)
        let operation = BreakGlassOperation(
            channels: [channel], journal: store.breakGlassJournal, store: store, parallelism: parallelism, attempts: 1)
        let sampler = ChildSampler()
        let start = ContinuousClock.now
        let report = try await operation.run(
            rollout: "bench", artifact: ArtifactRef(name: "agent", version: "2"), targets: targets, clusters: [],
            reason: "benchmark", actor: "bench", host: "bench")
        let elapsed = Timing.milliseconds(ContinuousClock.now - start)
        let sampled = sampler.stop()
        guard report.succeeded, report.recordedInDatabase else {
            throw ValidationError("the run failed: \(report.outcome); recorded: \(report.recordedInDatabase)")
        }
        return FanOut(nodes: nodes, milliseconds: elapsed, callsInFlightMax: gauge.peak, childrenSampledMax: sampled)
    }

    func summary(parallelism: Int) -> String {
        String(
            format: "%.0f nodes/s; parallelism %d: at most %d channel calls in flight, "
                + "%d children seen at once (/proc sampled every 2 ms)",
            Double(nodes) / milliseconds * 1000, parallelism, callsInFlightMax, childrenSampledMax)
    }
}

/// A database beside a journal of one finished break-glass run.
enum JournalFile {
    /// Creates the database at `database` (migrated, no journal imported) and, unless `lines` is 0, a journal of
    /// `lines` lines beside it: an intent, node results, and the run's end.
    static func write(lines: Int, beside database: String) throws {
        _ = try SluiceStore(path: database)
        guard lines > 0 else { return }
        let writer = try BreakGlassJournalWriter(path: BreakGlassJournal(forDatabase: database).path)
        var intent = BreakGlassJournalRecord(type: .intent, runID: "bg-bench", rollout: "bench", at: 1)
        intent.reason = "benchmark"
        try writer.append(intent)
        for index in 0..<max(0, lines - 2) {
            let node = BreakGlassJournalRecord.node(
                runID: "bg-bench", rollout: "bench", at: 2, cluster: "c\(index / 1000)", node: "n\(index)",
                channel: "exec", state: "reverted", attempts: 1, detail: "")
            try writer.append(node)
        }
        var finished = BreakGlassJournalRecord(type: .finished, runID: "bg-bench", rollout: "bench", at: 3)
        finished.outcome = "reverted"
        try writer.append(finished)
        try writer.sync()
    }
}

/// A daemon's pass on a database with no rollout: lease, clock, journal import, the active set.
struct Pass {
    let controller: RolloutController

    init(database: String) async throws {
        controller = RolloutController(
            store: try SluiceStore(path: database), driver: IdleFleet(), signals: IdleFleet(),
            clock: ManualClock(startingAt: 1), owner: "bench", leaseTTLSeconds: 600)
        _ = try await controller.reconcileOnce()
    }

    func run() async throws { _ = try await controller.reconcileOnce() }
}
