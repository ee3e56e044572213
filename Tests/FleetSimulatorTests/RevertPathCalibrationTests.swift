import FleetSimulator
import Testing

/// Calibration 3: reverting during saturation through the control plane versus directly on the nodes.
@Suite("Reverting a saturated cluster")
struct RevertPathCalibrationTests {
    static let cluster = SimulationScenario.clusterName
    static let nodes = 7_500
    static let revertAtSeconds = 300.0

    /// A 7,500-node cluster five minutes into the unguarded rollout.
    static func saturated() -> FleetSimulation {
        var scenario = SimulationScenario(nodes: nodes, apiservers: 5)
        scenario.run(toSeconds: revertAtSeconds, sampleEverySeconds: 60)
        return scenario.simulation
    }

    @Test("the control-plane path fails where node-direct succeeds in seconds; the apiserver then DNS recover")
    func controlPlaneVersusNodeDirect() throws {
        let start = Self.saturated()
        #expect(
            start.groundTruth(cluster: Self.cluster).isDegradedNow || start.groundTruth(cluster: Self.cluster).isDownNow
        )

        var controlPlane = start
        let slowTicket = controlPlane.submitControlPlaneChange(
            cluster: Self.cluster, nodeIndices: 0..<Self.nodes, enable: false, profile: .listAllPodsEveryMinute,
            deadlineSeconds: 900)
        var nodeDirect = start
        let fastTicket = nodeDirect.nodeDirect(
            cluster: Self.cluster, nodeIndices: 0..<Self.nodes, enable: false, profile: .listAllPodsEveryMinute)

        // Node-direct: done within seconds whatever the apiserver's state.
        nodeDirect.advance(toSeconds: Self.revertAtSeconds + 10)
        #expect(nodeDirect.changeStatus(fastTicket) == .succeeded)
        #expect(nodeDirect.agentNodeCount(cluster: Self.cluster) == 0)
        nodeDirect.advance(toSeconds: Self.revertAtSeconds + 1_200)
        let recovered = nodeDirect.groundTruth(cluster: Self.cluster)
        #expect(!recovered.isDegradedNow)
        #expect(!recovered.isDnsFailingNow)
        let apiserverBack = try #require(recovered.lastDegradedAtSeconds)
        let dnsBack = try #require(recovered.lastDnsFailureAtSeconds)
        #expect(
            apiserverBack - Self.revertAtSeconds < 300, "apiserver back \(apiserverBack - Self.revertAtSeconds) s after"
        )
        #expect(dnsBack > apiserverBack, "DNS back at \(dnsBack) s, apiserver at \(apiserverBack) s")
        #expect(dnsBack - Self.revertAtSeconds < 600)
        // Recovery brings the re-download herd: a second load spike.
        #expect(recovered.recoveryHerdRequests > 0)
        let nodeDirectSignals = nodeDirect.signals(cluster: Self.cluster)
        #expect(try #require(nodeDirectSignals[SimulatedSignal.availability.rawValue]) > 0.99)

        // Control plane: the same 20 minutes later it has failed, with most nodes still running the agent.
        controlPlane.advance(toSeconds: Self.revertAtSeconds + 1_200)
        guard case .failed(let reason) = controlPlane.changeStatus(slowTicket) else {
            Issue.record("the control-plane revert did not fail: \(controlPlane.changeStatus(slowTicket))")
            return
        }
        #expect(reason.contains("deadline"))
        #expect(controlPlane.agentNodeCount(cluster: Self.cluster) > Self.nodes / 2)
        let stuck = controlPlane.groundTruth(cluster: Self.cluster)
        #expect(stuck.isDegradedNow || stuck.isDownNow)
        #expect(stuck.degradedSeconds > recovered.degradedSeconds + 600)
    }

    @Test("on a healthy cluster the control-plane path works, at the controller's pace")
    func controlPlaneOnHealthyCluster() throws {
        var simulation = FleetSimulation(
            clusters: [SimulatedClusterSpec(name: Self.cluster, nodeCount: 500, apiserverCount: 3)], seed: 7)
        let ticket = simulation.submitControlPlaneChange(
            cluster: Self.cluster, nodeIndices: 0..<500, enable: true, profile: .nodeScopedList, deadlineSeconds: 300)
        simulation.advance(toSeconds: 5)
        guard case .inProgress(let done, let total) = simulation.changeStatus(ticket) else {
            Issue.record("finished too early: \(simulation.changeStatus(ticket))")
            return
        }
        #expect(total == 500)
        #expect(done < 500)
        var finishedAt: Double?
        for second in 6...300 where finishedAt == nil {
            simulation.advance(toSeconds: Double(second))
            if simulation.changeStatus(ticket) == .succeeded { finishedAt = Double(second) }
        }
        let finished = try #require(finishedAt)
        #expect(finished > 10 && finished < 60, "500 nodes took \(finished) s")
        #expect(simulation.agentNodeCount(cluster: Self.cluster) == 500)
        #expect(simulation.nodeCount(cluster: Self.cluster, nodeIndices: 0..<500, running: .nodeScopedList) == 500)
    }

    @Test("a node-direct change supersedes the control-plane changes still at work on the same nodes")
    func nodeDirectSupersedes() throws {
        var simulation = Self.saturated()
        let enable = simulation.submitControlPlaneChange(
            cluster: Self.cluster, nodeIndices: 0..<Self.nodes, enable: true, profile: .nodeScopedList,
            deadlineSeconds: 3_600)
        simulation.advance(toSeconds: Self.revertAtSeconds + 60)
        let stop = simulation.nodeDirect(
            cluster: Self.cluster, nodeIndices: 0..<Self.nodes, enable: false, profile: .listAllPodsEveryMinute)
        simulation.advance(toSeconds: Self.revertAtSeconds + 600)
        #expect(simulation.changeStatus(stop) == .succeeded)
        guard case .failed(let reason) = simulation.changeStatus(enable) else {
            Issue.record("the control-plane change was not superseded: \(simulation.changeStatus(enable))")
            return
        }
        #expect(reason.contains("superseded"))
        // Nothing the DaemonSet controller still had queued brings the agent back.
        #expect(simulation.agentNodeCount(cluster: Self.cluster) == 0)
    }
}
