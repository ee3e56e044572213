public import SluiceManifests

/// Reads `kind: BreakGlass` files.
public enum BreakGlassManifest {
    /// The break-glass config in `path`, or every problem found in it (file:line: field: message).
    public static func load(_ path: String) throws(ManifestError) -> BreakGlassConfig {
        let document = try ManifestDocument.read(path, kind: "BreakGlass")
        let specNode = document.specNode
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
            config.nodeCommand = command.command(placeholders: BreakGlassConfig.placeholders)
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
        try document.check()
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
}
