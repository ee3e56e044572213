/// Break-glass settings, as read from a `kind: BreakGlass` file: who may break the glass and how nodes are reached.
public struct BreakGlassConfig: Sendable, Equatable {
    /// SHA-256 (hex, lowercase) of the operator's key file's bytes; nil when no key file is accepted.
    public var keyFileSHA256: String?
    /// SHA-256 (hex, lowercase) of `SLUICE_BREAK_GLASS_TOKEN`; nil when no token is accepted.
    public var tokenSHA256: String?
    /// Argument templates run once per node to revert the artifact; the first is the program. No shell.
    public var nodeCommand: [String]?
    /// The etcd v3 JSON gateway of the kill-switch store (`http://127.0.0.1:2379`) and the key prefix.
    public var killSwitchEndpoint: String?
    public var killSwitchPrefix: String
    /// Node reverts running at once.
    public var parallelism: Int
    /// Tries per node before its revert counts as failed.
    public var attempts: Int
    public var timeoutSeconds: Double

    public init(
        keyFileSHA256: String? = nil, tokenSHA256: String? = nil, nodeCommand: [String]? = nil,
        killSwitchEndpoint: String? = nil, killSwitchPrefix: String = "/sluice/killswitch", parallelism: Int = 32,
        attempts: Int = 3, timeoutSeconds: Double = 30
    ) {
        self.keyFileSHA256 = keyFileSHA256
        self.tokenSHA256 = tokenSHA256
        self.nodeCommand = nodeCommand
        self.killSwitchEndpoint = killSwitchEndpoint
        self.killSwitchPrefix = killSwitchPrefix
        self.parallelism = parallelism
        self.attempts = attempts
        self.timeoutSeconds = timeoutSeconds
    }

    /// The placeholders a node command may use.
    public static let placeholders = ["node", "cluster", "artifact", "version", "rollout"]
}

/// Reads `kind: BreakGlass` files.
public enum BreakGlassManifest {
    /// The break-glass config in `path`, or every problem found in it (file:line: field: message).
    public static func load(_ path: String) throws(ManifestError) -> BreakGlassConfig {
        let root = try ManifestFile.root(of: path, kind: "BreakGlass")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        _ = metadataName(fields)
        let specNode = fields?.required("spec")
        let spec = specNode?.mapping(allowed: [
            "credential", "nodeCommand", "killSwitch", "parallelism", "attempts", "timeout",
        ])
        var config = BreakGlassConfig()
        if let credentialNode = spec?.required("credential"),
            let credential = credentialNode.mapping(allowed: ["keyFileSHA256", "tokenSHA256"])
        {
            config.keyFileSHA256 = credential["keyFileSHA256"].flatMap(sha256)
            config.tokenSHA256 = credential["tokenSHA256"].flatMap(sha256)
            if credential["keyFileSHA256"] == nil && credential["tokenSHA256"] == nil {
                credentialNode.fail("give keyFileSHA256 or tokenSHA256 (`sha256sum KEYFILE` prints it)")
            }
        }
        if let command = spec?["nodeCommand"] {
            config.nodeCommand = nodeCommand(command)
        }
        if let killSwitch = spec?["killSwitch"]?.mapping(allowed: ["etcd", "prefix"]) {
            if let endpoint = killSwitch.required("etcd"), let text = endpoint.string() {
                if text.hasPrefix("http://") || text.hasPrefix("https://") {
                    config.killSwitchEndpoint = text.hasSuffix("/") ? String(text.dropLast()) : text
                } else {
                    endpoint.fail("'\(text)' is not an http:// or https:// address of etcd's gateway")
                }
            }
            if let prefix = killSwitch["prefix"]?.string() {
                if prefix.hasPrefix("/") {
                    config.killSwitchPrefix = prefix
                } else {
                    killSwitch["prefix"]?.fail("must start with /")
                }
            }
        }
        if let spec, spec["nodeCommand"] == nil && spec["killSwitch"] == nil {
            specNode?.fail("give nodeCommand, killSwitch or both: break-glass needs a way to reach the nodes")
        }
        config.parallelism = spec?["parallelism"]?.int(atLeast: 1) ?? config.parallelism
        config.attempts = spec?["attempts"]?.int(atLeast: 1) ?? config.attempts
        config.timeoutSeconds = spec?["timeout"]?.durationSeconds() ?? config.timeoutSeconds
        try root.reader.check()
        return config
    }

    static func sha256(_ node: ManifestNode) -> String? {
        guard let text = node.string() else { return nil }
        let hex = text.lowercased()
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
            node.fail("expected 64 hex digits of SHA-256 (`sha256sum FILE` or `printf %s TOKEN | sha256sum`)")
            return nil
        }
        return hex
    }

    static func nodeCommand(_ node: ManifestNode) -> [String]? {
        guard let arguments = node.mapping(allowed: ["command"])?.required("command")?.sequence() else { return nil }
        let words = arguments.compactMap { argument -> String? in
            guard let word = argument.string() else { return nil }
            for placeholder in ExecDriverManifest.placeholders(in: word)
            where !BreakGlassConfig.placeholders.contains(placeholder) {
                argument.fail(
                    "unknown placeholder {\(placeholder)}; use \(BreakGlassConfig.placeholders.map { "{\($0)}" }.joined(separator: ", "))"
                )
            }
            return word
        }
        if words.isEmpty { node.fail("command needs at least a program") }
        return words.count == arguments.count && !words.isEmpty ? words : nil
    }
}
