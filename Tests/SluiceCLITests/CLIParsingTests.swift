import ArgumentParser
import Foundation
import Testing
@testable import SluiceCLI
import FleetSimulator
import SluiceCore
import SluiceStore

@Suite("Parsing and rendering in the CLI")
struct CLIParsingTests {
    @Test("Every documented command parses", arguments: [
        ["plan", "validate", "a.yaml", "b.yaml"], ["submit", "plan.yaml", "--db", "/tmp/x.db"], ["list", "-o", "json"],
        ["get", "r", "-o", "yaml"], ["events", "r"], ["pause", "r", "--reason", "why"], ["resume", "r"],
        ["promote", "r"], ["abort", "r"], ["rollback", "r", "--reason", "bad"],
    ])
    func commandsParse(arguments: [String]) throws {
        _ = try SluiceCommand.parseAsRoot(arguments)
    }

    @Test("Bad invocations are refused before anything runs", arguments: [
        ["get"], ["list", "-o", "xml"], ["pause"], ["frobnicate", "r"], ["plan", "validate"],
    ])
    func badInvocations(arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try SluiceCommand.parseAsRoot(arguments) }
    }

    @Test("scenarios: an unknown profile or a seed that is not a number is refused with what to give")
    func scenarioChoices() throws {
        func command(_ arguments: [String]) throws -> Scenarios {
            try #require(try SluiceCommand.parseAsRoot(["scenarios", "plan.yaml"] + arguments) as? Scenarios)
        }
        #expect(try command([]).chosenProfiles().map(\.name) == AgentAPIProfile.builtIn.map(\.name))
        #expect(try command(["--profiles", "no-api-calls", "--seeds", "3,5"]).chosenSeeds() == [3, 5])
        let profile = #expect(throws: CLIFailure.self) {
            try command(["--profiles", "no-api-calls,nope"]).chosenProfiles()
        }
        #expect(profile?.exitCode == 2)
        #expect(profile?.message.contains("no agent profile 'nope'; use cluster-wide-pod-list,") == true)
        let seed = #expect(throws: CLIFailure.self) { try command(["--seeds", "1,x"]).chosenSeeds() }
        #expect(seed?.exitCode == 2)
        #expect(seed?.message.contains("'x' is not a whole number") == true)
    }

    @Test("get shows per-cluster progress and a request the daemon has not seen")
    func rolloutView() throws {
        let fleet = Fleet(name: "f", clusters: [FleetCluster(name: "a", nodeCount: 40), FleetCluster(name: "b", nodeCount: 10)])
        let plan = RolloutPlan(
            name: "r", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
            waves: [WavePlan(name: "w", clusters: .names(["a", "b"]), nodeBatches: [.percent(10), .percent(100)],
                             bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600)])
        let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [])).get()
        var status = RolloutStatus(spec: spec, now: 0)
        status.phase = .progressing
        status.clusters[0].state = .baking
        status.clusters[0].appliedBatches = 1
        status.clusters[0].bakeUntil = 400
        let record = RolloutRecord(
            spec: spec, status: status, generation: 1, planPath: "p.yaml", submittedAt: 0, submittedBy: "alice")
        let view = RolloutView(record, pendingRequests: ["pause"], now: 100)
        #expect(view.waves[0].clusters[0].nodesDone == 4)
        #expect(view.waves[0].clusters[0].bakeRemainingSeconds == 300)
        #expect(view.waves[0].clusters[0].batch == "1/2")
        #expect(view.rendered.contains("Pending:   pause"))
        #expect(view.rendered.contains("4/40"))
        #expect(view.rendered.contains("5m"))
    }

    @Test("A cluster's state is one word in JSON, the same words as before it was typed, and reads back", arguments: [
        (ClusterState.progress(.baking), "baking"), (.revertedByBreakGlass, "revertedByBreakGlass"),
        (.breakGlassFailed(nodes: 3), "breakGlassFailed(3 nodes)"),
    ])
    func clusterStateWords(state: ClusterState, word: String) throws {
        let json = try JSONEncoder().encode([state])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(word)\"]")
        #expect(try JSONDecoder().decode([ClusterState].self, from: json) == [state])
    }

    @Test("After break-glass the view shows the nodes as it left them, the fence, and who broke the glass and why")
    func viewAfterBreakGlass() throws {
        let fleet = Fleet(name: "f", clusters: [FleetCluster(name: "a", nodeCount: 40), FleetCluster(name: "b", nodeCount: 10)])
        let plan = RolloutPlan(
            name: "r", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
            waves: [WavePlan(name: "w", clusters: .names(["a", "b"]), nodeBatches: [.percent(10), .percent(100)],
                             bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600)])
        let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [])).get()
        var status = RolloutStatus(spec: spec, now: 0)
        status.phase = .progressing
        status.clusters[0].state = .baking
        status.clusters[0].appliedBatches = 2
        status.clusters[0].bakeUntil = 400
        let record = RolloutRecord(
            spec: spec, status: status, generation: 1, planPath: "p.yaml", submittedAt: 0, submittedBy: "alice")
        let nodes = (0..<40).map { "a-node-\($0)" }
        let glass = BreakGlassState(
            fencedAt: 1_800_000_000, actor: "ana", reason: "apiservers saturated", runs: 1,
            clusters: [.init(cluster: "a", reverted: Array(nodes.dropLast(3)), failed: Array(nodes.suffix(3)))])
        let view = RolloutView(record, pendingRequests: [], now: 100, breakGlass: glass)
        #expect(view.phase == .halted)
        #expect(view.message == "break-glass since 2027-01-15T08:00:00Z by ana: apiservers saturated; "
            + "sluiced applies nothing more to this rollout")
        let a = view.waves[0].clusters[0]
        #expect(a.nodesDone == 40)
        #expect(a.nodesCarrying == 3)
        #expect(a.state == .breakGlassFailed(nodes: 3) && a.state.text == "breakGlassFailed(3 nodes)")
        #expect(a.bakeRemainingSeconds == nil)
        #expect(view.waves[0].clusters[1].nodesCarrying == 0)
        #expect(view.waves[0].clusters[1].state == .progress(.pending))
        #expect(view.breakGlass == RolloutView.BreakGlass(
            fencedAt: "2027-01-15T08:00:00Z", actor: "ana", reason: "apiservers saturated", runs: 1, nodesReverted: 37,
            nodesFailed: 3))
        #expect(view.rendered.contains("3/40"))
        #expect(view.rendered.contains("37 nodes reverted node-direct, 3 failed; reason: apiservers saturated"))
        // Without break-glass the same record shows the controller's status unchanged.
        let plain = RolloutView(record, pendingRequests: [], now: 100)
        #expect(plain.phase == .progressing)
        #expect(plain.waves[0].clusters[0].nodesCarrying == 40)
        #expect(plain.breakGlass == nil)
    }

    @Test("Times print as ISO 8601 on the wall clock and as offsets in virtual time")
    func timestamps() {
        #expect(ControllerTime.format(90) == "T+1m30s")
        #expect(ControllerTime.format(1_764_000_000) == "2025-11-24T16:00:00Z")
    }
}

