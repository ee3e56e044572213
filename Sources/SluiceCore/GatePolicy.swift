/// A named set of gates that decide, between steps, whether a rollout may go on.
public struct GatePolicy: Sendable, Equatable, Codable {
    public var name: String
    public var gates: [Gate]
    /// Gates that project the change's cost before it is paid.
    public var predictions: [PredictionGate]
    /// How long each lagging signal can hide a failure (DNS: the cache horizon).
    public var lags: [SignalLag]
    /// Refuse (true) or only warn about (false) plans whose bake after a cluster is shorter than a lag.
    public var requireBakeCoveringLag: Bool
    /// The fleet-wide circuit breaker, if any.
    public var fleet: FleetBreaker?
    /// A sample older than this is stale: no data, never healthy.
    public var maxSampleAgeSeconds: Double
    /// How long a revert through the control plane may keep failing before the cluster is reverted through the
    /// break-glass channel instead; nil: never by itself, the rollout halts and asks for `sluice break-glass`.
    public var escalateAfterSeconds: Double?

    public init(
        name: String, gates: [Gate], predictions: [PredictionGate] = [], lags: [SignalLag] = [],
        requireBakeCoveringLag: Bool = false, fleet: FleetBreaker? = nil, maxSampleAgeSeconds: Double = 120,
        escalateAfterSeconds: Double? = nil
    ) {
        self.escalateAfterSeconds = escalateAfterSeconds
        self.name = name
        self.gates = gates
        self.predictions = predictions
        self.lags = lags
        self.requireBakeCoveringLag = requireBakeCoveringLag
        self.fleet = fleet
        self.maxSampleAgeSeconds = maxSampleAgeSeconds
    }

    /// The signals any gate or prediction reads.
    ///
    /// Each name once, in the order the gates, then the predictions, first name it. (Read for every cluster of every
    /// pass: built without intermediate arrays or a set, the lists are short.)
    public var signalNames: [String] {
        var names: [String] = []
        func add(_ name: String) {
            if !names.contains(name) { names.append(name) }
        }
        for gate in gates {
            add(gate.signal)
            if let divisor = gate.dividedBy { add(divisor) }
        }
        for prediction in predictions {
            add(prediction.costSignal)
            add(prediction.capacitySignal)
            add(prediction.usageSignal)
            add(prediction.agentNodesSignal)
        }
        return names
    }

    /// The window a signal must be read over: the widest any gate or prediction asks for (0 when none reads it).
    public func windowSeconds(of signal: String) -> Double {
        var widest: Double?
        func consider(_ seconds: Double) {
            // As `max()` of the windows in this order would choose.
            if let current = widest, !(current < seconds) { return }
            widest = seconds
        }
        for gate in gates where gate.signal == signal || gate.dividedBy == signal { consider(gate.windowSeconds) }
        for prediction in predictions
        where prediction.costSignal == signal || prediction.capacitySignal == signal
            || prediction.usageSignal == signal || prediction.agentNodesSignal == signal
        {
            consider(prediction.windowSeconds)
        }
        return widest ?? 0
    }

    /// How far back from now a read of `signal` reaches: its window, or `maxSampleAgeSeconds` when that is longer
    /// (a sample that old still counts).
    public func readSeconds(of signal: String) -> Double {
        max(windowSeconds(of: signal), maxSampleAgeSeconds)
    }

    /// How far back from now any read of this policy reaches: what a signal source must keep.
    public var longestReadSeconds: Double {
        signalNames.map(readSeconds(of:)).max() ?? maxSampleAgeSeconds
    }

    /// The longest a signal this policy gates on can hide a failure, with that signal.
    public var longestLag: SignalLag? {
        let gated = Set(gates.map(\.signal))
        return lags.filter { gated.contains($0.signal) }.max { $0.hidesFailureForSeconds < $1.hidesFailureForSeconds }
    }
}

/// A signal that shows a failure only after a while: DNS answers from caches for up to their horizon.
public struct SignalLag: Sendable, Equatable, Codable {
    public var signal: String
    public var hidesFailureForSeconds: Double

    public init(signal: String, hidesFailureForSeconds: Double) {
        self.signal = signal
        self.hidesFailureForSeconds = hidesFailureForSeconds
    }
}

/// Limits that hold across the clusters of a rollout.
public struct FleetBreaker: Sendable, Equatable, Codable {
    /// Clusters with a change in progress at once, across waves (on top of each wave's own limit).
    public var maxClustersInProgress: Int?
    /// Halt every wave when at least this many clusters breach a gate in the same pass.
    public var haltWhenClustersBreaching: Int?
    /// Halt every wave when at least this share of the watched clusters (and two or more) has no data at all.
    public var haltWhenTelemetryMissingShare: Double?

    public init(
        maxClustersInProgress: Int? = nil, haltWhenClustersBreaching: Int? = nil,
        haltWhenTelemetryMissingShare: Double? = nil
    ) {
        self.maxClustersInProgress = maxClustersInProgress
        self.haltWhenClustersBreaching = haltWhenClustersBreaching
        self.haltWhenTelemetryMissingShare = haltWhenTelemetryMissingShare
    }
}

