/// One observed value of a signal at a time (seconds on the controller's clock).
public struct SignalSample: Sendable, Equatable, Codable {
    public var at: Double
    public var value: Double

    public init(at: Double, value: Double) {
        self.at = at
        self.value = value
    }
}

/// The signals read for one cluster over the windows the policy needs, or why they could not be read.
public struct ClusterSignals: Sendable, Equatable {
    public var cluster: String
    /// Samples by signal name; a missing key is a signal that was not read.
    public var samples: [String: [SignalSample]]
    /// Why a signal could not be read (source unreachable, bad response), by signal name.
    public var errors: [String: String]

    public init(cluster: String, samples: [String: [SignalSample]] = [:], errors: [String: String] = [:]) {
        self.cluster = cluster
        self.samples = samples
        self.errors = errors
    }
}

/// One signal a policy reads, and how far back from now.
public struct SignalRead: Sendable, Equatable {
    public var signal: String
    public var seconds: Double

    public init(signal: String, seconds: Double) {
        self.signal = signal
        self.seconds = seconds
    }
}

extension GatePolicy {
    /// Every signal the policy needs, each over the widest window any gate asks for (``readSeconds(of:)``).
    public var signalReads: [SignalRead] {
        signalNames.map { SignalRead(signal: $0, seconds: readSeconds(of: $0)) }
    }
}

extension SignalSource {
    /// Reads every signal `policy` needs for `cluster`, in a rollout of `artifact`, over the widest window any gate
    /// asks for, ending at `now`.
    public func read(policy: GatePolicy, cluster: String, artifact: String, now: Double) async -> ClusterSignals {
        await read(policy.signalReads, cluster: cluster, artifact: artifact, now: now)
    }
}

extension RandomAccessCollection where Element == SignalSample {
    /// The samples with `from <= at <= through`, found by binary search: samples must be oldest first.
    ///
    /// Inlinable, so a caller in another module gets it specialised for its collection (the simulator's `Deque`
    /// rings ran through the generic version, witness tables and metadata look-ups at every step of the search).
    @inlinable
    public func window(from: Double, through: Double) -> SubSequence {
        let start = boundary { $0.at >= from }
        let end = boundary { $0.at > through }
        return self[start..<Swift.max(start, end)]
    }

    /// The first index whose sample satisfies `isPast`, which is false then true along the collection.
    @inlinable
    func boundary(_ isPast: (SignalSample) -> Bool) -> Index {
        var low = startIndex
        var length = count
        while length > 0 {
            let half = length / 2
            let middle = index(low, offsetBy: half)
            if isPast(self[middle]) {
                length = half
            } else {
                low = index(after: middle)
                length -= half + 1
            }
        }
        return low
    }
}

/// What a signal measures. Every kind is never negative: a negative value is a broken source, not a measurement.
public enum SignalKind: String, Sendable, Equatable, CaseIterable {
    /// A share in [0, 1] (429s per request, availability).
    case ratio
    /// A duration in seconds (a p99 latency).
    case latency
    /// Events per second.
    case rate
    /// A number of things (queued requests, nodes).
    case count
    /// API Priority and Fairness seats.
    case seats

    /// `a ratio`, `a latency`: how messages name the kind.
    public var described: String {
        switch self {
        case .ratio: "a ratio"
        case .latency: "a latency"
        case .rate: "a rate"
        case .count: "a count"
        case .seats: "a number of seats"
        }
    }
}

/// The signals Sluice's sources know by name: the simulator produces them all, the default Prometheus queries read
/// them (the `agent_*` ones from the artifact's own FlowSchema and DaemonSet), and predictions use some by default.
///
/// A test keeps this list in step with the simulator's signals and the default queries.
public enum KnownSignals {
    /// Every known signal with its kind, in a fixed order.
    public static let all: [(name: String, kind: SignalKind)] = [
        ("apiserver_list_latency_p99_seconds", .latency),
        ("apiserver_mutating_latency_p99_seconds", .latency),
        ("apiserver_read_latency_p99_seconds", .latency),
        ("apiserver_request_rate", .rate),
        ("apiserver_429_ratio", .ratio),
        ("apiserver_5xx_ratio", .ratio),
        ("apf_rejected_per_second", .rate),
        ("apf_queued_requests", .count),
        ("apf_seats_in_use", .seats),
        ("apf_seats_limit", .seats),
        ("apiserver_availability", .ratio),
        ("dns_servfail_ratio", .ratio),
        ("dns_lookup_latency_p99_seconds", .latency),
        ("agent_ready_ratio", .ratio),
        ("agent_api_requests_per_second", .rate),
        ("agent_api_seats", .seats),
        ("cluster_nodes", .count),
        ("agent_nodes", .count),
        ("agent_pods_not_ready", .count),
        ("agent_restarts_per_second", .rate),
    ]

    /// The known signal names, in a fixed order.
    public static let names: [String] = all.map(\.name)

    /// The kind of a known signal; nil for a name Sluice does not know (its values are taken as they come).
    public static func kind(of signal: String) -> SignalKind? {
        all.first { $0.name == signal }?.kind
    }
}
