import Foundation
import SluiceBenchSupport
import SluiceCore
import SluiceStore
import Synchronization

/// How long `sluice watch` takes to show a commit made by another process: from the commit to the line it prints
/// (its plain-line output, as on a pipe).
enum WatchLatency {
    /// Median and largest delay over `repeats` requests recorded on `rollout` while a watch runs on `database`.
    static func milliseconds(
        sluice: String, database: String, store: SluiceStore, rollout: String, repeats: Int
    ) throws -> (median: Double, max: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sluice)
        process.arguments = ["watch", rollout, "--db", database]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = TimedLines(output.fileHandleForReading)
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        _ = try lines.instant(ofLine: 1)
        var samples: [Double] = []
        for index in 0..<repeats {
            // Commits come at any moment of the watch's poll, not just after it drew: spread them over 200 ms.
            usleep(UInt32(index * 37 % 200) * 1000)
            let seen = lines.count
            let start = ContinuousClock.now
            // A unique reason makes each event, and so the watch's line, differ from the one before.
            _ = try? store.request(
                index.isMultiple(of: 2) ? .pause : .resume, rollout: rollout, reason: "bench \(index)", actor: "bench",
                now: Date().timeIntervalSince1970)
            let shown = try lines.instant(ofLine: seen + 1)
            samples.append(Timing.milliseconds(from: start, to: shown))
        }
        return (Timing.median(of: samples), samples.max() ?? 0)
    }
}

/// The lines a child writes, each with the instant it arrived, read on a thread of its own.
final class TimedLines: Sendable {
    private let arrivals = Mutex<[ContinuousClock.Instant]>([])

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while case let data = handle.availableData, !data.isEmpty {
                let now = ContinuousClock.now
                let newlines = data.filter { $0 == UInt8(ascii: "\n") }.count
                arrivals.withLock { $0.append(contentsOf: repeatElement(now, count: newlines)) }
            }
        }
    }

    var count: Int { arrivals.withLock { $0.count } }

    /// When line `number` (from 1) arrived, waiting up to ten seconds for it.
    func instant(ofLine number: Int) throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let instant = arrivals.withLock({ $0.count >= number ? $0[number - 1] : nil }) { return instant }
            usleep(500)
        }
        throw BenchError("sluice watch printed no line \(number) within 10 s")
    }
}
