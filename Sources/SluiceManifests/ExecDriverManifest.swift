internal import SluiceCore

/// The command templates of the exec driver, as read from a `kind: ExecDriver` file.
public struct ExecDriverConfig: Sendable, Equatable {
    /// Argument templates for applying the artifact to a batch; the first is the program.
    public var apply: [String]
    /// Argument templates for reverting it.
    public var revert: [String]
    public var timeoutSeconds: Double
    /// Nodes per command, so that a large batch never exceeds the system's argument limits.
    public var maxNodesPerCall: Int
    /// The command that proves an applied batch runs; nil when applied means only that `apply` exited 0.
    public var verify: Verify?
    /// Argument templates that set up a cluster's APF brake, for plans that ask for one; nil when the file has none.
    public var brake: [String]?
    /// Argument templates that remove it.
    public var release: [String]?

    public init(
        apply: [String], revert: [String], timeoutSeconds: Double = 120, maxNodesPerCall: Int = 200,
        verify: Verify? = nil, brake: [String]? = nil, release: [String]? = nil
    ) {
        self.apply = apply
        self.revert = revert
        self.timeoutSeconds = timeoutSeconds
        self.maxNodesPerCall = maxNodesPerCall
        self.verify = verify
        self.brake = brake
        self.release = release
    }

    /// A command run after a batch's apply, retried until it exits 0 or `timeoutSeconds` have passed.
    ///
    /// Each single run still has the driver's `timeoutSeconds` as its kill budget. A manifest keeps `intervalSeconds`
    /// at most `timeoutSeconds`, so that a failed first try always gets a second.
    public struct Verify: Sendable, Equatable {
        /// Argument templates, with the same placeholders as `apply`.
        public var command: [String]
        /// The total time to wait for every chunk of the batch to succeed.
        public var timeoutSeconds: Double
        /// The pause between a failed try and the next.
        public var intervalSeconds: Double

        public init(command: [String], timeoutSeconds: Double = 300, intervalSeconds: Double = 10) {
            self.command = command
            self.timeoutSeconds = timeoutSeconds
            self.intervalSeconds = intervalSeconds
        }
    }

    /// The placeholders a template may use.
    public static let placeholders = ["cluster", "nodes", "artifact", "version", "rollout", "batch"]
    /// The placeholders `brake` and `release` may use besides those (``APFBrakeSpec``).
    public static let brakePlaceholders = ["serviceAccount", "namespace", "shares"]
}

/// Reads `kind: ExecDriver` files.
public enum ExecDriverManifest {
    /// The driver config in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> ExecDriverConfig {
        let root = try ManifestFile.root(of: path, kind: "ExecDriver")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        _ = metadataName(fields)
        let spec = fields?.required("spec")?.mapping(
            allowed: ["apply", "revert", "verify", "timeout", "maxNodesPerCall", "brake", "release"])
        let apply = spec?.required("apply").flatMap { command($0) }
        let revert = spec?.required("revert").flatMap { command($0) }
        let verify = spec?["verify"].flatMap(Self.verify)
        let brakeWords = ExecDriverConfig.placeholders + ExecDriverConfig.brakePlaceholders
        let brake = spec?["brake"].flatMap { command($0, placeholders: brakeWords) }
        let release = spec?["release"].flatMap { command($0, placeholders: brakeWords) }
        if let spec, (spec["brake"] == nil) != (spec["release"] == nil) {
            (spec["brake"] ?? spec["release"] ?? spec.owner).fail(
                "a driver that sets up an APF brake must also remove it: give both spec.brake and spec.release")
        }
        let timeout = spec?["timeout"]?.durationSeconds() ?? 120
        let maxNodes = spec?["maxNodesPerCall"]?.int(atLeast: 1) ?? 200
        try root.reader.check()
        guard let apply, let revert else { throw ManifestError(root.reader.problems) }
        return ExecDriverConfig(
            apply: apply, revert: revert, timeoutSeconds: timeout, maxNodesPerCall: maxNodes, verify: verify,
            brake: brake, release: release)
    }

    static func command(
        _ node: ManifestNode, placeholders: [String] = ExecDriverConfig.placeholders
    ) -> [String]? {
        node.mapping(allowed: ["command"]).flatMap { words(of: $0, placeholders: placeholders) }
    }

    /// The `verify` step: its command, and a timeout and interval longer than zero with the interval the shorter.
    static func verify(_ node: ManifestNode) -> ExecDriverConfig.Verify? {
        guard let fields = node.mapping(allowed: ["command", "timeout", "interval"]) else { return nil }
        let command = words(of: fields)
        let defaults = ExecDriverConfig.Verify(command: [])
        // nil after a problem was recorded, so that a bad value is not also compared with the other one.
        let timeout =
            fields["timeout"].map { $0.positiveDurationSeconds(zeroMeans: "would give up before any try") }
            ?? defaults.timeoutSeconds
        let interval =
            fields["interval"].map { $0.positiveDurationSeconds(zeroMeans: "would retry without a pause") }
            ?? defaults.intervalSeconds
        if let timeout, let interval, interval > timeout {
            let (interval, timeout) = (DurationText.format(interval), DurationText.format(timeout))
            (fields["interval"] ?? fields["timeout"] ?? node).fail(
                "the interval \(interval) is longer than the timeout \(timeout), so there would be no second try; "
                    + "make the interval shorter or the timeout longer")
        }
        guard let command, let timeout, let interval else { return nil }
        return ExecDriverConfig.Verify(command: command, timeoutSeconds: timeout, intervalSeconds: interval)
    }

    /// The words of a mapping's `command` list, each placeholder checked; an empty list is a problem of the mapping.
    static func words(
        of fields: ManifestFields, placeholders known: [String] = ExecDriverConfig.placeholders
    ) -> [String]? {
        let node = fields.owner
        guard let arguments = fields.required("command")?.sequence() else { return nil }
        let words = arguments.compactMap { argument -> String? in
            guard let word = argument.string() else { return nil }
            for placeholder in placeholders(in: word) where !known.contains(placeholder) {
                argument.fail("unknown placeholder {\(placeholder)}; use \(known.map { "{\($0)}" }.joined(separator: ", "))")
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
