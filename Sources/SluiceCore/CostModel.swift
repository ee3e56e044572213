#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the change cost per node in one cluster, measured on its applied batches.
public struct CostSample: Sendable, Equatable, Codable {
    public var pods: Double
    public var costPerNode: Double

    public init(pods: Double, costPerNode: Double) {
        self.pods = pods
        self.costPerNode = costPerNode
    }
}

/// Per-node cost as a function of cluster size, fitted on the clusters measured so far: `cost = a × pods^b`.
///
/// One sample gives `b = 1` (cost per node growing linearly with the cluster, the cautious guess for calls whose
/// cost scales with what they list); more are fitted by least squares in log-log space, `b` kept in [0, 2].
public struct CostModel: Sendable, Equatable {
    public var coefficient: Double
    public var exponent: Double

    /// The model fitted on `samples`, or nil when none has a positive cost.
    public init?(fitting samples: [CostSample]) {
        let usable = samples.filter { $0.pods > 0 && $0.costPerNode > 0 }
        guard !usable.isEmpty else { return nil }
        let xs = usable.map { log($0.pods) }
        let ys = usable.map { log($0.costPerNode) }
        let meanX = xs.reduce(0, +) / Double(xs.count)
        let meanY = ys.reduce(0, +) / Double(ys.count)
        let spread = xs.map { ($0 - meanX) * ($0 - meanX) }.reduce(0, +)
        if usable.count < 2 || spread < 0.01 {
            exponent = 1
            coefficient = usable.map { $0.costPerNode / $0.pods }.reduce(0, +) / Double(usable.count)
            return
        }
        let covariance = zip(xs, ys).map { ($0 - meanX) * ($1 - meanY) }.reduce(0, +)
        exponent = min(2, max(0, covariance / spread))
        coefficient = exp(meanY - exponent * meanX)
    }

    /// The projected cost per node in a cluster of `pods` pods.
    public func costPerNode(pods: Double) -> Double { coefficient * pow(pods, exponent) }

    public var description: String {
        "cost per node = \(coefficient.formatted(maxFractionDigits: 9)) × pods^\(exponent.formatted(maxFractionDigits: 2))"
    }
}
