import FleetSimulator
import Testing

/// Calibration 6: a 1 % batch on the largest cluster is visible before it does harm.
@Suite("Early-batch signal")
struct EarlyBatchSignalTests {
    @Test("1 % of a 7,500-node cluster uses ~10 % of the seats without degrading it")
    func onePercentBatch() throws {
        var simulation = FleetSimulation(
            clusters: [
                SimulatedClusterSpec(name: "big", nodeCount: 7_500, apiserverCount: 5),
                SimulatedClusterSpec(name: "untouched", nodeCount: 7_500, apiserverCount: 5),
            ], seed: 9)
        let ticket = simulation.submitControlPlaneChange(
            cluster: "big", nodeIndices: 0..<75, enable: true, profile: .listAllPodsEveryMinute, deadlineSeconds: 120)
        var seatShares: [Double] = []
        var listLatencies: [Double] = []
        for step in 1...60 {
            simulation.advance(toSeconds: Double(step) * 15)
            let signals = simulation.signals(cluster: "big")
            let untouched = simulation.signals(cluster: "untouched")
            #expect(untouched[SimulatedSignal.agentAPISeats.rawValue] == 0)
            #expect(untouched[SimulatedSignal.agentAPIRequestsPerSecond.rawValue] == 0)
            guard step * 15 >= 180 else { continue }
            let seats = try #require(signals[SimulatedSignal.agentAPISeats.rawValue])
            let limit = try #require(signals[SimulatedSignal.apfSeatsLimit.rawValue])
            seatShares.append(seats / limit)
            listLatencies.append(try #require(signals[SimulatedSignal.listLatencyP99Seconds.rawValue]))
        }
        #expect(simulation.changeStatus(ticket) == .succeeded)
        #expect(simulation.agentNodeCount(cluster: "big") == 75)
        let meanShare = seatShares.reduce(0, +) / Double(seatShares.count)
        #expect(meanShare > 0.06 && meanShare < 0.15, "the 1 % batch holds \(meanShare) of the seats")
        // The cluster-wide LIST itself already breaks the 30 s LIST SLO: another early signal.
        #expect(listLatencies.max()! > 30)
        let truth = simulation.groundTruth(cluster: "big")
        #expect(truth.degradedSeconds == 0)
        #expect(truth.dnsFailureSeconds == 0)
        #expect(truth.peak429Ratio < 0.01)
        #expect(simulation.groundTruth(cluster: "untouched").peakAgentNodes == 0)
    }
}
