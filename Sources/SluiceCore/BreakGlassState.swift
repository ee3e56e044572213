/// What break-glass did to a rollout: who fenced it, when and why, and per cluster which nodes it reverted
/// node-direct. Every view of a rollout reads the truth on the nodes through this, whether or not `sluiced` has
/// seen the fence yet (during an incident it is often down).
public struct BreakGlassState: Sendable, Equatable, Codable {
    /// The nodes of one cluster that break-glass reached.
    public struct ClusterResult: Sendable, Equatable, Codable {
        public var cluster: String
        /// Nodes that at least one channel reverted: they no longer run the change.
        public var reverted: [String]
        /// Nodes that every channel failed to revert: they may still run it.
        public var failed: [String]

        public init(cluster: String, reverted: [String], failed: [String]) {
            self.cluster = cluster
            self.reverted = reverted
            self.failed = failed
        }
    }

    /// Wall-clock Unix seconds of the first break-glass run.
    public var fencedAt: Double
    /// The OS user of the latest run, and their reason.
    public var actor: String
    public var reason: String
    /// Break-glass runs on this rollout so far.
    public var runs: Int
    /// Per cluster, by name.
    public var clusters: [ClusterResult]

    public init(fencedAt: Double, actor: String, reason: String, runs: Int, clusters: [ClusterResult]) {
        self.fencedAt = fencedAt
        self.actor = actor
        self.reason = reason
        self.runs = runs
        self.clusters = clusters
    }

    /// The rollout's message while fenced.
    public var message: String { Self.message(fencedAt: fencedAt, actor: actor, reason: reason) }

    /// The message of a rollout fenced at `fencedAt` (wall clock) by `actor` for `reason`.
    public static func message(fencedAt: Double, actor: String, reason: String) -> String {
        "break-glass since \(ControllerTime.format(fencedAt)) by \(actor): \(reason); "
            + "sluiced applies nothing more to this rollout"
    }

    /// What break-glass did in `cluster`, or nil if it did not reach it.
    public func result(for cluster: String) -> ClusterResult? {
        clusters.first { $0.cluster == cluster }
    }

    public var nodesReverted: Int { clusters.reduce(0) { $0 + $1.reverted.count } }
    public var nodesFailed: Int { clusters.reduce(0) { $0 + $1.failed.count } }

    /// How many of the first `applied` nodes of `cluster` (in rollout order) still carry the change once the nodes
    /// break-glass reverted are taken away.
    public func nodesCarrying(_ cluster: FleetCluster, applied: Int) -> Int {
        guard let result = result(for: cluster.name), !result.reverted.isEmpty, applied > 0 else { return applied }
        let appliedNames = Set((0..<min(applied, cluster.nodeCount)).map(cluster.nodeName(at:)))
        return applied - result.reverted.filter(appliedNames.contains).count
    }
}

extension ClusterSpec {
    /// Nodes that the batches confirmed applied cover: the first `appliedBatches` batches' nodes.
    public func nodesApplied(batches appliedBatches: Int) -> Int {
        appliedBatches <= 0 ? 0 : batchEnds[min(appliedBatches, batchEnds.count) - 1]
    }
}

extension RolloutStatus {
    /// The status as it is on the nodes: a rollout break-glass fenced is halted with the fence's message, whether or
    /// not `sluiced` has recorded the fence yet.
    public func fenced(by breakGlass: BreakGlassState?) -> RolloutStatus {
        guard let breakGlass else { return self }
        var status = self
        status.phase = .halted
        status.message = breakGlass.message
        return status
    }
}
