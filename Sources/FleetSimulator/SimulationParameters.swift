/// Every modelling choice of the simulator, with the defaults calibrated in `docs/simulator.md`.
///
/// Facts from the reference (600 seats, 15 s queue wait, 60 s timeout, Retry-After 1 s to 32 s, seats per LIST,
/// 20 KB per pod, 20 min DNS horizon) are defaults here; the rest are modelling choices, each named with its unit.
/// Changing a field changes the model, never its determinism.
public struct SimulationParameters: Sendable, Equatable {
    // MARK: Time and signals

    /// Length of one fixed step of virtual time, seconds.
    public var stepSeconds: Double = 1
    /// Seconds between two scrapes of a cluster's metrics.
    public var scrapeIntervalSeconds: Double = 15
    /// Seconds from a scrape until its values are visible to `signals(cluster:)` (ingestion and rule evaluation).
    public var signalDelaySeconds: Double = 15
    /// Relative standard deviation of the noise on rates, latencies and seats (0.02 = 2 %).
    public var signalNoiseRelative: Double = 0.02
    /// Absolute noise floor on ratios (429, 5xx, SERVFAIL, availability shortfall), so a zero ratio reads as a tiny
    /// positive one, as real counters divided by noisy rates do.
    public var signalNoiseAbsoluteRatio: Double = 0.0005
    /// Above this CPU stretch factor, scrapes of the apiservers' `/metrics` time out and their signals are missing.
    public var scrapeFailsAboveCPUStretch: Double = 8

    // MARK: API Priority and Fairness and max-inflight

    /// API Priority and Fairness on (true) or the plain max-inflight filters (false).
    public var apfEnabled: Bool = true
    /// Seats of one apiserver with APF on (`max-requests-inflight + max-mutating-requests-inflight`).
    public var seatsPerApiserver: Int = 600
    /// With APF off: read-only requests one apiserver executes at once before answering 429.
    public var maxRequestsInflight: Int = 400
    /// With APF off: mutating requests one apiserver executes at once before answering 429.
    public var maxMutatingRequestsInflight: Int = 200
    /// A request waits at most this long in an APF queue, then gets 429.
    public var queueWaitLimitSeconds: Double = 15
    /// Requests one APF queue holds; a flow uses `handSize` queues of its level.
    public var queueLengthLimit: Int = 50
    /// Objects one seat pays for in the LIST work estimator (`seats = ceil(objects / objectsPerSeat)`).
    public var objectsPerSeat: Double = 100
    /// Most seats one request occupies.
    public var maxSeatsPerRequest: Double = 10
    /// Seconds between APF's re-divisions of seats among levels (borrowing).
    public var apfBorrowingPeriodSeconds: Double = 10
    /// Retry-After of a level that has just started rejecting, seconds.
    public var retryAfterInitialSeconds: Double = 1
    /// Retry-After never grows past this, seconds (it doubles under sustained rejections).
    public var retryAfterMaxSeconds: Double = 32
    /// The apiserver answers 504 to a request still unfinished after this long (queue wait included), seconds.
    public var requestTimeoutSeconds: Double = 60

    // MARK: Clients

    /// Share of 429s that clients retry after Retry-After (client-go retries up to 10 times: 0.9).
    public var clientRetryShareAfter429: Double = 0.9
    /// Share of failed requests (5xx, timeout, connection refused) that clients retry.
    public var clientRetryShareAfterFailure: Double = 0.5
    /// Mean back-off before retrying a failed request, seconds.
    public var clientFailureBackoffSeconds: Double = 10
    /// Relative jitter of the agents' spread-out calls per step, as a multiple of the Poisson standard deviation.
    public var agentArrivalJitter: Double = 1

    // MARK: Apiserver resources

