/// What a user submits: a change to roll out across a fleet, wave by wave and batch by batch.
///
/// A plan is intent only. It is resolved against a ``Fleet`` into a ``RolloutSpec`` before the controller sees it.
public struct RolloutPlan: Sendable, Equatable, Codable {
    public var name: String
    public var artifact: ArtifactRef
    /// Path of the fleet file, relative to the plan file.
    public var fleetPath: String
    /// Name of a gate policy in `Policies/`, or a path ending in `.yaml`.
    public var policyName: String
    public var waves: [WavePlan]
    /// An APF brake for the agent on every cluster, while the rollout lasts (``APFBrakeSpec``).
    public var apfBrake: APFBrakeSpec?

    public init(
        name: String, artifact: ArtifactRef, fleetPath: String, policyName: String, waves: [WavePlan],
        apfBrake: APFBrakeSpec? = nil
    ) {
        self.name = name
        self.artifact = artifact
        self.fleetPath = fleetPath
        self.policyName = policyName
        self.waves = waves
        self.apfBrake = apfBrake
    }
}

/// The thing being rolled out.
public struct ArtifactRef: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    /// How the artifact's agents use the Kubernetes API, by profile name (the simulator models it).
    public var apiProfile: String?

    public init(name: String, version: String, apiProfile: String? = nil) {
        self.name = name
        self.version = version
        self.apiProfile = apiProfile
    }
}

/// One wave: a set of clusters that share batch sizes, bakes and an approval rule.
public struct WavePlan: Sendable, Equatable, Codable {
    public var name: String
    public var clusters: ClusterSelector
    /// Clusters of this wave that may be in progress at once.
    public var maxConcurrentClusters: Int
    /// Cumulative sizes of the node batches inside each cluster, the last one 100%.
    public var nodeBatches: [BatchStep]
    public var bakeBetweenBatchesSeconds: Double
    public var bakeAfterClusterSeconds: Double
    public var approval: ApprovalMode

    public init(
        name: String, clusters: ClusterSelector, maxConcurrentClusters: Int = 1, nodeBatches: [BatchStep],
        bakeBetweenBatchesSeconds: Double, bakeAfterClusterSeconds: Double, approval: ApprovalMode = .automatic
    ) {
        self.name = name
        self.clusters = clusters
        self.maxConcurrentClusters = maxConcurrentClusters
        self.nodeBatches = nodeBatches
        self.bakeBetweenBatchesSeconds = bakeBetweenBatchesSeconds
        self.bakeAfterClusterSeconds = bakeAfterClusterSeconds
        self.approval = approval
    }
}

/// Whether a wave starts by itself or waits for `sluice promote`.
public enum ApprovalMode: String, Sendable, Equatable, Codable {
    case automatic
    case manual
}

/// Which clusters of the fleet a wave covers.
public enum ClusterSelector: Sendable, Equatable, Codable {
    case names([String])
    case matchLabels([String: String])
}

/// A cumulative batch size: an absolute node count or a percentage of the cluster's nodes.
public enum BatchStep: Sendable, Equatable, Codable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// The cumulative number of nodes this step reaches in a cluster of `nodeCount` nodes (at least one node).
    public func cumulativeNodes(of nodeCount: Int) -> Int {
        switch self {
        case .count(let count):
            return min(count, nodeCount)
        case .percent(let percent):
            let nodes = (Double(nodeCount) * percent / 100).rounded(.up)
            return min(nodeCount, max(1, Int(nodes)))
        }
    }

    public var description: String {
        switch self {
        case .count(let count): "\(count)"
        case .percent(let percent): "\(percent.formatted(maxFractionDigits: 3))%"
        }
    }
}

extension Double {
    /// A short decimal form without a trailing `.0`, rounded to `maxFractionDigits` (no Foundation needed).
    public func formatted(maxFractionDigits: Int) -> String {
        if self == rounded() && abs(self) < 1e15 { return String(Int(self)) }
        var scale = 1.0
        for _ in 0..<maxFractionDigits { scale *= 10 }
        let value = (self * scale).rounded() / scale
        return "\(value)"
    }
}
