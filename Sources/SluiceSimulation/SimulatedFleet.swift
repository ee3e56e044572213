public import FleetSimulator
public import SluiceCore

/// The simulator as Sluice sees a real fleet: nodes to act on, metrics scraped at intervals, a clock.
///
/// One simulation shared by the driver, the signal source and the clock. Scraped samples are kept for
/// `retentionSeconds`, enough for any gate window and baseline.
public actor SimulatedFleet {
    public private(set) var simulation: FleetSimulation
    public let fleet: Fleet
    let retentionSeconds: Double
    private var nextScrapeAt: Double = 0
    /// Scraped samples by cluster, then signal, oldest first.
    private var history: [String: [String: [SignalSample]]] = [:]
    /// The largest number of nodes running any agent at once, fleet-wide.
    public private(set) var peakAgentNodes = 0

    public init(fleet: Fleet, parameters: SimulationParameters = .default, seed: UInt64, retentionSeconds: Double = 7200) {
        self.fleet = fleet
        self.retentionSeconds = retentionSeconds
        simulation = FleetSimulation(
            clusters: fleet.clusters.map {
                SimulatedClusterSpec(
                    name: $0.name, nodeCount: $0.nodeCount, podsPerNode: $0.podsPerNode, apiserverCount: $0.apiservers)
            },
            parameters: parameters, seed: seed)
        // Monitoring has a first scrape at time zero, before anything is changed.
        (history, peakAgentNodes) = Self.scrape(simulation, into: [:], peak: 0)
        nextScrapeAt = simulation.parameters.scrapeIntervalSeconds
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
        (history, peakAgentNodes) = Self.scrape(simulation, into: history, peak: peakAgentNodes)
        let now = simulation.nowSeconds
        if Int(now / simulation.parameters.scrapeIntervalSeconds) % 240 == 0 { prune(before: now - retentionSeconds) }
    }

    /// Appends every cluster's current signals to `history`; returns it with the peak of nodes running an agent.
    private static func scrape(
        _ simulation: FleetSimulation, into history: [String: [String: [SignalSample]]], peak: Int
    ) -> ([String: [String: [SignalSample]]], Int) {
        var history = history
        let now = simulation.nowSeconds
        var agentNodes = 0
        for name in simulation.clusterNames {
            agentNodes += simulation.agentNodeCount(cluster: name)
            for (signal, value) in simulation.signals(cluster: name) {
                history[name, default: [:]][signal, default: []].append(SignalSample(at: now, value: value))
            }
        }
        return (history, max(peak, agentNodes))
    }

    private func prune(before cutoff: Double) {
        for cluster in history.keys {
            for signal in history[cluster]!.keys {
                history[cluster]![signal]!.removeAll { $0.at < cutoff }
            }
        }
    }

    /// Every retained sample of `signals` (all when nil), ordered by time, cluster and signal.
    public func retainedSamples(signals: Set<String>?) -> [ScrapedSample] {
        var samples: [ScrapedSample] = []
        for cluster in history.keys.sorted() {
            for (signal, series) in history[cluster]! where signals?.contains(signal) ?? true {
                samples += series.map { ScrapedSample(cluster: cluster, signal: signal, at: $0.at, value: $0.value) }
            }
        }
        return samples.sorted { ($0.at, $0.cluster, $0.signal) < ($1.at, $1.cluster, $1.signal) }
    }

    /// The scraped samples of `signal` in `cluster` with `from <= at <= through`.
    public func samples(cluster: String, signal: String, from: Double, through: Double) -> [SignalSample] {
        Array((history[cluster]?[signal] ?? []).window(from: from, through: through))
    }

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

