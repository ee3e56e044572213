/// What really happened to one cluster, measured without noise, delay or gaps: for scoring a rollout, not for gates.
///
/// Durations are virtual seconds, counted per step; times are virtual seconds since the start.
public struct ClusterGroundTruth: Sendable, Equatable {
    /// Seconds with the mutating p99 above 1 s or availability below 99 %.
    public var degradedSeconds: Double = 0
    /// Seconds with availability below 50 % (the control plane is down).
    public var downSeconds: Double = 0
    /// Seconds with more than 1 % of DNS lookups failing (SERVFAIL or timeout).
    public var dnsFailureSeconds: Double = 0
    /// End of the first degraded step, or nil.
    public var firstDegradedAtSeconds: Double?
    /// End of the first step with failing DNS, or nil.
    public var firstDnsFailureAtSeconds: Double?
    /// Most nodes that ran the agent at once.
    public var peakAgentNodes: Int = 0
    /// The last step was degraded.
    public var isDegradedNow: Bool = false

    /// End of the first down step (the control plane was lost), or nil.
    public var firstDownAtSeconds: Double?
    /// End of the last degraded step, or nil: when the control plane last recovered.
    public var lastDegradedAtSeconds: Double?
    /// End of the last step with failing DNS, or nil.
    public var lastDnsFailureAtSeconds: Double?
    /// The last step was down.
    public var isDownNow: Bool = false
    /// The last step had failing DNS.
    public var isDnsFailingNow: Bool = false
    /// Seconds with more than 1 % of the kubelets' heartbeats (node leases) failing or rejected.
    public var kubeletImpairedSeconds: Double = 0
    /// End of the first step with impaired kubelets, or nil.
    public var firstKubeletImpairedAtSeconds: Double?
    /// Lowest availability of any step (share of requests not failing with 5xx, timeout or connection refused).
    public var minimumAvailability: Double = 1
    /// Availability of the last step.
    public var availabilityNow: Double = 1
    /// Highest share of DNS lookups failing in any step.
    public var peakDnsFailureShare: Double = 0
    /// End of the first step at which `peakDnsFailureShare` was reached, or nil if DNS never failed.
    public var peakDnsFailureAtSeconds: Double?
    /// Share of DNS lookups failing in the last step.
    public var dnsFailureShareNow: Double = 0
    /// Highest seats wanted by all levels at once (executing and queued), all apiservers together.
    public var peakSeatsDemanded: Double = 0
    /// Highest share of responses that were 429 in any step.
    public var peak429Ratio: Double = 0
    /// Highest requests per second reaching the apiservers in any step (retries included).
    public var peakRequestsPerSecond: Double = 0
    /// Highest memory utilization of an apiserver in any step (1 = OOM).
    public var peakMemoryUtilization: Double = 0
    /// Highest CPU stretch factor of any step (1 = no contention).
    public var peakCPUStretch: Double = 1
    /// Apiserver OOM kills.
    public var apiserverOOMKills: Int = 0
    /// Apiservers serving now.
    public var apiserversUpNow: Int = 0
    /// Requests of recovery herds started (pods re-downloading once DNS came back).
    public var recoveryHerdRequests: Double = 0
    /// Requests the agents sent (retries included).
    public var agentRequests: Double = 0
    /// Requests the agents sent that were rejected with 429.
    public var agentRequestsRejected: Double = 0

    /// A cluster before the first step.
    public init() {}
}
