/// A way to revert an artifact on nodes that goes around the Kubernetes control plane and the daemon.
public protocol BreakGlassChannel: Sendable {
    /// A short name for results and the record (`exec`, `etcd-killswitch`, `simulator`).
    var name: String { get }
    /// Nodes handled per call: 1 for a per-node command, the whole cluster for a per-cluster kill switch.
    var maxNodesPerCall: Int { get }
    /// Reverts `artifact` on `nodes` of `cluster`. Must be idempotent: break-glass retries and may run twice.
    ///
    /// Returns a short detail for the record; throws when the revert did not happen.
    func revert(_ target: RevertTarget) async throws -> String
}

/// What one channel call reverts.
public struct RevertTarget: Sendable, Equatable {
    public var rollout: String
    public var artifact: ArtifactRef
    public var cluster: String
    /// Node names, and their indices in the cluster's rollout order.
    public var nodes: [String]
    public var nodeIndices: [Int]
    public var reason: String
    public var runID: String

    public init(
        rollout: String, artifact: ArtifactRef, cluster: String, nodes: [String], nodeIndices: [Int], reason: String,
        runID: String
    ) {
        self.rollout = rollout
        self.artifact = artifact
        self.cluster = cluster
        self.nodes = nodes
        self.nodeIndices = nodeIndices
        self.reason = reason
        self.runID = runID
    }
}

/// Why a channel could not revert.
public struct BreakGlassChannelError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
