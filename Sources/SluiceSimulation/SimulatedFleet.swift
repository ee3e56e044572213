public import FleetSimulator
public import SluiceCore

/// The simulator as Sluice sees a real fleet: nodes to act on, metrics scraped at intervals, a clock.
///
/// One simulation shared by the driver, the signal source and the clock. Scraped samples of the signals its readers
/// name are kept for `retentionSeconds` in a bounded ring per cluster and signal; a read that reaches further back
/// widens the retention from then on, so the rings grow to the longest window the readers ask for and no further. A
/// `ScrapeRecording` gets every scrape as it happens instead.
public actor SimulatedFleet {
    /// The retention when none is given: five times the longest read of the shipped policies (2 minutes).
    public static let defaultRetentionSeconds: Double = 600

    public private(set) var simulation: FleetSimulation
    public let fleet: Fleet
    private var nextScrapeAt: Double = 0
    private let clusterIndexByName: [String: Int]
    private var retained: RetainedScrapes
    private var recording: ScrapeRecording?
    /// The signals whose samples are kept, by `SimulatedSignal.index`; a read of another one finds none.
    private let keeps: KeptSignals
    /// The reads of the latest `signals(_:cluster:now:)` call, with their signals looked up.
    private var lastReads: (reads: [SignalRead], signals: [SimulatedSignal?]) = ([], [])
    /// The largest number of nodes running any agent at once, fleet-wide.
    public private(set) var peakAgentNodes = 0

    /// A simulation of `fleet`, scraped once at time zero.
    ///
    /// `retentionSeconds`: how far back the signal source can read at first (`GatePolicy.longestReadSeconds` of
    /// the policies that will read it); `keptSignals`: the signals they read (nil: all; empty: none, and a scrape
    /// visits no cluster unless it is recorded). `recording`: what to stream out of every scrape for a recording.
    /// `stepWorkers`: threads that step the clusters (`FleetSimulation.stepWorkers`; the results are the same).
    public init(
        fleet: Fleet, parameters: SimulationParameters = .default, seed: UInt64,
        retentionSeconds: Double = defaultRetentionSeconds, keptSignals: Set<String>? = nil,
        recording: ScrapeRecording? = nil, stepWorkers: Int = 1
    ) {
        self.fleet = fleet
        var simulation = FleetSimulation(
            clusters: fleet.clusters.map {
                SimulatedClusterSpec(
                    name: $0.name, nodeCount: $0.nodeCount, podsPerNode: $0.podsPerNode, apiserverCount: $0.apiservers)
            },
            parameters: parameters, seed: seed)
        simulation.stepWorkers = stepWorkers
        clusterIndexByName = Dictionary(uniqueKeysWithValues: fleet.clusters.enumerated().map { ($1.name, $0) })
        var retained = RetainedScrapes(clusterCount: fleet.clusters.count, retentionSeconds: retentionSeconds)
        var recording = recording
        let keeps = KeptSignals(keptSignals)
        // Monitoring has a first scrape at time zero, before anything is changed.
        peakAgentNodes = Self.scrape(
            simulation, clusters: fleet.clusters, keeping: keeps, into: &retained, recording: &recording)
        self.keeps = keeps
        self.simulation = simulation
        self.retained = retained
        self.recording = recording
        nextScrapeAt = simulation.parameters.scrapeIntervalSeconds
    }

    /// A simulation read only by `policy`'s gates and predictions (nil: by none): samples kept as long as they
    /// reach back, and only of the signals they read.
    public init(
        fleet: Fleet, parameters: SimulationParameters = .default, seed: UInt64, readBy policy: GatePolicy?,
        recording: ScrapeRecording? = nil, stepWorkers: Int = 1
    ) {
        self.init(
            fleet: fleet, parameters: parameters, seed: seed, retentionSeconds: policy?.longestReadSeconds ?? 0,
            keptSignals: Set(policy?.signalNames ?? []), recording: recording, stepWorkers: stepWorkers)
    }

    /// Virtual seconds since the simulation started.
    public var nowSeconds: Double { simulation.nowSeconds }

    /// Runs the simulation to `seconds`, scraping every cluster at each scrape interval on the way.
    public func advance(to seconds: Double) {
        let interval = simulation.parameters.scrapeIntervalSeconds
        while nextScrapeAt <= seconds {
            simulation.advance(toSeconds: nextScrapeAt)
            scrape()
            nextScrapeAt += interval
        }
        simulation.advance(toSeconds: seconds)
    }

    /// Moves the simulation forward by `seconds`.
    public func advance(by seconds: Double) { advance(to: simulation.nowSeconds + seconds) }

    private func scrape() {
        let agentNodes = Self.scrape(
            simulation, clusters: fleet.clusters, keeping: keeps, into: &retained, recording: &recording)
        peakAgentNodes = max(peakAgentNodes, agentNodes)
    }

    /// Keeps every cluster's current values of the signals `keeping` marks, drops those past the retention, streams
    /// the scrape to the recording; returns the nodes running an agent fleet-wide.
    private static func scrape(
        _ simulation: FleetSimulation, clusters: [FleetCluster], keeping keeps: KeptSignals,
        into retained: inout RetainedScrapes, recording: inout ScrapeRecording?
    ) -> Int {
        let now = simulation.nowSeconds
        let recordsThisScrape = recording?.records(scrapeAtSeconds: now) ?? false
        guard recordsThisScrape || keeps.any else { return simulation.agentNodeCountFleetWide }
        for (index, cluster) in clusters.enumerated() {
            simulation.visitSignals(clusterIndex: index) { signal, value in
                if keeps.byIndex[signal.index] {
                    retained.append(SignalSample(at: now, value: value), cluster: index, signal: signal)
                }
                if recordsThisScrape { recording?.keep(cluster: cluster.name, signal: signal, at: now, value: value) }
            }
        }
        retained.forgetOlderThanRetention(nowSeconds: now)
        return simulation.agentNodeCountFleetWide
    }

    /// The scraped samples of `signal` in `cluster` with `from <= at <= through`.
    public func samples(cluster: String, signal: String, from: Double, through: Double) -> [SignalSample] {
        guard let index = clusterIndexByName[cluster] else { return [] }
        return samples(clusterIndex: index, signal: SimulatedSignal.named[signal], from: from, through: through)
    }

    /// The scraped samples of every one of `reads` in `cluster`, each window ending at `now`: one call for what
    /// ``samples(cluster:signal:from:through:)`` gives a signal at a time.
    public func signals(_ reads: [SignalRead], cluster: String, now: Double) -> ClusterSignals {
        // A pass reads the same list for every cluster: its names are looked up once (`==` of the same array is
        // immediate).
        if reads != lastReads.reads { lastReads = (reads, reads.map { SimulatedSignal.named[$0.signal] }) }
        var signals = ClusterSignals(cluster: cluster)
        let index = clusterIndexByName[cluster]
        for (read, known) in zip(reads, lastReads.signals) {
            signals.samples[read.signal] = index.map {
                samples(clusterIndex: $0, signal: known, from: now - read.seconds, through: now)
            } ?? []
        }
        return signals
    }

    private func samples(clusterIndex index: Int, signal: SimulatedSignal?, from: Double, through: Double)
        -> [SignalSample]
    {
        guard let signal else { return [] }
        retained.widen(toSeconds: simulation.nowSeconds - from)
        return retained.samples(cluster: index, signal: signal, from: from, through: through)
    }

    /// How far back samples are kept now, virtual seconds.
    public var retentionSeconds: Double { retained.retentionSeconds }

    /// The samples kept for the cluster and signal with the most: bounded by the retention, not by the run's length.
    public var longestRetainedSeriesCount: Int { retained.longestSeriesCount }

    /// What the recording holds so far, ordered by time, cluster and signal; empty without a recording.
    public var recordedSamples: [ScrapedSample] { recording?.samplesByTimeClusterAndSignal ?? [] }

    /// Starts a change on `nodes` of `cluster` through `path`.
    public func submit(
        cluster: String, nodes: Range<Int>, enable: Bool, profile: AgentAPIProfile, path: ChangePath,
        deadlineSeconds: Double
    ) -> ChangeTicket {
        switch path {
        case .controlPlane:
            simulation.submitControlPlaneChange(
                cluster: cluster, nodeIndices: nodes, enable: enable, profile: profile, deadlineSeconds: deadlineSeconds)
        case .nodeDirect:
            simulation.nodeDirect(cluster: cluster, nodeIndices: nodes, enable: enable, profile: profile)
        }
    }

    public func status(_ ticket: ChangeTicket) -> ChangeStatus { simulation.changeStatus(ticket) }

    /// Installs or (with nil) removes the APF brake of `cluster`; false when no apiserver serves to take the call.
    public func setAPFBrake(_ brake: APFBrake?, cluster: String) -> Bool {
        simulation.setAPFBrake(brake, cluster: cluster)
    }

    /// The APF brake installed on `cluster`, if any.
    public func apfBrake(cluster: String) -> APFBrake? { simulation.apfBrake(cluster: cluster) }

    public func groundTruth(cluster: String) -> ClusterGroundTruth { simulation.groundTruth(cluster: cluster) }

    public func agentNodeCount(cluster: String) -> Int { simulation.agentNodeCount(cluster: cluster) }

    /// Whether any cluster's control plane is degraded or its DNS failing right now.
    public var isAnyClusterHarmed: Bool {
        simulation.clusterNames.contains {
            let truth = simulation.groundTruth(cluster: $0)
            return truth.isDegradedNow || truth.isDnsFailingNow
        }
    }
}

