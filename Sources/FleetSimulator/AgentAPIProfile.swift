/// One kind of API call an agent makes.
///
/// Every node running the agent makes this call once per `intervalSeconds`. With `firesInStep` false the calls of a
/// cluster's agents are spread over the interval (each agent started at its own moment, with jitter); with it true
/// they all fire in the same second, as a cron-style `every minute at :00` loop does.
public struct APICallPattern: Sendable, Codable, Equatable {
    /// What the call reads; decides the objects it touches, its APF seats and its memory.
    public enum Scope: String, Sendable, Codable {
        /// `GET /api/v1/pods` without selectors: every pod of the cluster (cost grows with cluster size).
        case clusterWidePodList
        /// `GET /api/v1/pods?fieldSelector=spec.nodeName=NODE`: the node's own pods, but the apiserver still scans
        /// every pod of its watch cache and APF still charges seats by the pods stored.
        case nodeScopedPodList
        /// Re-establishing a `WATCH` of the node's own pods (the watch cache indexes pods by node): cheap.
        case watchNodePods
        /// `GET` of one object.
        case getSingleObject
    }

    /// What the call reads.
    public var scope: Scope
    /// Seconds between two calls of one agent; must be positive.
    public var intervalSeconds: Double
    /// True: every agent of a cluster calls in the same second; false: spread over the interval with jitter.
    public var firesInStep: Bool

    /// Creates a call pattern; `intervalSeconds` must be positive.
    public init(scope: Scope, intervalSeconds: Double, firesInStep: Bool = false) {
        precondition(intervalSeconds > 0, "APICallPattern.intervalSeconds must be positive, got \(intervalSeconds)")
        self.scope = scope
        self.intervalSeconds = intervalSeconds
        self.firesInStep = firesInStep
    }
}

/// How the rolled-out agent uses the API: its identity and the calls every node running it makes.
public struct AgentAPIProfile: Sendable, Codable, Equatable {
    /// A stable name used in plans and reports (`cluster-wide-pod-list`, `node-scoped-pod-list`, ...).
    public var name: String
    /// The credentials the agent uses; decides its APF priority level.
    public var identity: ClientIdentity
    /// The calls each node running the agent makes.
    public var calls: [APICallPattern]

    /// Creates a profile.
    public init(name: String, identity: ClientIdentity, calls: [APICallPattern]) {
        self.name = name
        self.identity = identity
        self.calls = calls
    }

    /// December 2024: every agent LISTs all pods of its cluster every 60 s under its service account.
    public static let listAllPodsEveryMinute = AgentAPIProfile(
        name: "cluster-wide-pod-list",
        identity: .serviceAccount,
        calls: [APICallPattern(scope: .clusterWidePodList, intervalSeconds: 60)]
    )

    /// The fix: a field-selector LIST of the node's own pods every 60 s, plus a watch of them re-established every
    /// 5 min.
    public static let nodeScopedList = AgentAPIProfile(
        name: "node-scoped-pod-list",
        identity: .serviceAccount,
        calls: [
            APICallPattern(scope: .nodeScopedPodList, intervalSeconds: 60),
            APICallPattern(scope: .watchNodePods, intervalSeconds: 300),
        ]
    )

    /// An agent that never talks to the apiserver (what OpenAI's rule asks of DaemonSets).
    public static let noAPICalls = AgentAPIProfile(name: "no-api-calls", identity: .serviceAccount, calls: [])

    /// The December 2024 agent but running with the node's kubelet credentials (lands in `system`).
    public static let listAllPodsWithNodeCredentials = AgentAPIProfile(
        name: "cluster-wide-pod-list-node-credentials",
        identity: .nodeCredentials,
        calls: [APICallPattern(scope: .clusterWidePodList, intervalSeconds: 60)]
    )

    /// The December 2024 agent with an exempt identity (no APF limit).
    public static let listAllPodsExempt = AgentAPIProfile(
        name: "cluster-wide-pod-list-exempt",
        identity: .exempt,
        calls: [APICallPattern(scope: .clusterWidePodList, intervalSeconds: 60)]
    )

    /// The December 2024 agent with every agent of a cluster firing in the same second.
    public static let listAllPodsInStep = AgentAPIProfile(
        name: "cluster-wide-pod-list-in-step",
        identity: .serviceAccount,
        calls: [APICallPattern(scope: .clusterWidePodList, intervalSeconds: 60, firesInStep: true)]
    )

    /// Every built-in profile, in a fixed order; names are unique.
    public static let builtIn: [AgentAPIProfile] = [
        listAllPodsEveryMinute, nodeScopedList, noAPICalls, listAllPodsWithNodeCredentials, listAllPodsExempt,
        listAllPodsInStep,
    ]

    /// The built-in profile with this name, or nil.
    public static func named(_ name: String) -> AgentAPIProfile? {
        builtIn.first { $0.name == name }
    }
}
