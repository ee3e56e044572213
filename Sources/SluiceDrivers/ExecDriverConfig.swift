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
