/// One simulated Kubernetes cluster: its size and its control plane.
public struct SimulatedClusterSpec: Sendable, Equatable {
    /// Unique within a fleet.
    public var name: String
    /// Worker nodes; each may run the agent. Must be positive.
    public var nodeCount: Int
    /// Pods scheduled on each node (the objects a cluster-wide pod LIST returns: `nodeCount × podsPerNode`).
    public var podsPerNode: Int
    /// kube-apiserver replicas behind the load balancer, each with its own seats, CPU and memory. At least 1.
    public var apiserverCount: Int

    /// Creates a cluster spec; `nodeCount` and `apiserverCount` must be at least 1, `podsPerNode` at least 0.
    public init(name: String, nodeCount: Int, podsPerNode: Int = 30, apiserverCount: Int) {
        precondition(nodeCount >= 1, "SimulatedClusterSpec \(name): nodeCount must be at least 1, got \(nodeCount)")
        precondition(podsPerNode >= 0, "SimulatedClusterSpec \(name): podsPerNode must be >= 0, got \(podsPerNode)")
        precondition(
            apiserverCount >= 1,
            "SimulatedClusterSpec \(name): apiserverCount must be at least 1, got \(apiserverCount)"
        )
        self.name = name
        self.nodeCount = nodeCount
        self.podsPerNode = podsPerNode
        self.apiserverCount = apiserverCount
    }

    /// Pods in the whole cluster.
    public var podCount: Int { nodeCount * podsPerNode }
}