    /// CPU cores of one apiserver.
    public var apiserverCores: Double = 32
    /// Memory of one apiserver's machine; above it the apiserver is OOM-killed, bytes.
    public var apiserverMemoryBytes: Double = 128e9
    /// Memory an idle apiserver holds whatever the cluster size, bytes.
    public var apiserverBaseMemoryBytes: Double = 4e9
    /// Memory one apiserver holds per node of its cluster (watch cache, watchers, informers), bytes.
    /// 8 MB per node gives ~64 GB at 7,500 nodes, in line with the ~70 GB heap OpenAI reported (2021).
    public var apiserverMemoryBytesPerNode: Double = 8e6
    /// Memory an executing LIST holds per object it returns (the serialized pod is ~20 KB), bytes.
    public var bytesPerPodObject: Double = 20_000
    /// Service seconds per object a LIST returns (reading from the watch cache and serializing), unloaded.
    /// 1e-4 gives 10 s for 100k pods (measured: 18.3 s including 2 GB transfer) and ~22 s for 225k pods.
    public var listServiceSecondsPerObject: Double = 1e-4
    /// Share of a LIST's unloaded service time that is apiserver CPU (the rest is network and client).
    public var listCPUShare: Double = 0.5
    /// CPU seconds per pod a field-selector LIST scans in the watch cache (measured: 0.24 s for 100k pods).
    public var filteredListScanSecondsPerObject: Double = 2e-6
    /// Service seconds of a mutating single-object request, unloaded (etcd round trip included).
    public var mutatingServiceSeconds: Double = 0.03
    /// CPU seconds of a mutating single-object request.
    public var mutatingCPUSeconds: Double = 0.003
    /// Service seconds of a single-object read, unloaded.
    public var readServiceSeconds: Double = 0.008
    /// CPU seconds of a single-object read.
    public var readCPUSeconds: Double = 0.002
    /// CPU cores one apiserver spends per node of its cluster on watches and informers whatever the traffic.
    public var backgroundCPUCoresPerNode: Double = 0.002
    /// Memory utilization above which Go's garbage collector starts taking CPU from requests.
    public var gcPressureStartUtilization: Double = 0.8
    /// Share of the apiserver's CPU the garbage collector takes at 100 % memory utilization.
    public var gcCPUShareAtMemoryLimit: Double = 0.5
    /// Seconds an OOM-killed apiserver is down (restart and watch-cache initialization) before it serves again.
    public var apiserverRestartSeconds: Double = 60
    /// Service time has a floor of (1 − share) × mean and an exponential tail holding `share` of the mean; this sets
    /// p99 ≈ 1.9 × mean for 0.25 and the share of requests that time out.
    public var serviceTimeTailShare: Double = 0.25

    // MARK: Background traffic

    /// Node lease and node status writes per node per second (kubelets; `node-high`).
    public var kubeletHeartbeatsPerNodePerSecond: Double = 0.15
    /// Single-object reads per node per second (kubelets' secrets, config maps; `system`).
    public var kubeletReadsPerNodePerSecond: Double = 0.1
    /// Pod status writes per pod per second (kubelets; `system`).
    public var kubeletPodStatusWritesPerPodPerSecond: Double = 0.002
    /// Controller-manager and scheduler requests per second whatever the size (`workload-high`).
    public var controllerRequestsPerSecond: Double = 20
    /// Further controller requests per node per second (`workload-high`).
    public var controllerRequestsPerNodePerSecond: Double = 0.02
    /// Leader-election lease writes per second (`leader-election`).
    public var leaderElectionRequestsPerSecond: Double = 2
    /// Requests per node per second from other workloads' service accounts (`workload-low`).
    public var workloadRequestsPerNodePerSecond: Double = 0.05
    /// Objects one such workload request lists (small namespaced LISTs).
    public var workloadObjectsPerRequest: Double = 20
    /// Requests per second from people, CI and other users (`global-default`).
    public var globalDefaultRequestsPerSecond: Double = 5

    // MARK: Herds

    /// Seconds over which clients spread their relists after their apiserver died (reflector back-off jitter).
    public var relistSpreadSeconds: Double = 10
    /// Full pod LISTs the controllers (controller-manager, scheduler and other operators) make on relist.
    public var controllerFullRelists: Double = 4
    /// Endpoint slices and services per pod: what each node's kube-proxy and CoreDNS relist (`workload-high`).
    public var endpointObjectsPerPod: Double = 0.05
    /// Recovery herd size: API requests each pod that failed on DNS makes when it restarts once DNS is back
    /// (its informers re-listing config maps, secrets, endpoints): the second load spike of the incident.
    public var recoveryHerdRequestsPerPod: Double = 4
    /// Objects each recovery-herd LIST returns (namespaced lists; APF still charges them by the objects stored).
    public var recoveryHerdObjectsPerRequest: Double = 100
    /// Seconds over which the recovery herd arrives.
    public var recoveryHerdSpreadSeconds: Double = 60
    /// API requests per second each pod makes while it crash-loops on DNS failures (status writes, events).
    public var crashLoopRequestsPerPodPerSecond: Double = 0.01

    // MARK: Control-plane path

