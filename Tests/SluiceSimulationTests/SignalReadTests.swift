import FleetSimulator
import SluiceCore
import SluiceSimulation
import Testing

/// The simulator's shortcuts for the controller's reads give what the general path gives.
@Suite("Signal reads from the simulated fleet")
struct SignalReadTests {
    static let reads = [
        SignalRead(signal: "apiserver_429_ratio", seconds: 120),
        SignalRead(signal: "apf_seats_in_use", seconds: 300),
        SignalRead(signal: "agent_nodes", seconds: 60),
        SignalRead(signal: "not_a_signal", seconds: 60),
    ]

    /// A fleet with a change under way in `medium`, so that the signals move.
    static func busyFleet(keeping kept: Set<String>? = nil) async -> SimulatedFleet {
        let fleet = SimulatedFleet(
            fleet: smallIncidentFleet, seed: 5, retentionSeconds: 300, keptSignals: kept)
        _ = await fleet.submit(
            cluster: "medium", nodes: 0..<600, enable: true, profile: .listAllPodsEveryMinute, path: .controlPlane,
            deadlineSeconds: 600)
        return fleet
    }

    @Test("A cluster's signals read in one call equal its signals read one at a time")
    func batchEqualsOneByOne() async {
        let source = SimulatorSignalSource(fleet: await Self.busyFleet())
        for seconds in stride(from: 0.0, through: 1800, by: 450) {
            await source.fleet.advance(to: seconds)
            for cluster in smallIncidentFleet.clusters.map(\.name) + ["no-such-cluster"] {
                let batch = await source.read(Self.reads, cluster: cluster, artifact: "agent", now: seconds)
                let each = await source.readEach(Self.reads, cluster: cluster, artifact: "agent", now: seconds)
                #expect(batch == each, "\(cluster) at \(seconds) s")
            }
        }
    }

    @Test("A fleet that keeps only the signals its readers name reads those as a fleet that keeps all, others empty")
    func keptSignalsReadTheSame() async {
        let named: Set<String> = ["apiserver_429_ratio", "agent_nodes"]
        let some = await Self.busyFleet(keeping: named)
        let all = await Self.busyFleet()
        for seconds in stride(from: 300.0, through: 1800, by: 500) {
            await some.advance(to: seconds)
            await all.advance(to: seconds)
            for signal in SimulatedSignal.allNames {
                let kept = await some.samples(cluster: "medium", signal: signal, from: seconds - 300, through: seconds)
                let everything = await all.samples(
                    cluster: "medium", signal: signal, from: seconds - 300, through: seconds)
                #expect(kept == (named.contains(signal) ? everything : []), "\(signal) at \(seconds) s")
            }
        }
        #expect(await some.peakAgentNodes == (await all.peakAgentNodes))
    }
}
