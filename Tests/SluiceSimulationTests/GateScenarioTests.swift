import FleetSimulator
import Foundation
import Testing
import SluiceCore
import SluiceManifests
import SluiceSimulation

/// The incident in miniature: the incident fleet's shape (staging, small, medium, large, a 7,500-node cluster) with
/// one or a few clusters per tier, small enough for debug builds.
let miniIncidentFleet = Fleet(name: "mini-incident", clusters: [
    FleetCluster(name: "staging-1", labels: ["tier": "staging"], nodeCount: 60, apiservers: 1),
    FleetCluster(name: "small-1", labels: ["tier": "small"], nodeCount: 180, apiservers: 1),
    FleetCluster(name: "small-2", labels: ["tier": "small"], nodeCount: 380, apiservers: 1),
    FleetCluster(name: "medium-1", labels: ["tier": "medium"], nodeCount: 900, apiservers: 3),
    FleetCluster(name: "large-1", labels: ["tier": "large"], nodeCount: 3000, apiservers: 3),
    FleetCluster(name: "xlarge-1", labels: ["tier": "xlarge"], nodeCount: 7500, apiservers: 5),
])

enum PolicyFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func load(_ name: String) throws -> GatePolicy {
        try PolicyManifest.load(root + "/Policies/\(name).yaml")
    }

    /// The waves of Examples/plan-incident.yaml, on the mini fleet.
    static func incidentPlan(profile: String) throws -> RolloutPlan {
        let loaded = try PlanLoader().load(root + "/Examples/plan-incident.yaml")
        var plan = loaded.plan
        plan.artifact.apiProfile = profile
        return plan
    }

    static func spec(profile: String, policy: GatePolicy) throws -> RolloutSpec {
        try RolloutSpec.resolve(plan: try incidentPlan(profile: profile), fleet: miniIncidentFleet, policy: policy).get()
    }
}

@Suite("The gates against the simulated incident")
struct GateScenarioTests {
    @Test("Default policy: the prediction gate halts at or before the first large cluster, before any harm")
    func predictionHaltsBeforeHarm() async throws {
        let policy = try PolicyFiles.load("control-plane-safe")
        let runner = SimulationRunner(fleet: miniIncidentFleet, seed: 11, horizonSeconds: 12 * 3600, observeAfterStopSeconds: 1800)
        let outcome = try await runner.guarded(try PolicyFiles.spec(profile: "cluster-wide-pod-list", policy: policy))
        #expect(outcome.finalPhase == "halted")
        let halt = try #require(outcome.timeline.first { $0.verb == "halted" })
        #expect(halt.message.contains("projected-api-seats"))
        #expect(outcome.clustersDegraded == 0)
        #expect(outcome.dnsFailureClusterMinutes == 0)
        let xlarge = try #require(outcome.clusters.first { $0.cluster == "xlarge-1" })
        #expect(xlarge.peakAgentNodes <= 75)
    }

    @Test("Without the prediction gate, the reactive gates roll back the first cluster out of its SLOs before DNS fails")
    func reactiveGatesRollBack() async throws {
        var policy = try PolicyFiles.load("control-plane-safe")
        policy.predictions = []
        policy.gates.removeAll { $0.name == "agent-seat-share" }
        let runner = SimulationRunner(fleet: miniIncidentFleet, seed: 11, horizonSeconds: 12 * 3600, observeAfterStopSeconds: 1800)
        let outcome = try await runner.guarded(try PolicyFiles.spec(profile: "cluster-wide-pod-list", policy: policy))
        let halt = try #require(outcome.timeline.first { $0.verb == "halted" })
        // The halt names the cluster it rolls back; that cluster is the only one harmed, if any, and its DNS
        // failures never spread (its bake would have hidden them for 20 minutes).
        let stopped = try #require(outcome.clusters.first { halt.message.contains("rolling back \($0.cluster) ") })
        #expect(outcome.clusters.filter { $0.degradedMinutes > 0 }.allSatisfy { $0.cluster == stopped.cluster })
        #expect(outcome.timeline.contains { $0.verb == "reverted" && $0.message.hasPrefix(stopped.cluster) })
        #expect(stopped.agentNodesAtEnd == 0)
        #expect(outcome.dnsFailureClusterMinutes < 5)
        // Nothing was started after the halt.
        let haltAt = halt.atSeconds
        #expect(!outcome.timeline.contains { $0.verb == "started" && $0.atSeconds > haltAt })
    }

    @Test("The fixed agent goes through the whole fleet under the default policy, noise and all")
    func fixedAgentNoFalseHalt() async throws {
        let policy = try PolicyFiles.load("control-plane-safe")
        let runner = SimulationRunner(fleet: miniIncidentFleet, seed: 5, horizonSeconds: 24 * 3600, observeAfterStopSeconds: 0)
        let outcome = try await runner.guarded(try PolicyFiles.spec(profile: "node-scoped-pod-list", policy: policy))
        #expect(outcome.finalPhase == "completed", "\(outcome.timeline.last { $0.verb == "halted" }?.message ?? "")")
        #expect(outcome.clusters.allSatisfy { $0.agentNodesAtEnd == $0.nodes })
        #expect(outcome.clustersDegraded == 0)
    }
}

@Suite("Unguarded, fixed-step canary and Sluice on the same simulated incident")
struct ComparisonTests {
    @Test("Each step of guarding harms less and exposes fewer nodes; Sluice harms nobody")
    func ordering() async throws {
        let plan = try PolicyFiles.incidentPlan(profile: "cluster-wide-pod-list")
        let sluice = try RolloutSpec.resolve(plan: plan, fleet: miniIncidentFleet,
                                             policy: try PolicyFiles.load("control-plane-safe")).get()
        let canary = try ArgoStyleCanary.spec(from: plan, fleet: miniIncidentFleet)
        let runner = SimulationRunner(fleet: miniIncidentFleet, seed: 2, horizonSeconds: 12 * 3600,
                                      observeAfterStopSeconds: 1800)
        let unguarded = await runner.unguarded(profile: .listAllPodsEveryMinute, durationSeconds: 4 * 3600)
        let argoStyle = try await runner.guarded(canary)
        let guarded = try await runner.guarded(sluice)

        #expect(unguarded.clustersDegraded >= 1)
        #expect(unguarded.firstHarmToHaltSeconds == nil)
        #expect(unguarded.dnsFailureClusterMinutes > argoStyle.dnsFailureClusterMinutes)
        #expect(unguarded.peakAgentNodes > argoStyle.peakAgentNodes)
        #expect(argoStyle.peakAgentNodes > guarded.peakAgentNodes)
        #expect(argoStyle.clustersDegraded >= guarded.clustersDegraded)
        #expect(guarded.clustersDegraded == 0)
        #expect(guarded.dnsFailureClusterMinutes == 0)
    }
}
