/// The clusters a plan can reach, as declared in a `kind: Fleet` file.
public struct Fleet: Sendable, Equatable, Codable {
    public var name: String
    public var clusters: [FleetCluster]

    public init(name: String, clusters: [FleetCluster]) {
        self.name = name
        self.clusters = clusters
    }

    /// The cluster with this name, if the fleet has it.
    public func cluster(named name: String) -> FleetCluster? {
        clusters.first { $0.name == name }
    }
}

/// One Kubernetes cluster of the fleet.
public struct FleetCluster: Sendable, Equatable, Codable {
    public var name: String
    public var labels: [String: String]
    public var nodeCount: Int
    /// Node names in rollout order; when absent, nodes are named `<cluster>-node-<index>`.
    public var nodeNames: [String]?
    public var apiservers: Int
    public var podsPerNode: Int

    public init(
        name: String, labels: [String: String] = [:], nodeCount: Int, nodeNames: [String]? = nil, apiservers: Int = 1,
        podsPerNode: Int = 30
    ) {
        self.name = name
        self.labels = labels
        self.nodeCount = nodeCount
        self.nodeNames = nodeNames
        self.apiservers = apiservers
        self.podsPerNode = podsPerNode
    }

    /// The name of the node at `index` (0-based, in rollout order).
    public func nodeName(at index: Int) -> String {
        nodeNames?[index] ?? "\(name)-node-\(index)"
    }

    /// Whether every label of `selector` is on this cluster.
    public func matches(labels selector: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }
}
