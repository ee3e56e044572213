public import SluiceCore

/// The break-glass channels as a driver, for the daemon's own escalation of a cluster whose revert through the
/// control plane keeps failing: the same fan-out, retries and bounds as `sluice break-glass`, without fencing the
/// rollout or writing a break-glass run (the daemon's journal records the escalation).
public struct BreakGlassDriver: FleetDriver {
    let operation: BreakGlassOperation

    public init(channels: [any BreakGlassChannel], parallelism: Int = 16, attempts: Int = 3) {
        operation = BreakGlassOperation(
            channels: channels, journal: nil, store: nil, parallelism: parallelism, attempts: attempts)
    }

    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        let target = ClusterTargets(
            cluster: cluster.name, nodeIndices: Array(action.nodes), nodeNames: action.nodes.map(cluster.nodeName(at:)))
        var reverted: [String: Int] = [:]
        var failures: [String] = []
        await operation.fanOut(
            operation.calls(for: [target]), rollout: action.rollout, artifact: artifact,
            reason: "escalated by sluiced: the control-plane revert kept failing",
            runID: "escalate-\(action.rollout)-\(cluster.name)"
        ) { call, _, result in
            let channel = operation.channels[call.channel].name
            switch result {
            case .success: reverted[channel, default: 0] += call.nodeIndices.count
            case .failure(let error): failures.append("\(channel) on \(call.nodeNames.count) nodes: \(error)")
            }
        }
        guard failures.isEmpty else {
            throw BreakGlassChannelError("node-direct revert incomplete: " + failures.prefix(3).joined(separator: "; "))
        }
        return operation.channels.map { "\($0.name): \(reverted[$0.name] ?? 0) nodes" }.joined(separator: ", ")
    }
}
