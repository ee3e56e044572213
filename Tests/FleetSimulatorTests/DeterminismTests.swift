import FleetSimulator
import Testing

/// Calibration 5: same inputs, same results; the seed changes only the noise and the jitter.
@Suite("Determinism")
struct DeterminismTests {
    static let fleet = [
        SimulatedClusterSpec(name: "big", nodeCount: 7_500, apiserverCount: 5),
        SimulatedClusterSpec(name: "mid", nodeCount: 2_000, apiserverCount: 3),
        SimulatedClusterSpec(name: "staging", nodeCount: 50, apiserverCount: 1),
    ]

    /// Runs a fixed script of changes; returns every cluster's signals every 15 s and the final ground truth.
    static func run(seed: UInt64, readSignalsOften: Bool = false) -> (
        signals: [[String: Double]], truth: [ClusterGroundTruth]
    ) {
        var simulation = FleetSimulation(clusters: fleet, seed: seed)
        _ = simulation.submitControlPlaneChange(
            cluster: "big", nodeIndices: 0..<75, enable: true, profile: .listAllPodsEveryMinute, deadlineSeconds: 300)
        _ = simulation.nodeDirect(
            cluster: "mid", nodeIndices: 0..<2_000, enable: true, profile: .listAllPodsEveryMinute)
        var signals: [[String: Double]] = []
        for step in 1...80 {
            if step == 40 {
                _ = simulation.nodeDirect(
                    cluster: "big", nodeIndices: 0..<7_500, enable: true, profile: .listAllPodsEveryMinute)
            }
            simulation.advance(toSeconds: Double(step) * 15)
            if readSignalsOften {
                for _ in 0..<3 { _ = simulation.signals(cluster: "big") }
            }
            for name in simulation.clusterNames { signals.append(simulation.signals(cluster: name)) }
        }
        return (signals, simulation.clusterNames.map { simulation.groundTruth(cluster: $0) })
    }

    @Test("the same seed gives identical signals and ground truth, however often signals are read")
    func sameSeedSameResults() {
        let first = Self.run(seed: 11)
        let second = Self.run(seed: 11, readSignalsOften: true)
        #expect(first.signals == second.signals)
        #expect(first.truth == second.truth)
        #expect(first.truth[0].degradedSeconds > 0)
    }

    @Test("a different seed gives different noise")
    func differentSeedDifferentNoise() {
        let first = Self.run(seed: 11)
        let second = Self.run(seed: 12)
        #expect(first.signals != second.signals)
        let firstRates = first.signals.compactMap { $0[SimulatedSignal.requestRate.rawValue] }
        let secondRates = second.signals.compactMap { $0[SimulatedSignal.requestRate.rawValue] }
        #expect(zip(firstRates, secondRates).filter { $0 != $1 }.count > firstRates.count / 2)
        // Noise, not a different world: the staging cluster is unharmed either way.
        #expect(first.truth[2].degradedSeconds == 0 && second.truth[2].degradedSeconds == 0)
    }

    @Test("a copy of a simulation is an independent fork that replays identically")
    func forkReplays() {
        var original = FleetSimulation(clusters: Self.fleet, seed: 3)
        _ = original.nodeDirect(cluster: "mid", nodeIndices: 0..<1_000, enable: true, profile: .listAllPodsEveryMinute)
        original.advance(toSeconds: 120)
        var fork = original
        original.advance(toSeconds: 600)
        fork.advance(toSeconds: 600)
        for name in original.clusterNames {
            #expect(original.signals(cluster: name) == fork.signals(cluster: name))
            #expect(original.groundTruth(cluster: name) == fork.groundTruth(cluster: name))
        }
    }

    @Test("noise is small and bounded: a quiet cluster's signals stay close to their true values")
    func noiseIsSmall() throws {
        var simulation = FleetSimulation(clusters: Self.fleet, seed: 5)
        var rates: [Double] = []
        for step in 1...40 {
            simulation.advance(toSeconds: Double(step) * 15)
            let signals = simulation.signals(cluster: "staging")
            rates.append(try #require(signals[SimulatedSignal.requestRate.rawValue]))
            #expect(try #require(signals[SimulatedSignal.ratio429.rawValue]) < 0.005)
            #expect(try #require(signals[SimulatedSignal.availability.rawValue]) > 0.995)
            #expect(signals[SimulatedSignal.agentAPISeats.rawValue] == 0)
            #expect(signals[SimulatedSignal.agentAPIRequestsPerSecond.rawValue] == 0)
            #expect(signals[SimulatedSignal.agentReadyRatio.rawValue] == nil)
        }
        let mean = rates.reduce(0, +) / Double(rates.count)
        #expect(rates.allSatisfy { abs($0 - mean) < 0.1 * mean })
        #expect(Set(rates).count > 10)
    }
}
