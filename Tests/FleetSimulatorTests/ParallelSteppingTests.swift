import FleetSimulator
import Testing

/// Stepping the clusters on several threads changes nothing: each cluster's step reads only its own state.
@Suite("Parallel stepping")
struct ParallelSteppingTests {
    /// Sixteen clusters of different sizes, so that two workers each get several of them.
    static let fleet = (0..<16).map { index in
        SimulatedClusterSpec(
            name: "cluster-\(index)", nodeCount: 50 + 500 * index, apiserverCount: index < 4 ? 1 : (index < 12 ? 3 : 5))
    }

    /// What a run shows: every cluster's signals after each advance, the ground truth and every change's status.
    struct Observed: Equatable {
        var signals: [[String: Double]] = []
        var truth: [ClusterGroundTruth] = []
        var statuses: [ChangeStatus] = []
    }

    /// A fixed script: control-plane rollouts everywhere, then a node-direct revert of the larger half while their
    /// rollouts are still at work (it supersedes them), APF brakes on some clusters, advanced in uneven strides.
    static func run(workers: Int) -> Observed {
        var simulation = FleetSimulation(clusters: fleet, seed: 7)
        simulation.stepWorkers = workers
        for (index, spec) in fleet.enumerated() where index.isMultiple(of: 3) {
            _ = simulation.setAPFBrake(APFBrake(nominalConcurrencyShares: 27), cluster: spec.name)
        }
        var tickets = fleet.map {
            simulation.submitControlPlaneChange(
                cluster: $0.name, nodeIndices: 0..<$0.nodeCount, enable: true, profile: .listAllPodsEveryMinute,
                deadlineSeconds: 900)
        }
        var observed = Observed()
        for round in 1...30 {
            if round == 4 {
                for spec in fleet.suffix(8) {
                    tickets.append(
                        simulation.nodeDirect(
                            cluster: spec.name, nodeIndices: 0..<spec.nodeCount, enable: false,
                            profile: .listAllPodsEveryMinute))
                }
            }
            simulation.advance(toSeconds: Double(round) * 37.5)
            for name in simulation.clusterNames { observed.signals.append(simulation.signals(cluster: name)) }
        }
        observed.truth = simulation.clusterNames.map { simulation.groundTruth(cluster: $0) }
        observed.statuses = tickets.map { simulation.changeStatus($0) }
        return observed
    }

    @Test("two workers give the signals, ground truth and change statuses of one")
    func twoWorkersMatchOne() {
        let serial = Self.run(workers: 1)
        let parallel = Self.run(workers: 2)
        #expect(serial == parallel)
        // The script did something: harm somewhere, a superseded rollout, a finished revert.
        #expect(serial.truth.contains { $0.degradedSeconds > 0 })
        #expect(serial.statuses.contains { if case .failed = $0 { true } else { false } })
        #expect(serial.statuses.contains(.succeeded))
    }

    @Test("more workers than claims of clusters step as one worker does")
    func moreWorkersThanClaims() {
        // Six clusters are two claims of four: two of the eight workers get clusters, the others none.
        let specs = (0..<6).map {
            SimulatedClusterSpec(name: "c\($0)", nodeCount: 500 * ($0 + 1), apiserverCount: 3)
        }
        var serial = FleetSimulation(clusters: specs, seed: 3)
        for spec in specs {
            _ = serial.nodeDirect(
                cluster: spec.name, nodeIndices: 0..<spec.nodeCount, enable: true, profile: .listAllPodsEveryMinute)
        }
        var parallel = serial
        parallel.stepWorkers = 8
        serial.advance(toSeconds: 900)
        parallel.advance(toSeconds: 900)
        for spec in specs {
            #expect(serial.signals(cluster: spec.name) == parallel.signals(cluster: spec.name))
            #expect(serial.groundTruth(cluster: spec.name) == parallel.groundTruth(cluster: spec.name))
        }
    }
}
