import FleetSimulator
import Testing

/// Calibration 1: the December 2024 profile, rolled out to every node at once with nothing guarding it.
@Suite("Unguarded rollout of the cluster-wide pod LIST")
struct UnguardedRolloutCalibrationTests {
    @Test(
        "a large cluster saturates within minutes: 429s and LIST latency soar, availability drops",
        arguments: [(7_500, 5), (5_000, 3)])
    func largeClusterSaturates(nodes: Int, apiservers: Int) throws {
        var scenario = SimulationScenario(nodes: nodes, apiservers: apiservers)
        let baselineListP99 = try #require(
            scenario.simulation.signals(cluster: SimulationScenario.clusterName)[
                SimulatedSignal.listLatencyP99Seconds.rawValue])
        scenario.run(toSeconds: 600)

        let truth = scenario.truth
        let firstDegraded = try #require(truth.firstDegradedAtSeconds)
        #expect(firstDegraded < 180, "degraded only at \(firstDegraded) s")
        #expect(truth.downSeconds > 120, "down for only \(truth.downSeconds) s of 600")
        #expect(truth.apiserverOOMKills >= apiservers)
        #expect(truth.peak429Ratio > 0.3)
        #expect(baselineListP99 < 1)
        #expect(try #require(scenario.maximum(.listLatencyP99Seconds)) > 15)
        #expect(try #require(scenario.maximum(.ratio429)) > 0.3)
        #expect(try #require(scenario.minimum(.availability)) < 0.5)
        // While every apiserver is down there is nothing to scrape: the apiserver's own signals go missing.
        #expect(scenario.samples.contains { $0.signals[SimulatedSignal.requestRate.rawValue] == nil })
        // The agent itself stays ready, as it did.
        #expect(try #require(scenario.minimum(.agentReadyRatio)) > 0.99)
    }

    @Test("DNS fails only after the control plane is lost and peaks about the 20 min horizon later")
    func dnsFollowsControlPlaneLoss() throws {
        var scenario = SimulationScenario(nodes: 7_500, apiservers: 5)
        scenario.run(toSeconds: 1_800)
        let truth = scenario.truth
        let lost = try #require(truth.firstDownAtSeconds)
        let dnsOnset = try #require(truth.firstDnsFailureAtSeconds)
        let dnsPeak = try #require(truth.peakDnsFailureAtSeconds)
        #expect(dnsOnset > lost)
        #expect(dnsOnset - lost < 60, "DNS failed \(dnsOnset - lost) s after the loss")
        #expect(abs((dnsPeak - lost) - 1_200) < 120, "DNS peaked \(dnsPeak - lost) s after the loss")
        #expect(truth.peakDnsFailureShare > 0.95)
        // Half way through the horizon about half the lookups fail.
        let halfWay = try #require(scenario.mean(.dnsServfailRatio, from: lost + 585, to: lost + 645))
        #expect(halfWay > 0.35 && halfWay < 0.65, "SERVFAIL share \(halfWay) half way through the horizon")
        // Until the loss shows in monitoring, DNS did not fail.
        let beforeLoss = try #require(scenario.maximum(.dnsServfailRatio, to: lost + 15))
        #expect(beforeLoss < 0.01)
    }

    @Test(
        "staging and clusters of a few hundred nodes show no harm",
        arguments: [(50, 1), (300, 3), (500, 1), (500, 3)])
    func smallClustersUnharmed(nodes: Int, apiservers: Int) throws {
        var scenario = SimulationScenario(nodes: nodes, apiservers: apiservers)
        scenario.run(toSeconds: 1_800, sampleEverySeconds: 60)
        let truth = scenario.truth
        #expect(truth.peakAgentNodes == nodes)
        #expect(truth.degradedSeconds == 0)
        #expect(truth.dnsFailureSeconds == 0)
        #expect(truth.kubeletImpairedSeconds == 0)
        #expect(truth.apiserverOOMKills == 0)
        #expect(truth.peak429Ratio < 0.01)
        #expect(try #require(scenario.maximum(.mutatingLatencyP99Seconds)) < 0.5)
        #expect(try #require(scenario.minimum(.availability)) > 0.99)
    }
}
