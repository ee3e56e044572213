import FleetSimulator
import Testing

@Suite struct ChangeTicketTests {
    @Test("A change for a cluster the simulated fleet does not have fails, naming the cluster")
    func unknownCluster() {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: "a", nodeCount: 10, apiserverCount: 1)], seed: 1)
        let ticket = simulation.submitControlPlaneChange(
            cluster: "b", nodeIndices: 0..<2, enable: true, profile: .listAllPodsEveryMinute, deadlineSeconds: 60)
        simulation.advance(toSeconds: 30)
        #expect(simulation.changeStatus(ticket) == .failed(reason: "no cluster named b in the simulated fleet"))
        let known = simulation.submitControlPlaneChange(
            cluster: "a", nodeIndices: 0..<2, enable: true, profile: .listAllPodsEveryMinute, deadlineSeconds: 60)
        #expect(simulation.changeStatus(ChangeTicket(id: known.id + 1, cluster: "a")) == .failed(
            reason: "unknown change ticket \(known.id + 1) for cluster a"))
    }
}
