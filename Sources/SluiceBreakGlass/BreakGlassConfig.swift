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
