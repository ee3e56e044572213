import FleetSimulator

/// One cluster with an agent rolled out at time 0 through the node-direct path, sampled as monitoring would see it.
struct SimulationScenario {
    /// The simulated cluster is always named `cluster`.
    static let clusterName = "cluster"

    var simulation: FleetSimulation
    /// Every sample taken so far, oldest first.
    private(set) var samples: [Sample] = []

    /// What monitoring showed at one time.
    struct Sample {
        var seconds: Double
        var signals: [String: Double]
    }

    /// A cluster of `nodes` nodes and `apiservers` apiservers running `profile` on the first `agentNodes` nodes, with
    /// `brake` installed before the agent starts.
    init(
        nodes: Int, apiservers: Int, profile: AgentAPIProfile? = .listAllPodsEveryMinute, agentNodes: Int? = nil,
        brake: APFBrake? = nil, parameters: SimulationParameters = .default, seed: UInt64 = 42
    ) {
        simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: Self.clusterName, nodeCount: nodes, apiserverCount: apiservers)],
            parameters: parameters, seed: seed)
        if let brake {
            let installed = simulation.setAPFBrake(brake, cluster: Self.clusterName)
            precondition(installed, "a healthy cluster serves the brake's objects")
        }
        if let profile {
            _ = simulation.nodeDirect(
                cluster: Self.clusterName, nodeIndices: 0..<(agentNodes ?? nodes), enable: true, profile: profile)
        }
    }

    /// Advances to `seconds`, sampling the signals every `everySeconds` on the way.
    mutating func run(toSeconds seconds: Double, sampleEverySeconds everySeconds: Double = 15) {
        var next = simulation.nowSeconds + everySeconds
        while next <= seconds + 1e-9 {
            simulation.advance(toSeconds: next)
            samples.append(Sample(seconds: next, signals: simulation.signals(cluster: Self.clusterName)))
            next += everySeconds
        }
        simulation.advance(toSeconds: seconds)
    }

    /// Ground truth of the cluster so far.
    var truth: ClusterGroundTruth { simulation.groundTruth(cluster: Self.clusterName) }

    /// Values of `signal` in the samples taken between `from` and `to` seconds (missing values left out).
    func values(_ signal: SimulatedSignal, from: Double = 0, to: Double = .infinity) -> [Double] {
        samples.filter { $0.seconds >= from && $0.seconds <= to }.compactMap { $0.signals[signal.rawValue] }
    }

    /// Largest value of `signal` in the samples between `from` and `to` seconds, or nil when all were missing.
    func maximum(_ signal: SimulatedSignal, from: Double = 0, to: Double = .infinity) -> Double? {
        values(signal, from: from, to: to).max()
    }

    /// Smallest value of `signal` in the samples between `from` and `to` seconds, or nil when all were missing.
    func minimum(_ signal: SimulatedSignal, from: Double = 0, to: Double = .infinity) -> Double? {
        values(signal, from: from, to: to).min()
    }

    /// Mean of `signal` over the samples between `from` and `to` seconds, or nil when all were missing.
    func mean(_ signal: SimulatedSignal, from: Double = 0, to: Double = .infinity) -> Double? {
        let found = values(signal, from: from, to: to)
        return found.isEmpty ? nil : found.reduce(0, +) / Double(found.count)
    }
}
