import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

/// Valid plans resolved against their fleet and policy, and how the loader finds the fleet and policy files.
@Suite struct PlanLoaderTests {
    @Test func aValidPlanResolvesWavesClustersAndBatchEnds() throws {
        let folder = try ScratchFolder()
        let planPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: """
            \(Manifests.canaryWave)
                - name: small
                  clusters: {matchLabels: {tier: small}}
                  maxConcurrentClusters: 2
                  nodeBatches: [1, 10%, 100%]
                  bakeBetweenBatches: 1m30s
                - name: large
                  clusters: [large-1]
                  nodeBatches: [1%, 5%, 25%, 100%]
                  bakeAfterCluster: 1h
                  approval: manual
            """))
        let loaded = try PlanLoader().load(planPath)
        #expect(loaded.planPath == planPath)
        #expect(loaded.fleetPath == folder.path("fleet.yaml"))
        #expect(loaded.policyPath == folder.path("Policies/test-policy.yaml"))
        #expect(loaded.plan.fleetPath == "fleet.yaml")
        #expect(loaded.fleet.clusters.count == 6)

        let spec = loaded.spec
        #expect(spec.name == "agent-2.0")
        #expect(spec.artifact == ArtifactRef(name: "agent", version: "2.0.0", apiProfile: "node-scoped-pod-list"))
        #expect(spec.policy.name == "test-policy")
        #expect(spec.waves.map(\.name) == ["canary", "small", "large"])

        let canary = spec.waves[0]
        #expect(canary.clusters.map(\.name) == ["staging-1"])
        #expect(canary.clusters[0].batchEnds == [1, 5, 10])
        #expect(canary.bakeBetweenBatchesSeconds == 300)
        #expect(canary.bakeAfterClusterSeconds == 1500)
        #expect(canary.approval == .automatic)
        #expect(canary.maxConcurrentClusters == 1)

        // matchLabels takes the smallest clusters first, keeping file order between equal sizes.
        let small = spec.waves[1]
        #expect(small.clusters.map(\.name) == ["small-tiny", "small-mid", "small-mid-2", "small-big"])
        #expect(small.maxConcurrentClusters == 2)
        #expect(small.bakeBetweenBatchesSeconds == 90)
        #expect(small.bakeAfterClusterSeconds == 0)
        // [1, 10%, 100%]: 40 nodes -> [1, 4, 40]; 60 -> [1, 6, 60]; on 3 nodes 10% reaches no new node and merges.
        #expect(small.clusters.map(\.batchEnds) == [[1, 3], [1, 4, 40], [1, 4, 40], [1, 6, 60]])
        #expect(small.clusters[1].nodes(ofBatch: 1) == 1..<4)
        #expect(small.clusters[1].nodes(ofBatch: 2) == 4..<40)

        let large = spec.waves[2]
        #expect(large.clusters.map(\.batchEnds) == [[4, 20, 100, 400]])
        #expect(large.approval == .manual)
        #expect(large.bakeAfterClusterSeconds == 3600)
        #expect(spec.clustersInOrder.map(\.wave) == [0, 1, 1, 1, 1, 2])
    }

    @Test func matchLabelsNeedsEveryLabel() throws {
        let folder = try ScratchFolder()
        let planPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: """
                - name: eu
                  clusters: {matchLabels: {tier: small, region: eu}}
                  nodeBatches: [100%]
            """))
        let spec = try PlanLoader().load(planPath).spec
        #expect(spec.waves[0].clusters.map(\.name) == ["small-mid"])
        #expect(spec.waves[0].clusters[0].batchEnds == [40])
    }

    @Test func aNamedPolicyIsFoundInTheNearestPoliciesFolderAboveThePlan() throws {
        let folder = try ScratchFolder()
        let outer = Manifests.policy.replacingOccurrences(of: "name: mutating-latency", with: "name: outer-gate")
            .replacingOccurrences(of: "name: test-policy", with: "name: control-plane-safe")
        let inner = Manifests.policy.replacingOccurrences(of: "name: mutating-latency", with: "name: inner-gate")
            .replacingOccurrences(of: "name: test-policy", with: "name: control-plane-safe")
        try folder.write("Policies/control-plane-safe.yaml", outer)
        let innerPath = try folder.write("teams/Policies/control-plane-safe.yaml", inner)
        try folder.write("teams/nodes/fleet.yaml", Manifests.fleet)
        let planPath = try folder.write(
            "teams/nodes/plans/plan.yaml",
            Manifests.plan(waves: Manifests.canaryWave, policy: "control-plane-safe", fleet: "../fleet.yaml"))

        let loaded = try PlanLoader().load(planPath)
        #expect(loaded.policyPath == innerPath)
        #expect(loaded.fleetPath == folder.path("teams/nodes/fleet.yaml"))
        #expect(loaded.spec.policy.name == "control-plane-safe")
        #expect(loaded.spec.policy.gates.map(\.name) == ["inner-gate", "availability"])
    }

    @Test func policyFoldersGivenToTheLoaderComeFirst() throws {
        let folder = try ScratchFolder()
        let chosen = Manifests.policy.replacingOccurrences(of: "name: mutating-latency", with: "name: chosen-gate")
        let chosenPath = try folder.write("elsewhere/test-policy.yaml", chosen)
        let planPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: Manifests.canaryWave))

        let loaded = try PlanLoader(policyDirectories: [folder.path("elsewhere")]).load(planPath)
        #expect(loaded.policyPath == chosenPath)
        #expect(loaded.spec.policy.gates.first?.name == "chosen-gate")
    }

    @Test func aPolicyGivenAsAPathIsReadRelativeToThePlan() throws {
        let folder = try ScratchFolder()
        try folder.write("fleet.yaml", Manifests.fleet)
        let policyPath = try folder.write("gates/mine.yaml", Manifests.policy)
        let planPath = try folder.write(
            "plan.yaml", Manifests.plan(waves: Manifests.canaryWave, policy: "gates/mine.yaml"))
        let loaded = try PlanLoader().load(planPath)
        #expect(loaded.policyPath == policyPath)
    }

    @Test func aPlanThatNamesNoPolicyGetsControlPlaneSafeAndSaysSo() throws {
        let folder = try ScratchFolder()
        let safe = Manifests.policy.replacingOccurrences(of: "name: test-policy", with: "name: control-plane-safe")
        let policyPath = try folder.write("Policies/control-plane-safe.yaml", safe)
        try folder.write("fleet.yaml", Manifests.fleet)
        let plan = Manifests.plan(waves: Manifests.canaryWave)
            .replacingOccurrences(of: "  policy: test-policy\n", with: "")
        #expect(!plan.contains("policy:"))
        let loaded = try PlanLoader().load(try folder.write("plan.yaml", plan))
        #expect(loaded.policyPath == policyPath)
        #expect(loaded.spec.policy.name == "control-plane-safe")
        #expect(loaded.policyIsDefault)
        #expect(loaded.policyDescription == "control-plane-safe (the default: the plan names no policy)")

        let namedPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: Manifests.canaryWave))
        let named = try PlanLoader().load(namedPath)
        #expect(!named.policyIsDefault)
        #expect(named.policyDescription == "test-policy")
    }

    @Test func aMissingPolicyIsReportedOnThePolicyLine() throws {
        let folder = try ScratchFolder()
        let plan = Manifests.plan(waves: Manifests.canaryWave, policy: "no-such-policy-\(UUID().uuidString.prefix(8))")
        let planPath = try Manifests.writePlanFolder(folder, plan: plan)
        let error = manifestError { _ = try PlanLoader().load(planPath) }
        expectProblem(
            error, file: planPath, line: line(of: "policy:", in: plan), field: "spec.policy",
            containing: "no policy 'no-such-policy-")
        let message = error?.problems.first?.message ?? ""
        #expect(message.contains("name a policy in Policies/ or give a path ending in .yaml"))
    }

    @Test func aBrokenPolicyFileIsReportedInThatFile() throws {
        let folder = try ScratchFolder()
        let planPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: Manifests.canaryWave))
        let policy = Manifests.policy.replacingOccurrences(of: "aggregate: p99", with: "aggregate: avg")
        let policyPath = try folder.write("Policies/test-policy.yaml", policy)
        let error = manifestError { _ = try PlanLoader().load(planPath) }
        expectProblem(
            error, file: policyPath, line: line(of: "aggregate: avg", in: policy), field: "spec.gates[0].aggregate",
            containing: "'avg' is not an aggregation")
    }

    @Test func aMissingFleetIsReportedOnTheFleetLineAndInTheFleetFile() throws {
        let folder = try ScratchFolder()
        let plan = Manifests.plan(waves: Manifests.canaryWave, fleet: "fleets/gone.yaml")
        let planPath = try Manifests.writePlanFolder(folder, plan: plan)
        let error = manifestError { _ = try PlanLoader().load(planPath) }
        expectProblem(
            error, file: planPath, line: line(of: "fleet:", in: plan), field: "spec.fleet",
            containing: "fleet file is not usable")
        let fleetProblem = try #require(error?.problems.last)
        #expect(fleetProblem.file == folder.path("fleets/gone.yaml"))
        #expect(fleetProblem.message == "no such file")
    }

    @Test func aBrokenFleetIsReportedOnTheFleetLineAndInTheFleetFile() throws {
        let folder = try ScratchFolder()
        let plan = Manifests.plan(waves: Manifests.canaryWave)
        let planPath = try Manifests.writePlanFolder(folder, plan: plan)
        let fleet = Manifests.fleet.replacingOccurrences(of: "nodes: 60", with: "nodes: sixty")
        let fleetPath = try folder.write("fleet.yaml", fleet)
        let error = manifestError { _ = try PlanLoader().load(planPath) }
        expectProblem(
            error, file: planPath, line: line(of: "fleet:", in: plan), field: "spec.fleet",
            containing: "fleet file is not usable")
        expectProblem(
            error, file: fleetPath, line: line(of: "nodes: sixty", in: fleet), field: "spec.clusters[1].nodes",
            containing: "expected a whole number")
    }
}