extension SimulatedSignal {
    /// Every signal by name: one hash where `init(rawValue:)` compares the name with each case in turn.
    static let named = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}

/// One scraped value, as a recording keeps it.
public struct ScrapedSample: Sendable, Equatable {
    public var cluster: String
    public var signal: String
    public var at: Double
    public var value: Double
}

/// How a change reaches the nodes.
public enum ChangePath: String, Sendable, Codable {
    /// Through the Kubernetes API (label nodes, patch the DaemonSet): needs a working apiserver.
    case controlPlane
    /// Straight to the nodes (break-glass): works whatever the apiserver's state.
    case nodeDirect
}

extension AgentAPIProfile {
    /// The profile an artifact names; an artifact that names none makes no API calls.
    public static func forArtifact(_ artifact: ArtifactRef) -> AgentAPIProfile? {
        guard let name = artifact.apiProfile else { return .noAPICalls }
        return named(name)
    }
}

/// The signals a simulated fleet keeps samples of, by `SimulatedSignal.index`, and whether it keeps any.
struct KeptSignals {
    let byIndex: [Bool]
    let any: Bool

    /// `names` (nil: every signal).
    init(_ names: Set<String>?) {
        byIndex = SimulatedSignal.allCases.map { names?.contains($0.rawValue) ?? true }
        any = byIndex.contains(true)
    }
}
