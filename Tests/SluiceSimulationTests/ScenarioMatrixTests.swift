import FleetSimulator
import SluiceCore
import SluiceManifests
@testable import SluiceSimulation
import Testing

@Suite("The scenario matrix")
struct ScenarioMatrixTests {
    /// An outcome with `degraded` clusters and `dnsMinutes` of DNS failure, ending in `phase`.
    static func outcome(phase: String?, degraded: Int = 0, dnsMinutes: Double = 0) -> SimulationOutcome {
        let clusters = (0..<max(degraded, 1)).map { index in
            SimulationOutcome.ClusterOutcome(
                cluster: "c\(index)", nodes: 100, degradedMinutes: index < degraded ? 5 : 0, downMinutes: 0,
                dnsFailureMinutes: index == 0 ? dnsMinutes : 0, peakAgentNodes: 10, agentNodesAtEnd: 10,
                firstDegradedAtSeconds: index < degraded ? 600 : nil, degradedAtEnd: false)
        }
        return SimulationOutcome(
            scenario: "s", simulatedSeconds: 3600, clusters: clusters, timeline: [], peakAgentNodes: 10,
            haltedAtSeconds: nil, finalPhase: phase)
    }

    static func result(unguarded: SimulationOutcome, guarded: SimulationOutcome) -> ScenarioResult {
        ScenarioResult(plan: "p", profile: "x", seed: 1, unguarded: unguarded, guarded: guarded)
    }

    @Test("The unguarded run says whether the change is harmful; Sluice is judged against it")
    func verdicts() {
        let harmless = Self.outcome(phase: nil)
        let harmful = Self.outcome(phase: nil, degraded: 2)
        let dnsOnly = Self.outcome(phase: nil, dnsMinutes: 3)
        let completed = Self.outcome(phase: "completed")
        let halted = Self.outcome(phase: "halted")
        let results = [
            Self.result(unguarded: harmless, guarded: completed),
            Self.result(unguarded: harmless, guarded: halted),
            Self.result(unguarded: harmful, guarded: halted),
            Self.result(unguarded: dnsOnly, guarded: completed),
            Self.result(unguarded: harmful, guarded: Self.outcome(phase: "rolledBack", degraded: 1)),
        ]
        #expect(results.map(\.verdict) == [.completed, .falseHalt, .stopped, .completedSafely, .harm])
        #expect(results.map(\.verdict.isGood) == [true, false, true, true, false])
        let rates = ScenarioRates(results)
        #expect([rates.harmless, rates.falseHalts, rates.harmful, rates.harmedUnderSluice] == [2, 1, 3, 1])
    }

    @Test("Each profile and seed runs on the plan's fleet, unguarded and under Sluice, in order")
    func matrixRunsEveryCell() async throws {
        let fleet = Fleet(name: "tiny", clusters: [
            FleetCluster(name: "staging-1", labels: ["tier": "staging"], nodeCount: 10, apiservers: 1),
            FleetCluster(name: "small-1", labels: ["tier": "small"], nodeCount: 40, apiservers: 1),
        ])
        let plan = RolloutPlan(
            name: "tiny", artifact: ArtifactRef(name: "agent", version: "2", apiProfile: "cluster-wide-pod-list"),
            fleetPath: "fleet.yaml", policyName: "control-plane-safe",
            waves: [
                WavePlan(name: "canary", clusters: .names(["staging-1"]), nodeBatches: [.count(1), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 1500),
                WavePlan(name: "small", clusters: .names(["small-1"]), nodeBatches: [.percent(10), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 1500),
            ])
        let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: try PolicyFiles.load("control-plane-safe"))
            .get()
        let matrix = ScenarioMatrix(
            plans: [ScenarioMatrix.Plan(name: "tiny", spec: spec, fleet: fleet)],
            profiles: [.noAPICalls, .nodeScopedList], seeds: [1, 2], horizonSeconds: 12 * 3600)
        var heard: [String] = []
        let results = try await matrix.run { heard.append("\($0.profile)/\($0.seed)") }
        #expect(results.map { "\($0.profile)/\($0.seed)" } == [
            "no-api-calls/1", "no-api-calls/2", "node-scoped-pod-list/1", "node-scoped-pod-list/2",
        ])
        #expect(heard == results.map { "\($0.profile)/\($0.seed)" })
        for result in results {
            // The plan's own profile (the Dec 2024 agent) is replaced: these harmless agents go everywhere.
            #expect(!result.harmful)
            #expect(result.guarded.finalPhase == "completed", "\(result.profile): \(result.guarded.timeline.last?.message ?? "")")
            #expect(result.verdict == .completed)
            #expect(result.guarded.clusters.allSatisfy { $0.agentNodesAtEnd == $0.nodes })
            #expect(result.unguarded.peakAgentNodes == 50)
        }
    }
}
