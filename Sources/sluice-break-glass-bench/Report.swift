import Foundation

/// Milliseconds of wall time.
enum Measure {
    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func once(_ body: () throws -> Void) throws -> Double {
        milliseconds(try ContinuousClock().measure(body))
    }

    /// The median of `repeats` timings of `body`.
    static func median(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        let samples = try (0..<max(1, repeats)).map { _ in try once(body) }.sorted()
        return samples[samples.count / 2]
    }

    static func median(_ repeats: Int, _ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) { samples.append(milliseconds(try await ContinuousClock().measure(body))) }
        return samples.sorted()[samples.count / 2]
    }
}

/// A program run to its end with its output thrown away.
enum Spawn {
    static func run(_ program: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(
                .executableLoad, userInfo: [NSFilePathErrorKey: "\(program) exited \(process.terminationStatus)"])
        }
    }
}

extension Spawn {
    /// `xargs -P parallelism -n 1 true` over `count` lines: `count` processes, `parallelism` at once.
    static func xargs(count: Int, parallelism: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xargs")
        process.arguments = ["-P", "\(parallelism)", "-n", "1", "true"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(String(repeating: "x\n", count: count).utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Rows of measures, each with its ratio to the spawn baseline where that means something; a table and a history line.
struct Report {
    var rows: [(label: String, ms: Double, spawns: Double?)] = []
    var notes: [String] = []

    /// `ms` for `label`, and how many bare spawns (`perSpawn` ms each) it is worth when given.
    mutating func row(_ label: String, ms: Double, perSpawn: Double? = nil) {
        rows.append((label, ms, perSpawn.map { ms / $0 }))
    }

    mutating func note(_ text: String) { notes.append(text) }

    var table: String {
        let width = rows.map(\.label.count).max() ?? 0
        let lines = rows.map { row in
            row.label.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %11.2f ms", row.ms)
                + (row.spawns.map { String(format: "  %9.1f× spawn", $0) } ?? "")
        }
        return (lines + notes.map { "- \($0)" }).joined(separator: "\n")
    }

    /// Appends a line (date, then each row's milliseconds) to the tab-separated file at `path`, with a header first.
    func append(toHistory path: String) throws {
        var text = ""
        if !FileManager.default.fileExists(atPath: path) {
            text = "date\t" + rows.map(\.label).joined(separator: "\t") + "\n"
        }
        text += ISO8601DateFormatter().string(from: Date()) + "\t"
            + rows.map { String(format: "%.2f", $0.ms) }.joined(separator: "\t") + "\n"
        guard let handle = FileHandle(forWritingAtPath: path) else {
            return try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
