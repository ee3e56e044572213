import Foundation

/// A benchmark's measured rows, each with its ratio to a baseline of the same run where one applies: printed as a
/// table and appended as one line to a history file, so that a regression shows against earlier runs.
public struct BenchReport {
    /// What a row is compared with: a name (`spawn`, `commit`) and its milliseconds.
    public struct Baseline: Sendable {
        public var name: String
        public var milliseconds: Double

        public init(_ name: String, milliseconds: Double) {
            self.name = name
            self.milliseconds = milliseconds
        }
    }

    public private(set) var rows: [(label: String, ms: Double, baseline: Baseline?)] = []
    public private(set) var notes: [String] = []

    public init() {}

    public mutating func row(_ label: String, ms: Double, against baseline: Baseline? = nil) {
        rows.append((label, ms, baseline))
    }

    public mutating func note(_ text: String) { notes.append(text) }

    public var table: String {
        let width = rows.map(\.label.count).max() ?? 0
        let header = "measure".padding(toLength: width, withPad: " ", startingAt: 0) + "  median ms  ratio to baseline"
        let lines = rows.map { row in
            row.label.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %9.2f", row.ms)
                + (row.baseline.map { String(format: "  %8.1f× %@", row.ms / $0.milliseconds, $0.name) } ?? "")
        }
        return ([header] + lines + notes.map { "- \($0)" }).joined(separator: "\n")
    }

    /// Appends a line (date, then each row's milliseconds) to the tab-separated file at `path`, with a header first.
    public func append(toHistory path: String) throws {
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
