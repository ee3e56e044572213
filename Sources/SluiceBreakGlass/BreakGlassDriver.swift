public import SluiceCore

/// The break-glass channels as a driver, for the daemon's own escalation of a cluster whose revert through the
/// control plane keeps failing. Every channel reverts every node of the action, in parallel up to `parallelism`.
public struct BreakGlassDriver: FleetDriver {
    public var channels: [any BreakGlassChannel]
    public var parallelism: Int

    public init(channels: [any BreakGlassChannel], parallelism: Int = 16) {
        self.channels = channels
        self.parallelism = parallelism
    }

    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        let indices = Array(action.nodes)
        var details: [String] = []
        for channel in channels {
            let chunks = stride(from: 0, to: indices.count, by: max(1, channel.maxNodesPerCall)).map {
                Array(indices[$0..<min(indices.count, $0 + max(1, channel.maxNodesPerCall))])
            }
            var reverted = 0
            var pending = chunks[...]
            while !pending.isEmpty {
                let wave = pending.prefix(max(1, parallelism))
                pending = pending.dropFirst(wave.count)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for chunk in wave {
                        group.addTask {
                            _ = try await channel.revert(RevertTarget(
                                rollout: action.rollout, artifact: artifact, cluster: cluster.name,
                                nodes: chunk.map(cluster.nodeName(at:)), nodeIndices: chunk,
                                reason: "escalated by sluiced: the control-plane revert kept failing",
                                runID: "escalate-\(action.rollout)-\(cluster.name)"))
                            return chunk.count
                        }
                    }
                    for try await count in group { reverted += count }
                }
            }
            details.append("\(channel.name): \(reverted) nodes")
        }
        return details.joined(separator: ", ")
    }
}
