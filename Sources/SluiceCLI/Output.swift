import ArgumentParser
import Foundation
import Yams
import SluiceCore

/// How read commands print.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case yaml

    /// `value` as JSON or YAML; nil for `table`, which each command renders itself.
    func encode(_ value: some Encodable) throws -> String? {
        switch self {
        case .table:
            return nil
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        case .yaml:
            return try YAMLEncoder().encode(value)
        }
    }
}

/// The `-o` option of read commands.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table
}

/// Left-aligned columns separated by two spaces, like kubectl.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

/// Seconds as a short duration, for tables.
func short(_ seconds: Double?) -> String {
    guard let seconds else { return "-" }
    return DurationText.format(seconds)
}