    /// Fixed part of the deadline `suggestedControlPlaneDeadlineSeconds(nodeCount:)` proposes, seconds.
    public var controlPlaneDeadlineBaseSeconds: Double = 120
    /// Per-node part of that deadline, seconds per node changed (a healthy cluster changes ~25 nodes a second).
    public var controlPlaneDeadlineSecondsPerNode: Double = 0.2
    /// The driver's mutating requests (node labels) per node changed.
    public var driverRequestsPerNode: Double = 1
    /// The driver's own client rate limit, requests per second.
    public var driverRequestsPerSecond: Double = 50
    /// The APF level of the driver's identity.
    public var driverPriorityLevel: APFPriorityLevel = .globalDefault
    /// Requests per node the DaemonSet controller, scheduler and kubelet make to start or stop the agent's pod.
    public var podLifecycleRequestsPerNode: Double = 2
    /// The controller-manager's client rate limit (`--kube-api-qps`), requests per second per cluster.
    public var controllerManagerRequestsPerSecond: Double = 50

    // MARK: Node-direct path

    /// Seconds for the break-glass path to stop or start the agent on the nodes, whatever the apiserver's state.
    public var nodeDirectLatencySeconds: Double = 5

    // MARK: DNS

    /// How long node and client caches keep answering after CoreDNS lost the control plane, seconds: the failing
    /// share of lookups ramps as `min(1, t / horizon)`.
    public var dnsCacheHorizonSeconds: Double = 1200
    /// Share of the lookups whose cached answer expired that CoreDNS cannot answer while the control plane is lost
    /// (1: all of them, as in December 2024 when service discovery failed fleet-wide once the caches drained).
    public var dnsExpiredLookupFailureShare: Double = 1
    /// DNS lookups per pod per second.
    public var dnsLookupsPerPodPerSecond: Double = 1
    /// Share of lookups that reach CoreDNS in normal operation (node-local caches answer the rest).
    public var dnsCacheMissShare: Double = 0.1
    /// Queries one failing lookup turns into (search list with `ndots:5`: up to 8 names, × 2 resolver attempts).
    public var dnsQueriesPerFailedLookup: Double = 16
    /// CoreDNS pods per node (the cluster-proportional autoscaler's 1 per 16 nodes), at least 2 per cluster.
    public var corednsPodsPerNode: Double = 1.0 / 16
    /// Queries per second one CoreDNS pod answers before it saturates.
    public var corednsQueriesPerSecondPerPod: Double = 10_000
    /// Share of CoreDNS pods restarted per second while they are saturated and the control plane is lost; a
    /// restarted pod cannot sync and answers SERVFAIL for every query until the apiserver is healthy.
    public var corednsRestartSharePerSecondWhenSaturated: Double = 0.005
    /// Availability below which CoreDNS (and everything else) has lost the control plane.
    public var controlPlaneLostBelowAvailability: Double = 0.5
    /// Seconds of healthy control plane (not degraded) CoreDNS needs to resync after a loss.
    public var dnsResyncSeconds: Double = 10
    /// Seconds for clients to stop failing once CoreDNS has resynced (negative caches, crash-loop back-off).
    public var dnsRecoverySeconds: Double = 60
    /// Latency of a DNS lookup answered normally, seconds.
    public var dnsLookupBaseLatencySeconds: Double = 0.002
    /// Resolver timeout per attempt, seconds (`options timeout:5 attempts:2`).
    public var dnsResolverTimeoutSeconds: Double = 5

    // MARK: Ground truth thresholds

    /// The control plane is degraded while the mutating p99 latency is above this, seconds.
    public var degradedMutatingP99Seconds: Double = 1
    /// The control plane is degraded while availability is below this.
    public var degradedAvailability: Double = 0.99
    /// The control plane is down while availability is below this.
    public var downAvailability: Double = 0.5
    /// DNS is failing while the share of failing lookups is above this.
    public var dnsFailureShare: Double = 0.01
    /// Kubelets are impaired while the share of their heartbeats that fail or are rejected is above this.
    public var kubeletImpairedShare: Double = 0.01

    /// The reference defaults.
    public init() {}

    /// A deadline for a control-plane change of `nodeCount` nodes: base plus per-node time, seconds.
    public func suggestedControlPlaneDeadlineSeconds(nodeCount: Int) -> Double {
        controlPlaneDeadlineBaseSeconds + controlPlaneDeadlineSecondsPerNode * Double(max(0, nodeCount))
    }

    /// The reference defaults.
    public static let `default` = SimulationParameters()
}
