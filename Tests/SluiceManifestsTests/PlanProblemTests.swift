import Foundation
import SluiceManifests
import Testing
import SluiceTestSupport

/// Plan files with one mistake each: every problem is placed at the plan file, the right line and the field.
@Suite struct PlanProblemTests {
    /// Loads `plan` from a folder holding the standard fleet and policy; returns the error and the plan's path.
    func load(_ plan: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (ManifestError?, String) {
        let folder = try ScratchFolder()
        let path = try Manifests.writePlanFolder(folder, plan: plan)
        let error = manifestError(sourceLocation: sourceLocation) { _ = try PlanLoader().load(path) }
        return (error, path)
    }

    @Test func misspeltFieldSuggestsTheNearestAllowedName() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  bakeAfterClustr: 25m
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "bakeAfterClustr", in: plan), field: "spec.waves[0].bakeAfterClustr",
            containing: "unknown field; did you mean 'bakeAfterCluster'?")
        #expect(error?.problems.count == 1)
    }

    @Test func aKeyGivenTwiceIsPlacedAtItsSecondOccurrence() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  bakeAfterCluster: 25m
                  bakeAfterCluster: 30m
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "bakeAfterCluster", in: plan, occurrence: 2), field: "bakeAfterCluster",
            containing: "is given twice")
    }

    @Test func unknownFieldFarFromAnyNameListsTheAllowedOnes() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  colour: blue
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "colour", in: plan), field: "spec.waves[0].colour",
            containing: "unknown field (allowed: name, clusters, maxConcurrentClusters")
        #expect(error?.problems.first?.message.contains("did you mean") == false)
    }

    @Test(arguments: ["5x", "90", "5 minutes", "1h30"])
    func durationWithoutKnownUnitsIsRefused(_ duration: String) throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  bakeBetweenBatches: \(duration)
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "bakeBetweenBatches", in: plan),
            field: "spec.waves[0].bakeBetweenBatches",
            containing: "'\(duration)' is not a duration; write it with units, like 30s, 5m or 1h30m")
    }

    @Test func percentagesThatDoNotIncreaseAreRefusedAtTheOffendingStep() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches:
                    - 10%
                    - 5%
                    - 100%
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "- 5%", in: plan), field: "spec.waves[0].nodeBatches[1]",
            containing: "batches are cumulative and must increase: 5% follows 10%")
        #expect(error?.problems.count == 1)
    }

    @Test func countsThatDoNotIncreaseAreRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [5, 5, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "nodeBatches", in: plan), field: "spec.waves[0].nodeBatches[1]",
            containing: "must increase: 5 follows 5")
    }

    @Test func batchesNotEndingAtOneHundredPercentAreRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 50%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "nodeBatches", in: plan), field: "spec.waves[0].nodeBatches[1]",
            containing: "the last batch must be 100% so that every node is reached (found 50%)")
    }

    @Test func aBatchOverOneHundredPercentIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 120%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "nodeBatches", in: plan), field: "spec.waves[0].nodeBatches[1]",
            containing: "120% is over 100%")
    }

    @Test func aZeroNodeCountIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches:
                    - 0
                    - 100%
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "- 0", in: plan), field: "spec.waves[0].nodeBatches[0]",
            containing: "a node count must be at least 1")
    }

    @Test func aBatchThatIsNeitherCountNorPercentageIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [one, 10x%, 100%]
            """)
        let (error, path) = try load(plan)
        let nodeBatches = line(of: "nodeBatches", in: plan)
        expectProblem(
            error, file: path, line: nodeBatches, field: "spec.waves[0].nodeBatches[0]",
            containing: "'one' is not a batch size; write a node count (5) or a percentage (10%)")
        expectProblem(
            error, file: path, line: nodeBatches, field: "spec.waves[0].nodeBatches[1]",
            containing: "'10x%' is not a percentage")
    }

    @Test func aClusterMissingFromTheFleetIsNamed() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters:
                    - staging-1
                    - staging-2
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "- staging-2", in: plan), field: "spec.waves[0].clusters[1]",
            containing: "cluster 'staging-2' is not in fleet 'demo'")
    }

    @Test func aClusterInTwoWavesIsRefusedInTheLaterWave() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1, small-tiny]
                  nodeBatches: [1, 100%]
                - name: small
                  clusters: {matchLabels: {tier: small}}
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "matchLabels", in: plan), field: "spec.waves[1].clusters",
            containing: "cluster 'small-tiny' is already in wave 'canary'; a cluster belongs to one wave")
        #expect(error?.problems.count == 1)
    }

    @Test func aClusterListedTwiceInOneWaveIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1, staging-1]
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "clusters:", in: plan), field: "spec.waves[0].clusters[1]",
            containing: "cluster 'staging-1' is listed twice")
    }

    @Test func anEmptyWavesListIsRefused() throws {
        let plan = Manifests.plan(waves: "").replacingOccurrences(of: "  waves:\n", with: "  waves: []\n")
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "waves: []", in: plan), field: "spec.waves",
            containing: "a plan needs at least one wave")
    }

    @Test func aWaveSelectingNoClusterIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: {matchLabels: {tier: edge}}
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "matchLabels", in: plan), field: "spec.waves[0].clusters",
            containing: "selects no cluster of the fleet")
    }

    @Test func anEmptyMatchLabelsIsRefused() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: {matchLabels: {}}
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "matchLabels", in: plan), field: "spec.waves[0].clusters",
            containing: "matchLabels is empty")
    }

    @Test func duplicateWaveNamesAreRefusedAtTheSecondName() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                - name: canary
                  clusters: [large-1]
                  nodeBatches: [1, 100%]
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "- name: canary", in: plan, occurrence: 2), field: "spec.waves[1].name",
            containing: "wave name 'canary' is used twice")
    }

    @Test func missingRequiredFieldsAreEachReportedAtTheirParent() throws {
        let plan = """
            apiVersion: sluice.dev/v1
            kind: RolloutPlan
            metadata:
              labels: {team: nodes}
            spec:
              fleet: fleet.yaml
              waves:
                - clusters: [staging-1]

            """
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "labels:", in: plan), field: "metadata.name", containing: "is required")
        expectProblem(
            error, file: path, line: line(of: "fleet:", in: plan), field: "spec.artifact", containing: "is required")
        expectProblem(
            error, file: path, line: line(of: "- clusters", in: plan), field: "spec.waves[0].name",
            containing: "is required")
        expectProblem(
            error, file: path, line: line(of: "- clusters", in: plan), field: "spec.waves[0].nodeBatches",
            containing: "is required")
        // No policy is no problem: the plan gets the default.
        #expect(error?.problems.count == 4)
    }

    @Test func anUnsupportedApiVersionIsRefused() throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave)
            .replacingOccurrences(of: "apiVersion: sluice.dev/v1", with: "apiVersion: sluice.dev/v2")
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: 1, field: "apiVersion",
            containing: "'sluice.dev/v2' is not supported; use sluice.dev/v1")
    }

    @Test func aManifestOfAnotherKindIsRefused() throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave)
            .replacingOccurrences(of: "kind: RolloutPlan", with: "kind: Rollout")
        let (error, path) = try load(plan)
        expectProblem(error, file: path, line: 2, field: "kind", containing: "expected a RolloutPlan, found 'Rollout'")
    }

    @Test func anInvalidRolloutNameIsRefused() throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave)
            .replacingOccurrences(of: "name: agent-2.0", with: "name: Agent_2")
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "Agent_2", in: plan), field: "metadata.name",
            containing: "'Agent_2' is not a valid rollout name: it contains 'A' and '_'; use lowercase letters, "
                + "digits, '-' and '.'")
    }

    @Test func anUnknownApprovalModeListsTheChoices() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  approval: sometimes
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "approval", in: plan), field: "spec.waves[0].approval",
            containing: "'sometimes' is not one of automatic, manual")
    }

    @Test func everyProblemOfOnePlanIsReportedAtOnce() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 100%]
                  bakeAfterCluster: 5x
                  maxConcurrentClusters: 0
                  bakeAfterClustr: 5m
            """)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "5x", in: plan), field: "spec.waves[0].bakeAfterCluster",
            containing: "is not a duration")
        expectProblem(
            error, file: path, line: line(of: "maxConcurrentClusters", in: plan),
            field: "spec.waves[0].maxConcurrentClusters", containing: "must be at least 1, found 0")
        expectProblem(
            error, file: path, line: line(of: "bakeAfterClustr", in: plan), field: "spec.waves[0].bakeAfterClustr",
            containing: "did you mean 'bakeAfterCluster'?")
        #expect(error?.problems.count == 3)
    }

    @Test func problemDescriptionsStartWithTheFileAndLine() throws {
        let plan = Manifests.plan(waves: """
                - name: canary
                  clusters: [staging-1]
                  nodeBatches: [1, 120%]
            """)
        let (error, path) = try load(plan)
        let first = try #require(error?.problems.first)
        #expect(first.description.hasPrefix("\(path):\(first.line): spec.waves[0].nodeBatches[1]: "))
    }
}
