/// A named set of gates that decide, between steps, whether a rollout may go on.
public struct GatePolicy: Sendable, Equatable, Codable {
    public var name: String
    public var gates: [Gate]
    /// A sample older than this is stale: no data, never healthy.
    public var maxSampleAgeSeconds: Double

    public init(name: String, gates: [Gate], maxSampleAgeSeconds: Double = 120) {
        self.name = name
        self.gates = gates
        self.maxSampleAgeSeconds = maxSampleAgeSeconds
    }

    /// The signals any gate reads.
    public var signalNames: [String] {
        var seen: Set<String> = []
        return gates.map(\.signal).filter { seen.insert($0).inserted }
    }
}

/// One check on one signal: aggregate the samples of a window, compare with a bound, act on a breach.
public struct Gate: Sendable, Equatable, Codable {
    public var name: String
    public var signal: String
    public var aggregation: Aggregation
    public var windowSeconds: Double
    public var bound: Bound
    public var onNoData: NoDataPolicy
    public var action: GateAction

    public init(
        name: String, signal: String, aggregation: Aggregation = .last, windowSeconds: Double = 60, bound: Bound,
        onNoData: NoDataPolicy = .fail, action: GateAction = .halt
    ) {
        self.name = name
        self.signal = signal
        self.aggregation = aggregation
        self.windowSeconds = windowSeconds
        self.bound = bound
        self.onNoData = onNoData
        self.action = action
    }
}

/// How the samples of a window become one number.
public enum Aggregation: Sendable, Equatable, Codable, CustomStringConvertible {
    case last
    case mean
    case max
    case min
    /// The nearest-rank percentile, 0 to 100.
    case percentile(Double)

    /// The aggregate of `values`, which must not be empty.
    public func apply(to values: [Double]) -> Double {
        switch self {
        case .last: return values[values.count - 1]
        case .mean: return values.reduce(0, +) / Double(values.count)
        case .max: return values.max()!
        case .min: return values.min()!
        case .percentile(let percentile):
            let sorted = values.sorted()
            let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(sorted.count, Swift.max(1, rank)) - 1]
        }
    }

    public var description: String {
        switch self {
        case .last: "last"
        case .mean: "mean"
        case .max: "max"
        case .min: "min"
        case .percentile(let percentile): "p\(percentile.formatted(maxFractionDigits: 2))"
        }
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
