import Foundation
internal import Yams

/// Reads a YAML manifest from disk, refusing what is not one: a directory, a binary or huge file, bad YAML.
package enum ManifestFile {
    /// Manifests are small; anything larger is a mistake (a wrong path, a log file).
    static let maxBytes = 4 << 20

    /// The root node of `path`, checked to be a mapping with this `apiVersion` and `kind`.
    package static func root(of path: String, kind: String) throws(ManifestError) -> ManifestNode {
        let text = try readText(path)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ManifestError([yamlProblem(error, file: path, text: text)])
        }
        guard let node else {
            throw ManifestError([ManifestProblem(file: path, line: 0, field: "", message: "the file is empty")])
        }
        let root = ManifestNode(node: node, path: "", file: path, reader: ManifestReader())
        guard let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"]) else {
            throw ManifestError(root.reader.problems)
        }
        if let version = fields.required("apiVersion")?.string(), version != "sluice.dev/v1" {
            fields.required("apiVersion")?.fail("'\(version)' is not supported; use sluice.dev/v1")
        }
        if let found = fields.required("kind")?.string(), found != kind {
            fields.required("kind")?.fail("expected a \(kind), found '\(found)'")
        }
        try root.reader.check()
        return root
    }

    /// The line of the second `key:` at or after `line`: where a duplicated key is given again.
    static func secondOccurrence(of key: String, in text: String, from line: Int) -> Int? {
        var seen = 0
        for (index, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index + 1 >= line {
            var rest = Substring(content)
            while let range = rest.range(of: "\(key):") {
                let before = rest[..<range.lowerBound].last
                if before == nil || before == " " || before == "{" || before == "," || before == "-" {
                    seen += 1
                    if seen == 2 { return index + 1 }
                }
                rest = rest[range.upperBound...]
            }
        }
        return nil
    }

    static func readText(_ path: String) throws(ManifestError) -> String {
        func problem(_ message: String) -> ManifestError {
            ManifestError([ManifestProblem(file: path, line: 0, field: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw problem("no such file")
        }
        if isDirectory.boolValue { throw problem("is a directory; give the path of a YAML file") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maxBytes {
            throw problem("is \(size / 1024) KiB; a manifest is at most \(maxBytes / 1024) KiB, is this the right file?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw problem("cannot be read (check its permissions)")
        }
        if data.contains(0) { throw problem("is a binary file, not YAML") }
        guard let text = String(data: data, encoding: .utf8) else { throw problem("is not UTF-8 text") }
        if text.allSatisfy(\.isWhitespace) { throw problem("the file is empty") }
        return text
    }

    static func yamlProblem(_ error: any Error, file: String, text: String) -> ManifestProblem {
        switch error as? YamlError {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? ""
            return ManifestProblem(
                file: file, line: secondOccurrence(of: key, in: text, from: context.mark.line) ?? context.mark.line,
                field: key, message: "is given twice; keep one")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ManifestProblem(file: file, line: mark.line, field: "", message: "malformed YAML: \(problem)")
        case .reader(let problem, _, _, _):
            return ManifestProblem(file: file, line: 0, field: "", message: "unreadable YAML: \(problem)")
        default:
            return ManifestProblem(file: file, line: 0, field: "", message: "malformed YAML: \(error)")
        }
    }
}

/// A manifest read as far as its `spec`: the checked root, the required `metadata.name` and the `spec` node, each
/// problem recorded on the way so that one pass reports every problem of the file.
package struct ManifestDocument {
    package let root: ManifestNode
    /// The `metadata.name` field; nil after recording that it is missing.
    package let nameNode: ManifestNode?
    /// `metadata.name`; nil after recording that it is missing or empty.
    package let name: String?
    /// The `spec` field; nil after recording that it is missing.
    package let specNode: ManifestNode?

    /// Reads `path` as a manifest of `kind`; throws at once only for what stops reading (no file, bad YAML, another
    /// kind or version).
    package static func read(_ path: String, kind: String) throws(ManifestError) -> ManifestDocument {
        let root = try ManifestFile.root(of: path, kind: kind)
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        let metadata = fields?.required("metadata")?.mapping(allowed: ["name", "labels", "annotations"])
        let nameNode = metadata?.required("name")
        return ManifestDocument(
            root: root, nameNode: nameNode, name: nameNode?.string(), specNode: fields?.required("spec"))
    }

    /// The spec's fields, any other than `allowed` a problem.
    package func spec(allowed: [String]) -> ManifestFields? {
        specNode?.mapping(allowed: allowed)
    }

    /// Throws every problem recorded in the file so far.
    package func check() throws(ManifestError) { try root.reader.check() }
}