@Suite("sluice explain")
struct ExplainTests {
    @Test("Failing gates come first with their number, bound and track; the cost model is shown")
    func explainOrdersAndTracks() throws {
        let fleet = Fleet(name: "f", clusters: [FleetCluster(name: "a", nodeCount: 40)])
        let plan = RolloutPlan(
            name: "r", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
            waves: [WavePlan(name: "w", clusters: .names(["a"]), nodeBatches: [.percent(100)],
                             bakeBetweenBatchesSeconds: 0, bakeAfterClusterSeconds: 0)])
        let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [])).get()
        var status = RolloutStatus(spec: spec, now: 0)
        status.phase = .halted
        status.message = "halted by gate 'errors' on a"
        status.gateTracks[GateOnCluster(gate: "errors", cluster: "a")] = GateTrack(failing: 2, since: 30, counted: true)
        status.costSamples["a"] = CostSample(pods: 1200, costPerNode: 0.5)
        let record = RolloutRecord(spec: spec, status: status, generation: 0, planPath: "p", submittedAt: 0, submittedBy: "x")
        let evaluations = [
            GateEvaluation(gate: "errors", cluster: "a", at: 0, windowSeconds: 60, observed: 0, bound: .atMost(0.01),
                           verdict: .pass, reason: "fine"),
            GateEvaluation(gate: "latency", cluster: "a", at: 60, windowSeconds: 60, observed: 0.2, bound: .atMost(1),
                           verdict: .pass, reason: "fine"),
            GateEvaluation(gate: "errors", cluster: "a", at: 60, windowSeconds: 60, observed: 0.3, bound: .atMost(0.01),
                           verdict: .breach, reason: "mean(errors) = 0.3, breaches <= 0.01"),
        ]
        let explanation = Explain.explain(record, evaluations: evaluations)
        #expect(explanation.gates.map(\.gate) == ["errors", "latency"])
        #expect(explanation.gates[0].verdict == .breach)
        #expect(explanation.gates[0].observed == 0.3)
        #expect(explanation.gates[0].failing == 2 && explanation.gates[0].counted == true)
        #expect(explanation.gates[1].failing == nil)
        #expect(explanation.costModel?.contains("pods^1") == true)
        let text = Explain.render(explanation)
        #expect(text.contains("2x (counted)"))
        #expect(text.contains("<= 0.01"))
    }
}
