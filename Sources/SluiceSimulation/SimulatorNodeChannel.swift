import FleetSimulator
public import SluiceCore

/// The simulator's node-direct path as a break-glass channel, for runs in the same process as the simulation.
///
/// A `sluiced --simulate` daemon keeps its simulation in its own memory, which `sluice break-glass` in another
/// process cannot reach; the simulator channel is therefore used in-process (tests, `SimulationRunner`-style runs,
/// and the daemon's own escalation). The stop takes effect `nodeDirectLatencySeconds` of simulated time later,
/// whatever the apiserver's state; the caller moves simulated time.
public struct SimulatorNodeChannel: BreakGlassChannel {
    public let fleet: SimulatedFleet
    public var maxNodesPerCall: Int

    public init(fleet: SimulatedFleet, maxNodesPerCall: Int = 500) {
        self.fleet = fleet
        self.maxNodesPerCall = maxNodesPerCall
    }

    public var name: String { "simulator" }

    public func revert(_ target: RevertTarget) async throws -> String {
        let profile = AgentAPIProfile.forArtifact(target.artifact) ?? .noAPICalls
        var runs: [Range<Int>] = []
        for index in target.nodeIndices.sorted() {
            if let last = runs.last, last.upperBound == index {
                runs[runs.count - 1] = last.lowerBound..<(index + 1)
            } else {
                runs.append(index..<(index + 1))
            }
        }
        for run in runs {
            let ticket = await fleet.submit(
                cluster: target.cluster, nodes: run, enable: false, profile: profile, path: .nodeDirect,
                deadlineSeconds: .infinity)
            if case .failed(let reason) = await fleet.status(ticket) { throw BreakGlassChannelError(reason) }
        }
        return "stop sent node-direct to \(target.nodes.count) nodes"
    }
}
