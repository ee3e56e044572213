/// The command templates of the exec driver, as read from a `kind: ExecDriver` file.
public struct ExecDriverConfig: Sendable, Equatable {
    /// Argument templates for applying the artifact to a batch; the first is the program.
    public var apply: [String]
    /// Argument templates for reverting it.
    public var revert: [String]
    public var timeoutSeconds: Double
    /// Nodes per command, so that a large batch never exceeds the system's argument limits.
    public var maxNodesPerCall: Int

    public init(apply: [String], revert: [String], timeoutSeconds: Double = 120, maxNodesPerCall: Int = 200) {
        self.apply = apply
        self.revert = revert
        self.timeoutSeconds = timeoutSeconds
        self.maxNodesPerCall = maxNodesPerCall
    }

    /// The placeholders a template may use.
    public static let placeholders = ["cluster", "nodes", "artifact", "version", "rollout", "batch"]
}

/// Reads `kind: ExecDriver` files.
public enum ExecDriverManifest {
    /// The driver config in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> ExecDriverConfig {
        let root = try ManifestFile.root(of: path, kind: "ExecDriver")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        _ = metadataName(fields)
        let spec = fields?.required("spec")?.mapping(allowed: ["apply", "revert", "timeout", "maxNodesPerCall"])
        let apply = spec?.required("apply").flatMap(command)
        let revert = spec?.required("revert").flatMap(command)
        let timeout = spec?["timeout"]?.durationSeconds() ?? 120
        let maxNodes = spec?["maxNodesPerCall"]?.int(atLeast: 1) ?? 200
        try root.reader.check()
        guard let apply, let revert else { throw ManifestError(root.reader.problems) }
        return ExecDriverConfig(apply: apply, revert: revert, timeoutSeconds: timeout, maxNodesPerCall: maxNodes)
    }

    static func command(_ node: ManifestNode) -> [String]? {
        guard let arguments = node.mapping(allowed: ["command"])?.required("command")?.sequence() else { return nil }
        let words = arguments.compactMap { argument -> String? in
            guard let word = argument.string() else { return nil }
            for placeholder in placeholders(in: word) where !ExecDriverConfig.placeholders.contains(placeholder) {
                argument.fail("unknown placeholder {\(placeholder)}; use \(ExecDriverConfig.placeholders.map { "{\($0)}" }.joined(separator: ", "))")
            }
            return word
        }
        if words.isEmpty { node.fail("command needs at least a program") }
        return words.count == arguments.count && !words.isEmpty ? words : nil
    }

    /// The `{name}` placeholders of `word`: letters only between braces, not after `$` (shell's `${VAR}`).
    static func placeholders(in word: String) -> [String] {
        var names: [String] = []
        _ = substitute(word) { name in
            names.append(name)
            return nil
        }
        return names
    }

    /// `word` with each `{name}` placeholder replaced by `value(name)`; left as written where that is nil.
    public static func substitute(_ word: String, value: (String) -> String?) -> String {
        var result = ""
        var previous: Character?
        var pending: String?
        for character in word {
            if let name = pending {
                if character == "}" && !name.isEmpty {
                    result += value(name) ?? "{\(name)}"
                    pending = nil
                } else if character.isLetter {
                    pending = name + String(character)
                } else {
                    result += "{" + name
                    pending = nil
                    if character == "{" && previous != "$" { pending = "" } else { result.append(character) }
                }
            } else if character == "{" && previous != "$" {
                pending = ""
            } else {
                result.append(character)
            }
            previous = character
        }
        if let name = pending { result += "{" + name }
        return result
    }
}
