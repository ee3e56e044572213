import FleetSimulator
import Testing
import SluiceCore
import SluiceSimulation

/// An 80-node staging cluster, then one of 6,000 nodes (3 apiservers, 25 pods per node): a cost model fitted on
/// staging alone extrapolates 75× in pods to reach the large cluster.
let stagingThenHugeFleet = Fleet(name: "staging-then-huge", clusters: [
    FleetCluster(name: "staging-1", labels: ["tier": "staging"], nodeCount: 80, apiservers: 1, podsPerNode: 25),
    FleetCluster(name: "xlarge-1", labels: ["tier": "xlarge"], nodeCount: 6000, apiservers: 3, podsPerNode: 25),
])

@Suite("Probe, then project: a cluster far larger than any measured")
struct ProbeScenarioTests {
    /// The incident plan's canary and xlarge waves on that fleet, under the default policy.
    static func spec(profile: String) throws -> RolloutSpec {
        var plan = try PolicyFiles.incidentPlan(profile: profile)
        plan.waves = plan.waves.filter { ["canary", "xlarge"].contains($0.name) }
        return try RolloutSpec.resolve(
            plan: plan, fleet: stagingThenHugeFleet, policy: try PolicyFiles.load("control-plane-safe")
        ).get()
    }

    @Test("The fixed agent completes: the projection from staging is a guess, the large cluster's own cost is not")
    func fixedAgentCompletes() async throws {
        let runner = SimulationRunner(fleet: stagingThenHugeFleet, seed: 5, horizonSeconds: 24 * 3600, observeAfterStopSeconds: 0)
        let outcome = try await runner.guarded(try Self.spec(profile: "node-scoped-pod-list"))
        #expect(outcome.finalPhase == "completed", "\(outcome.timeline.last { $0.verb == "halted" }?.message ?? "")")
        #expect(outcome.clusters.allSatisfy { $0.agentNodesAtEnd == $0.nodes })
        #expect(outcome.clustersDegraded == 0)
    }

    @Test("The Dec 2024 agent starts the large cluster with a probe and is halted there by its measured cost, unharmed")
    func incidentAgentHaltsOnMeasuredCost() async throws {
        let runner = SimulationRunner(fleet: stagingThenHugeFleet, seed: 5, horizonSeconds: 12 * 3600, observeAfterStopSeconds: 1800)
        let outcome = try await runner.guarded(try Self.spec(profile: "cluster-wide-pod-list"))
        #expect(outcome.finalPhase == "halted")
        let start = try #require(outcome.timeline.first { $0.verb == "started" && $0.message.hasPrefix("xlarge-1") })
        #expect(start.message.contains("with a probe batch of"))
        let halt = try #require(outcome.timeline.first { $0.verb == "halted" })
        #expect(halt.message.contains("gate 'projected-api-seats' on xlarge-1: measured"))
        let xlarge = try #require(outcome.clusters.first { $0.cluster == "xlarge-1" })
        #expect(xlarge.peakAgentNodes < 60)
        #expect(outcome.clustersDegraded == 0)
        #expect(outcome.dnsFailureClusterMinutes == 0)
    }
}