/// Projects the change's API cost to a whole cluster, from what its batches cost so far or, for a cluster not yet
/// touched, from a cost model fitted on the clusters done so far; breaches when the projection passes the headroom.
public struct PredictionGate: Sendable, Equatable, Codable {
    public var name: String
    /// API load attributed to the new agent's flow (seats in use).
    public var costSignal: String
    /// The cluster's capacity in the same unit (seats).
    public var capacitySignal: String
    /// Everything in use now, the agent included (seats).
    public var usageSignal: String
    /// Nodes running the new agent.
    public var agentNodesSignal: String
    /// The largest share of capacity the projected use may take (0.7: 70% of seats).
    public var maxProjectedUtilization: Double
    public var windowSeconds: Double
    /// How long after a batch is applied before its cost is measured (agents start over their call interval).
    public var settleSeconds: Double
    public var action: GateAction

    public init(
        name: String, costSignal: String = "agent_api_seats", capacitySignal: String = "apf_seats_limit",
        usageSignal: String = "apf_seats_in_use", agentNodesSignal: String = "agent_nodes",
        maxProjectedUtilization: Double = 0.7, windowSeconds: Double = 120, settleSeconds: Double = 120,
        action: GateAction = .halt
    ) {
        self.name = name
        self.costSignal = costSignal
        self.capacitySignal = capacitySignal
        self.usageSignal = usageSignal
        self.agentNodesSignal = agentNodesSignal
        self.maxProjectedUtilization = maxProjectedUtilization
        self.windowSeconds = windowSeconds
        self.settleSeconds = settleSeconds
        self.action = action
    }
}

/// One check on one signal: aggregate the samples of a window, compare with a bound, act on a lasting breach.
public struct Gate: Sendable, Equatable, Codable {
    public var name: String
    public var signal: String
    /// Divide by this signal's aggregate over the same window (a cost against a capacity).
    public var dividedBy: String?
    public var scope: Scope
    public var aggregation: Aggregation
    public var windowSeconds: Double
    /// What the value is compared with: the bound itself, or a reference the bound is a ratio of.
    public var comparison: Comparison
    public var bound: Bound
    /// With a relative comparison, values at or below this are healthy whatever the ratio (noise near zero).
    public var floor: Double?
    /// How long a breach must hold before it counts.
    public var persistence: Persistence
    /// Passing evaluations in a row before a breach that counted is cleared.
    public var recoverAfter: Int
    public var onNoData: NoDataPolicy
    public var action: GateAction

    public init(
        name: String, signal: String, dividedBy: String? = nil, scope: Scope = .cluster,
        aggregation: Aggregation = .last, windowSeconds: Double = 60, comparison: Comparison = .absolute,
        bound: Bound, floor: Double? = nil, persistence: Persistence = Persistence(), recoverAfter: Int = 1,
        onNoData: NoDataPolicy = .fail, action: GateAction = .halt
    ) {
        self.name = name
        self.signal = signal
        self.dividedBy = dividedBy
        self.scope = scope
        self.aggregation = aggregation
        self.windowSeconds = windowSeconds
        self.comparison = comparison
        self.bound = bound
        self.floor = floor
        self.persistence = persistence
        self.recoverAfter = recoverAfter
        self.onNoData = onNoData
        self.action = action
    }

    /// Where a gate looks.
    public enum Scope: String, Sendable, Equatable, Codable, CaseIterable {
        /// Each cluster the rollout touched, on its own.
        case cluster
        /// All of them together: the aggregate of the clusters' aggregates.
        case fleet
    }

    /// What the observed value is held against.
    public enum Comparison: String, Sendable, Equatable, Codable, CaseIterable {
        /// The bound as it is.
        case absolute
        /// The bound is a ratio of the same cluster's value before the rollout touched it.
        case baseline
        /// The bound is a ratio of the median of clusters the rollout has not reached yet.
        case untouched
    }
}

/// How long a breach must hold: both a number of evaluations in a row and a duration.
public struct Persistence: Sendable, Equatable, Codable {
    public var evaluations: Int
    public var seconds: Double

    public init(evaluations: Int = 1, seconds: Double = 0) {
        self.evaluations = evaluations
        self.seconds = seconds
    }
}

/// The healthy side of a threshold.
public enum Bound: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Healthy while the value is at most this.
    case atMost(Double)
    /// Healthy while the value is at least this.
    case atLeast(Double)

    public func isHealthy(_ value: Double) -> Bool {
        switch self {
        case .atMost(let limit): value <= limit
        case .atLeast(let limit): value >= limit
        }
    }

    public var threshold: Double {
        switch self {
        case .atMost(let limit), .atLeast(let limit): limit
        }
    }

    public var description: String {
        switch self {
        case .atMost(let limit): "<= \(limit.formatted(maxFractionDigits: 4))"
        case .atLeast(let limit): ">= \(limit.formatted(maxFractionDigits: 4))"
        }
    }
}

/// What a gate does when it has no usable sample. There is no "pass".
public enum NoDataPolicy: String, Sendable, Equatable, Codable {
    /// No data is a breach: the gate's action applies.
    case fail
    /// No data halts the rollout whatever the gate's action.
    case halt
    /// No data neither passes nor fails: the rollout goes on. Not allowed in policy files; it exists only to show,
    /// in comparisons, what tools that treat missing data as inconclusive do.
    case inconclusive
}

/// What a breach does.
public enum GateAction: String, Sendable, Equatable, Codable {
    /// Pause and say why; `sluice resume` re-evaluates.
    case halt
    /// Revert this cluster's applied batches, then halt.
    case rollbackCluster
    /// Revert every applied batch of the rollout.
    case rollbackRollout
}
