import DequeModule
import FleetSimulator
import SluiceCore

/// The scraped samples of every cluster and signal from the last `retentionSeconds`, each series a ring that drops
/// its oldest samples as new ones come.
///
/// Memory is bounded by clusters × signals × (retention ÷ scrape interval + 1), however long the simulation runs.
struct RetainedScrapes: Sendable {
    /// How far back from the newest scrape samples are kept, virtual seconds. Only ever widened.
    private(set) var retentionSeconds: Double
    /// Samples by cluster index (spec order), then `SimulatedSignal.index`, oldest first.
    private var series: [[Deque<SignalSample>]]

    init(clusterCount: Int, retentionSeconds: Double) {
        self.retentionSeconds = max(0, retentionSeconds)
        series = Array(
            repeating: Array(repeating: [], count: SimulatedSignal.allCases.count), count: clusterCount)
    }

    /// Adds the newest sample of one series.
    mutating func append(_ sample: SignalSample, cluster: Int, signal: SimulatedSignal) {
        series[cluster][signal.index].append(sample)
    }

    /// Drops every sample older than `retentionSeconds` before `nowSeconds`.
    mutating func forgetOlderThanRetention(nowSeconds: Double) {
        let cutoff = nowSeconds - retentionSeconds
        for cluster in series.indices {
            for signal in series[cluster].indices {
                while let oldest = series[cluster][signal].first, oldest.at < cutoff {
                    series[cluster][signal].removeFirst()
                }
            }
        }
    }

    /// Keeps at least `seconds` from now on (samples already dropped stay dropped).
    mutating func widen(toSeconds seconds: Double) {
        retentionSeconds = max(retentionSeconds, seconds)
    }

    /// The kept samples of one series with `from <= at <= through`, oldest first.
    func samples(cluster: Int, signal: SimulatedSignal, from: Double, through: Double) -> [SignalSample] {
        Array(series[cluster][signal.index].window(from: from, through: through))
    }

    /// The number of samples in the longest series.
    var longestSeriesCount: Int {
        series.lazy.flatMap { $0 }.map(\.count).max() ?? 0
    }
}
