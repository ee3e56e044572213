internal import Yams
internal import SluiceCore

/// Collects the problems of one file, and where each field stands, while it is decoded.
package final class ManifestReader {
    package private(set) var problems: [ManifestProblem] = []
    /// What is doubtful but not wrong (a signal no source knows); the file still loads.
    package private(set) var warnings: [ManifestProblem] = []
    /// The line of every field path seen, so that problems found later (by the core) can be placed.
    package private(set) var lines: [String: Int] = [:]

    func add(_ problem: ManifestProblem) { problems.append(problem) }
    package func warn(_ warning: ManifestProblem) { warnings.append(warning) }
    func note(path: String, line: Int) { if lines[path] == nil { lines[path] = line } }
    /// Whether the file holds the field at `path`.
    package func has(_ path: String) -> Bool { lines[path] != nil }

    /// The line of `path`, or of its nearest parent that was seen.
    package func line(of path: String) -> Int {
        var path = Substring(path)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return 0
    }

    package func check() throws(ManifestError) {
        if !problems.isEmpty { throw ManifestError(problems) }
    }
}

/// A YAML node with its field path and file, whose accessors record a placed problem instead of failing.
///
/// Accessors return nil after recording the problem, so one pass reports every problem of a file.
package struct ManifestNode {
    let node: Node
    package let path: String
    package let file: String
    package let reader: ManifestReader

    init(node: Node, path: String, file: String, reader: ManifestReader) {
        self.node = node
        self.path = path
        self.file = file
        self.reader = reader
        reader.note(path: path, line: line)
    }

    package var line: Int { node.mark?.line ?? 0 }

    package func fail(_ message: String) {
        reader.add(ManifestProblem(file: file, line: line, field: path, message: message))
    }

    /// Records a warning at this node: the file still loads.
    package func warn(_ message: String) {
        reader.warn(ManifestProblem(file: file, line: line, field: path, message: message))
    }

    func child(_ node: Node, _ component: String) -> ManifestNode {
        let childPath = component.hasPrefix("[") || path.isEmpty ? path + component : "\(path).\(component)"
        return ManifestNode(node: node, path: childPath, file: file, reader: reader)
    }

    /// The fields of a mapping; unknown and duplicate keys are problems.
    package func mapping(allowed: [String]) -> ManifestFields? {
        guard case .mapping(let mapping) = node else {
            fail("expected a mapping of \(allowed.joined(separator: ", "))")
            return nil
        }
        var fields: [String: ManifestNode] = [:]
        for (key, value) in mapping {
            guard let name = key.string else {
                fail("a key must be a string")
                continue
            }
            let field = child(value, name)
            if fields[name] != nil {
                reader.add(ManifestProblem(file: file, line: key.mark?.line ?? line, field: field.path,
                                           message: "is given twice"))
            } else if !allowed.contains(name) {
                let hint = closest(to: name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                reader.add(ManifestProblem(file: file, line: key.mark?.line ?? line, field: field.path,
                                           message: "unknown field\(hint) (allowed: \(allowed.joined(separator: ", ")))"))
            }
            fields[name] = field
        }
        return ManifestFields(owner: self, fields: fields)
    }

    package func sequence() -> [ManifestNode]? {
        guard case .sequence(let sequence) = node else {
            fail("expected a list")
            return nil
        }
        return sequence.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    package func string() -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            fail("expected a non-empty string")
            return nil
        }
        return scalar.string
    }

    package func int(atLeast minimum: Int) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            fail("expected a whole number")
            return nil
        }
        guard value >= minimum else {
            fail("must be at least \(minimum), found \(value)")
            return nil
        }
        return value
    }

    package func bool() -> Bool? {
        switch node.string {
        case "true": return true
        case "false": return false
        default:
            fail("expected true or false")
            return nil
        }
    }

    package func double() -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            fail("expected a number")
            return nil
        }
        return value
    }

    /// A duration with units (`30s`, `5m`, `1h30m`), in seconds.
    package func durationSeconds() -> Double? {
        guard case .scalar(let scalar) = node, let seconds = DurationText.seconds(scalar.string) else {
            fail("'\(node.string ?? "")' is not a duration; write it with units, like 30s, 5m or 1h30m")
            return nil
        }
        return seconds
    }

    /// A duration that must be longer than zero; `zeroMeans` says what zero would do, in the error.
    package func positiveDurationSeconds(zeroMeans: String) -> Double? {
        guard let seconds = durationSeconds() else { return nil }
        guard seconds > 0 else {
            fail("\(DurationText.format(seconds)) \(zeroMeans)")
            return nil
        }
        return seconds
    }

    package func stringMap() -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            fail("expected a mapping of strings")
            return nil
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.string, case .scalar(let scalar) = value else {
                fail("expected string keys and values")
                return nil
            }
            result[name] = scalar.string
        }
        return result
    }

    /// One of `choices`, by its raw value.
    package func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        guard let text = string() else { return nil }
        guard let value = Choice(rawValue: text) else {
            fail("'\(text)' is not one of \(names.joined(separator: ", "))")
            return nil
        }
        return value
    }
}

/// The fields of one mapping.
package struct ManifestFields {
    package let owner: ManifestNode
    package let fields: [String: ManifestNode]

    package subscript(_ name: String) -> ManifestNode? { fields[name] }

    /// The field, or nil after recording that it is missing.
    package func required(_ name: String) -> ManifestNode? {
        if let field = fields[name] { return field }
        let path = owner.path.isEmpty ? name : "\(owner.path).\(name)"
        owner.reader.add(ManifestProblem(file: owner.file, line: owner.line, field: path, message: "is required"))
        return nil
    }
}

/// The allowed name nearest to a misspelt one, when it is near enough to be the likely intent.
func closest(to name: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 3) else { return nil }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
