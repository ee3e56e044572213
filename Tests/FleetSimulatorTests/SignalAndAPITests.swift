import FleetSimulator
import Testing

/// The public surface: names, profiles, tickets, signal delay and gaps.
@Suite("Signals and API")
struct SignalAndAPITests {
    @Test("signal names are the documented ones and every signal of a healthy cluster is present")
    func signalNames() {
        #expect(SimulatedSignal.allNames.count == 20)
        #expect(Set(SimulatedSignal.allNames).count == SimulatedSignal.allNames.count)
        #expect(SimulatedSignal.allNames.contains("apiserver_list_latency_p99_seconds"))
        #expect(SimulatedSignal.allNames.contains("agent_api_seats"))
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 100, apiserverCount: 3)], seed: 1)
        _ = simulation.nodeDirect(cluster: "a", nodeIndices: 0..<10, enable: true, profile: .nodeScopedList)
        simulation.advance(toSeconds: 120)
        #expect(Set(simulation.signals(cluster: "a").keys) == Set(SimulatedSignal.allNames))
        #expect(simulation.signals(cluster: "a")["cluster_nodes"] == 100)
        #expect(simulation.signals(cluster: "a")["agent_nodes"] == 10)
        // The model's agents never crash: kube-state-metrics sees every pod ready and none restarting.
        #expect(simulation.signals(cluster: "a")["agent_pods_not_ready"] == 0)
        #expect(simulation.signals(cluster: "a")["agent_restarts_per_second"] == 0)
        #expect(simulation.signals(cluster: "nope").isEmpty)
    }

    @Test("built-in profiles have unique names and survive a JSON-free Codable round trip of their fields")
    func profiles() throws {
        let names = AgentAPIProfile.builtIn.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(AgentAPIProfile.named("cluster-wide-pod-list") == .listAllPodsEveryMinute)
        #expect(AgentAPIProfile.named("node-scoped-pod-list") == .nodeScopedList)
        #expect(AgentAPIProfile.named("nope") == nil)
        #expect(AgentAPIProfile.listAllPodsEveryMinute.identity == .serviceAccount)
        #expect(
            AgentAPIProfile.listAllPodsEveryMinute.calls == [
                APICallPattern(scope: .clusterWidePodList, intervalSeconds: 60, firesInStep: false)
            ])
        #expect(AgentAPIProfile.nodeScopedList.calls.first?.scope == .nodeScopedPodList)
        #expect(APFPriorityLevel(agentIdentity: .serviceAccount) == .workloadLow)
        #expect(APFPriorityLevel(agentIdentity: .nodeCredentials) == .system)
        #expect(APFPriorityLevel(agentIdentity: .exempt) == .exempt)
    }

    @Test("signals lag by the scrape interval and the delay")
    func signalDelay() throws {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 1_000, apiserverCount: 3)], seed: 1)
        _ = simulation.nodeDirect(cluster: "a", nodeIndices: 0..<1_000, enable: true, profile: .listAllPodsEveryMinute)
        simulation.advance(toSeconds: 20)
        // Enabled at 5 s; scraped at 15 s; visible only from 30 s.
        #expect(simulation.signals(cluster: "a")["agent_nodes"] == 0)
        simulation.advance(toSeconds: 30)
        #expect(simulation.signals(cluster: "a")["agent_nodes"] == 1_000)
        #expect(simulation.agentNodeCount(cluster: "a") == 1_000)
    }

    @Test("apiserver signals are missing while no apiserver can be scraped; DNS and probe signals are not")
    func gapsWhileDown() throws {
        var scenario = SimulationScenario(nodes: 7_500, apiservers: 5)
        scenario.run(toSeconds: 600)
        let gap = try #require(scenario.samples.first { $0.signals[SimulatedSignal.requestRate.rawValue] == nil })
        #expect(gap.signals[SimulatedSignal.availability.rawValue] != nil)
        #expect(gap.signals[SimulatedSignal.dnsServfailRatio.rawValue] != nil)
        #expect(gap.signals[SimulatedSignal.agentNodes.rawValue] == 7_500)
        #expect(gap.signals[SimulatedSignal.apfSeatsInUse.rawValue] == nil)
        #expect(gap.signals[SimulatedSignal.agentAPISeats.rawValue] == nil)
    }

    @Test("APF divides 600 seats as kube-apiserver does and lends idle seats to workload-low")
    func seatDivision() throws {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 2_000, apiserverCount: 1)], seed: 1)
        #expect(simulation.signals(cluster: "a")["apf_seats_limit"] == 600)
        _ = simulation.nodeDirect(cluster: "a", nodeIndices: 0..<2_000, enable: true, profile: .listAllPodsEveryMinute)
        simulation.advance(toSeconds: 600)
        // workload-low's nominal 245 seats plus what the idle levels lend.
        let seats = try #require(simulation.signals(cluster: "a")["agent_api_seats"])
        #expect(seats > 300 && seats <= 400, "agent holds \(seats) seats")
    }

    @Test("bad change requests fail with a reason instead of crashing")
    func badChanges() {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 10, apiserverCount: 1)], seed: 1)
        let unknown = simulation.nodeDirect(cluster: "b", nodeIndices: 0..<1, enable: true, profile: .nodeScopedList)
        let outside = simulation.submitControlPlaneChange(
            cluster: "a", nodeIndices: 5..<20, enable: true, profile: .nodeScopedList, deadlineSeconds: 60)
        let empty = simulation.nodeDirect(cluster: "a", nodeIndices: 3..<3, enable: true, profile: .nodeScopedList)
        guard case .failed = simulation.changeStatus(unknown),
            case .failed(let reason) = simulation.changeStatus(outside)
        else {
            Issue.record("expected failures")
            return
        }
        #expect(reason.contains("0..<10"))
        #expect(simulation.changeStatus(empty) == .succeeded)
        #expect(simulation.changeStatus(ChangeTicket(id: 99, cluster: "a")) != .succeeded)
        simulation.advance(toSeconds: 30)
        #expect(simulation.agentNodeCount(cluster: "a") == 0)
        #expect(simulation.groundTruth(cluster: "b") == ClusterGroundTruth())
    }

    @Test("agents firing in step hit the apiserver in one burst per interval")
    func firesInStep() throws {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 1_000, apiserverCount: 3)], seed: 1)
        _ = simulation.nodeDirect(cluster: "a", nodeIndices: 0..<1_000, enable: true, profile: .listAllPodsInStep)
        simulation.advance(toSeconds: 600)
        let truth = simulation.groundTruth(cluster: "a")
        // 1,000 LISTs in one second instead of 17 a second.
        #expect(truth.peakRequestsPerSecond > 1_000)
        #expect(truth.peakSeatsDemanded > 3_000)
    }
}
