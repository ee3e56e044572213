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
    /// The cluster sizes (pods) the model was fitted on: inside them it interpolates, outside it extrapolates.
    public var measuredPods: ClosedRange<Double>

    /// The steepest growth the fit admits: cost per node at most proportional to pods².
    public static let steepestExponent = 2.0

    /// The model fitted on `samples`, or nil when none has a positive cost.
    public init?(fitting samples: [CostSample]) {
        let usable = samples.filter { $0.pods > 0 && $0.costPerNode > 0 }
        guard !usable.isEmpty else { return nil }
        let pods = usable.map(\.pods)
        measuredPods = pods.min()!...pods.max()!
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
        exponent = min(Self.steepestExponent, max(0, covariance / spread))
        coefficient = exp(meanY - exponent * meanX)
    }

    /// The projected cost per node in a cluster of `pods` pods.
    public func costPerNode(pods: Double) -> Double { coefficient * pow(pods, exponent) }

    /// How far `pods` lies outside the measured sizes, as a factor (1 inside them, 75 for a cluster 75× the largest
    /// measured): how much of a projection is a guess.
    public func extrapolation(toPods pods: Double) -> Double {
        guard pods > 0 else { return 1 }
        return max(1, pods / measuredPods.upperBound, measuredPods.lowerBound / pods)
    }

    /// The highest cost per node the fit allows in a cluster of `pods` pods: beyond the largest measured cluster the
    /// cost may grow as steeply as pods² from there; below the smallest it is at most what the smallest cost.
    public func pessimisticCostPerNode(pods: Double) -> Double {
        let edge = min(max(pods, measuredPods.lowerBound), measuredPods.upperBound)
        let growth = pods > edge ? pow(pods / edge, Self.steepestExponent) : 1
        return max(costPerNode(pods: pods), costPerNode(pods: edge) * growth)
    }

    /// The sizes measured, as `2000 pods` or `2000–150000 pods`.
    public var measuredSizes: String {
        let (low, high) = (Int(measuredPods.lowerBound), Int(measuredPods.upperBound))
        return low == high ? "\(low) pods" : "\(low)–\(high) pods"
    }

    public var description: String {
        "cost per node = \(coefficient.formatted(maxFractionDigits: 9)) × pods^\(exponent.formatted(maxFractionDigits: 2))"
    }
}
