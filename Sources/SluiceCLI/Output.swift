import ArgumentParser
import Foundation
import Yams
import SluiceCore

/// How read commands print.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case yaml

    /// `object` as a document of `kind` (see ``Document``) in JSON or YAML; nil for `table`, which each command
    /// renders itself.
    func encode(_ object: some Encodable, kind: String) throws -> String? {
        try encode(Document(kind: kind, body: object))
    }

    /// `items` as a list document of `kind` (`{apiVersion, kind, items}`); nil for `table`.
    func encode<Item: Encodable>(items: [Item], kind: String) throws -> String? {
        try encode(ListDocument(kind: kind, items: items))
    }

    private func encode(_ value: some Encodable) throws -> String? {
        switch self {
        case .table:
            return nil
        case .json:
            return String(decoding: try Self.jsonEncoder(pretty: true).encode(value), as: UTF8.self)
        case .yaml:
            return try YAMLEncoder().encode(value)
        }
    }

    /// Sorted keys, unescaped slashes; one line per value unless `pretty`.
    static func jsonEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        return encoder
    }
}

/// The `apiVersion` of every object `-o json|yaml` prints (docs/output.md): a field's meaning never changes within it.
let outputAPIVersion = "sluice.dev/v1"

/// One object of `-o json|yaml`: the body's fields with `apiVersion` and `kind` beside them, as Kubernetes prints
/// its objects, so that a script can tell what it reads.
struct Document<Body: Encodable>: Encodable {
    var kind: String
    var body: Body

    enum Keys: String, CodingKey {
        case apiVersion
        case kind
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(outputAPIVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        // The body writes its own keys into the same object.
        try body.encode(to: encoder)
    }
}

/// A list of objects: `{apiVersion, kind, items}`.
struct ListDocument<Item: Encodable>: Encodable {
    var apiVersion = outputAPIVersion
    var kind: String
    var items: [Item]
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
