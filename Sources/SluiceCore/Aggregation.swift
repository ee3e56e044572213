/// How the samples of a window become one number.
public enum Aggregation: Sendable, Equatable, Codable, CustomStringConvertible {
    case last
    case mean
    case max
    case min
    /// The nearest-rank percentile, 0 to 100.
    case percentile(Double)
    /// The per-second increase of a counter over the window (resets ignored).
    case rate

    /// The aggregate of `samples`, which must not be empty.
    public func apply(to samples: [SignalSample]) -> Double {
        guard case .rate = self else { return apply(to: samples.map(\.value)) }
        guard let first = samples.first, let last = samples.last, last.at > first.at else { return .nan }
        var increase = 0.0
        for (earlier, later) in zip(samples, samples.dropFirst()) { increase += Swift.max(0, later.value - earlier.value) }
        return increase / (last.at - first.at)
    }

    /// The aggregate of `values`, which must not be empty.
    public func apply(to values: [Double]) -> Double {
        switch self {
        case .rate: return .nan
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
        case .rate: "rate"
        }
    }
}
