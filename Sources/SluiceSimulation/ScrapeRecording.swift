import FleetSimulator

/// What a recording (`sluice record`) takes of each scrape as it happens: some signals, one scrape in `everySeconds`.
///
/// The simulated fleet keeps only a window of samples for its readers; a recording gets the whole run this way,
/// streamed out at each scrape, and holds only what it was asked for.
public struct ScrapeRecording: Sendable {
    /// The signals recorded; nil: all.
    public var signals: Set<String>?
    /// Only scrapes at a multiple of this many virtual seconds are recorded; nil: every scrape.
    public var everySeconds: Double?
    /// What has been recorded so far, in scrape order (within a scrape: cluster order, then signal order).
    public private(set) var samples: [ScrapedSample] = []

    public init(signals: Set<String>?, everySeconds: Double? = nil) {
        self.signals = signals
        self.everySeconds = everySeconds
    }

    /// Whether the scrape at `seconds` is recorded at all.
    func records(scrapeAtSeconds seconds: Double) -> Bool {
        everySeconds.map { seconds.truncatingRemainder(dividingBy: $0) == 0 } ?? true
    }

    /// Records one scraped value if its signal is wanted.
    mutating func keep(cluster: String, signal: SimulatedSignal, at seconds: Double, value: Double) {
        guard signals?.contains(signal.rawValue) ?? true else { return }
        samples.append(ScrapedSample(cluster: cluster, signal: signal.rawValue, at: seconds, value: value))
    }

    /// The recorded samples ordered by time, cluster and signal.
    public var samplesByTimeClusterAndSignal: [ScrapedSample] {
        samples.sorted { ($0.at, $0.cluster, $0.signal) < ($1.at, $1.cluster, $1.signal) }
    }
}
