import FleetSimulator
import Testing

/// Calibration 2: the fix (a field-selector LIST of the node's own pods, plus a watch) harms nobody.
@Suite("The node-scoped profile")
struct FixedProfileCalibrationTests {
    @Test(
        "harms no cluster at any size, the largest included",
        arguments: [(50, 1), (500, 3), (3_000, 3), (7_500, 5)])
    func harmsNobody(nodes: Int, apiservers: Int) throws {
        var scenario = SimulationScenario(nodes: nodes, apiservers: apiservers, profile: .nodeScopedList)
        scenario.run(toSeconds: 1_800, sampleEverySeconds: 60)
        let truth = scenario.truth
        #expect(truth.peakAgentNodes == nodes)
        #expect(truth.degradedSeconds == 0)
        #expect(truth.downSeconds == 0)
        #expect(truth.dnsFailureSeconds == 0)
        #expect(truth.kubeletImpairedSeconds == 0)
        #expect(truth.apiserverOOMKills == 0)
        #expect(truth.peak429Ratio < 0.001)
        #expect(truth.peakMemoryUtilization < 0.8)
        #expect(try #require(scenario.maximum(.listLatencyP99Seconds)) < 2)
        #expect(try #require(scenario.maximum(.ratio429)) < 0.01)
        // It does use the API: the agent's flow is visible but small.
        #expect(try #require(scenario.mean(.agentAPIRequestsPerSecond)) > Double(nodes) / 60 * 0.9)
    }
}
