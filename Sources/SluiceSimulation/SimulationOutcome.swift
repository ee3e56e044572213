import FleetSimulator
import SluiceCore

/// What a simulated run did to the fleet, scored against the simulator's ground truth.
public struct SimulationOutcome: Sendable, Codable, Equatable {
    /// One cluster's harm.
    public struct ClusterOutcome: Sendable, Codable, Equatable {
        public var cluster: String
        public var nodes: Int
        public var degradedMinutes: Double
        public var downMinutes: Double
        public var dnsFailureMinutes: Double
        public var peakAgentNodes: Int
        public var agentNodesAtEnd: Int
        public var firstDegradedAtSeconds: Double?
        public var degradedAtEnd: Bool
    }

    /// One line of the run's timeline.
    public struct TimelineEntry: Sendable, Codable, Equatable {
        public var atSeconds: Double
        public var verb: String
        public var message: String
    }

    public var scenario: String
    public var simulatedSeconds: Double
    public var clusters: [ClusterOutcome]
    public var timeline: [TimelineEntry]
    /// Nodes running the new agent at the busiest moment, fleet-wide.
    public var peakAgentNodes: Int
    /// When the rollout was stopped (halted, rolled back), if it was.
    public var haltedAtSeconds: Double?
    /// The rollout's final phase, for guarded runs.
    public var finalPhase: String?

    /// Clusters whose control plane was degraded at any time.
    public var clustersDegraded: Int { clusters.filter { $0.degradedMinutes > 0 }.count }
    /// Clusters whose control plane went down (availability under 50%).
    public var clustersDown: Int { clusters.filter { $0.downMinutes > 0 }.count }
    public var dnsFailureClusterMinutes: Double { clusters.map(\.dnsFailureMinutes).reduce(0, +) }
    /// The first moment any control plane degraded.
    public var firstHarmAtSeconds: Double? { clusters.compactMap(\.firstDegradedAtSeconds).min() }
    /// From the first harm to the halt; nil when there was no harm or no halt.
    public var firstHarmToHaltSeconds: Double? {
        guard let harm = firstHarmAtSeconds, let halt = haltedAtSeconds else { return nil }
        return max(0, halt - harm)
    }
    /// Clusters still degraded when the run ended.
    public var clustersDegradedAtEnd: Int { clusters.filter(\.degradedAtEnd).count }

    static func clusterOutcome(_ truth: ClusterGroundTruth, cluster: FleetCluster, agentNodes: Int) -> ClusterOutcome {
        ClusterOutcome(
            cluster: cluster.name, nodes: cluster.nodeCount, degradedMinutes: truth.degradedSeconds / 60,
            downMinutes: truth.downSeconds / 60, dnsFailureMinutes: truth.dnsFailureSeconds / 60,
            peakAgentNodes: truth.peakAgentNodes, agentNodesAtEnd: agentNodes,
            firstDegradedAtSeconds: truth.firstDegradedAtSeconds, degradedAtEnd: truth.isDegradedNow)
    }
}
