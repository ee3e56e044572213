/// The metrics monitoring shows for a cluster; the raw values are the keys of `FleetSimulation.signals(cluster:)`.
///
/// `apiserver_*`, `apf_*` and `agent_api_*` come from the apiservers' `/metrics` and are missing when no apiserver
/// can be scraped (all down, or too overloaded to answer); `apf_*` are also missing with APF off, as the metrics do
/// not exist then. `apiserver_availability` comes from a black-box probe and is always there. `dns_*` come from
/// CoreDNS, `agent_ready_ratio` and `agent_nodes` from the agents themselves (`agent_ready_ratio` is missing while no
/// node runs the agent), `cluster_nodes` from the inventory. `agent_pods_not_ready` and `agent_restarts_per_second`
/// come from kube-state-metrics, which lists through the apiserver: missing with it. The model's agents never crash,
/// so both are 0 when present; they are there so that policies gating on them run in simulation as on a real fleet.
public enum SimulatedSignal: String, Sendable, CaseIterable {
    case listLatencyP99Seconds = "apiserver_list_latency_p99_seconds"
    case mutatingLatencyP99Seconds = "apiserver_mutating_latency_p99_seconds"
    case readLatencyP99Seconds = "apiserver_read_latency_p99_seconds"
    case requestRate = "apiserver_request_rate"
    case ratio429 = "apiserver_429_ratio"
    case ratio5xx = "apiserver_5xx_ratio"
    case apfRejectedPerSecond = "apf_rejected_per_second"
    case apfQueuedRequests = "apf_queued_requests"
    case apfSeatsInUse = "apf_seats_in_use"
    case apfSeatsLimit = "apf_seats_limit"
    case availability = "apiserver_availability"
    case dnsServfailRatio = "dns_servfail_ratio"
    case dnsLookupLatencyP99Seconds = "dns_lookup_latency_p99_seconds"
    case agentReadyRatio = "agent_ready_ratio"
    case agentAPIRequestsPerSecond = "agent_api_requests_per_second"
    case agentAPISeats = "agent_api_seats"
    case clusterNodes = "cluster_nodes"
    case agentNodes = "agent_nodes"
    case agentPodsNotReady = "agent_pods_not_ready"
    case agentRestartsPerSecond = "agent_restarts_per_second"

    /// Every signal name, in a fixed order.
    public static let allNames: [String] = allCases.map(\.rawValue)

    /// How noise is applied when the signal is read.
    enum NoiseKind {
        /// `value × (1 + σ·g)`, never negative.
        case relative
        /// A ratio in [0, 1]: relative noise plus a small non-negative floor.
        case ratio
        /// Availability in [0, 1]: noise on the shortfall from 1.
        case availability
        /// Exact counts and limits.
        case none
    }

    /// Position of the signal in a snapshot and in `allCases`.
    public var index: Int {
        switch self {
        case .listLatencyP99Seconds: 0
        case .mutatingLatencyP99Seconds: 1
        case .readLatencyP99Seconds: 2
        case .requestRate: 3
        case .ratio429: 4
        case .ratio5xx: 5
        case .apfRejectedPerSecond: 6
        case .apfQueuedRequests: 7
        case .apfSeatsInUse: 8
        case .apfSeatsLimit: 9
        case .availability: 10
        case .dnsServfailRatio: 11
        case .dnsLookupLatencyP99Seconds: 12
        case .agentReadyRatio: 13
        case .agentAPIRequestsPerSecond: 14
        case .agentAPISeats: 15
        case .clusterNodes: 16
        case .agentNodes: 17
        case .agentPodsNotReady: 18
        case .agentRestartsPerSecond: 19
        }
    }

    var noiseKind: NoiseKind {
        switch self {
        case .ratio429, .ratio5xx, .dnsServfailRatio: .ratio
        case .availability, .agentReadyRatio: .availability
        case .apfSeatsLimit, .clusterNodes, .agentNodes, .agentPodsNotReady, .agentRestartsPerSecond: .none
        default: .relative
        }
    }
}
