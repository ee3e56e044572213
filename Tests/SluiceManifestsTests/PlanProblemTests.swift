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

    /// A plan whose waves hold one mistake: where it is (the `occurrence`-th line holding `marker`), the field and
    /// what the problem says.
    struct WaveMistake: Sendable, CustomTestStringConvertible {
        var waves: String
        var marker: String
        var occurrence = 1
        var field: String
        var message: String
        /// The problem is the plan's only one (a mistake must not cascade into others).
        var alone = false
        /// What the message must not say.
        var never: String?

        var testDescription: String { message }

        static func canary(_ lines: String) -> String {
            "        - name: canary\n          clusters: [staging-1]\n" + lines
        }
    }

    static let waveMistakes: [WaveMistake] = [
        .init(
            waves: WaveMistake.canary("          nodeBatches: [1, 100%]\n          bakeAfterClustr: 25m"),
            marker: "bakeAfterClustr", field: "spec.waves[0].bakeAfterClustr",
            message: "unknown field; did you mean 'bakeAfterCluster'?", alone: true),
        .init(
            waves: WaveMistake.canary("          nodeBatches: [1, 100%]\n          colour: blue"), marker: "colour",
            field: "spec.waves[0].colour", message: "unknown field (allowed: name, clusters, maxConcurrentClusters",
            never: "did you mean"),
        .init(
            waves: WaveMistake.canary(
                "          nodeBatches: [1, 100%]\n          bakeAfterCluster: 25m\n          bakeAfterCluster: 30m"),
            marker: "bakeAfterCluster", occurrence: 2, field: "bakeAfterCluster", message: "is given twice"),
        .init(
            waves: WaveMistake.canary("          nodeBatches:\n            - 10%\n            - 5%\n            - 100%"),
            marker: "- 5%", field: "spec.waves[0].nodeBatches[1]",
            message: "batches are cumulative and must increase: 5% follows 10%", alone: true),
        .init(
            waves: WaveMistake.canary("          nodeBatches: [5, 5, 100%]"), marker: "nodeBatches",
            field: "spec.waves[0].nodeBatches[1]", message: "must increase: 5 follows 5"),
        .init(
            waves: WaveMistake.canary("          nodeBatches: [1, 50%]"), marker: "nodeBatches",
            field: "spec.waves[0].nodeBatches[1]",
            message: "the last batch must be 100% so that every node is reached (found 50%)"),
        .init(
            waves: WaveMistake.canary("          nodeBatches: [1, 120%]"), marker: "nodeBatches",
            field: "spec.waves[0].nodeBatches[1]", message: "120% is over 100%"),
        .init(
            waves: WaveMistake.canary("          nodeBatches:\n            - 0\n            - 100%"), marker: "- 0",
            field: "spec.waves[0].nodeBatches[0]", message: "a node count must be at least 1"),
        .init(
            waves: WaveMistake.canary("          approval: sometimes\n          nodeBatches: [1, 100%]"),
            marker: "approval", field: "spec.waves[0].approval", message: "'sometimes' is not one of automatic, manual"),
        .init(
            waves: """
                    - name: canary
                      clusters:
                        - staging-1
                        - staging-2
                      nodeBatches: [1, 100%]
                """,
            marker: "- staging-2", field: "spec.waves[0].clusters[1]",
            message: "cluster 'staging-2' is not in fleet 'demo'"),
        .init(
            waves: """
                    - name: canary
                      clusters: [staging-1, small-tiny]
                      nodeBatches: [1, 100%]
                    - name: small
                      clusters: {matchLabels: {tier: small}}
                      nodeBatches: [1, 100%]
                """,
            marker: "matchLabels", field: "spec.waves[1].clusters",
            message: "cluster 'small-tiny' is already in wave 'canary'; a cluster belongs to one wave", alone: true),
        .init(
            waves: "        - name: canary\n          clusters: [staging-1, staging-1]\n          nodeBatches: [1, 100%]",
            marker: "clusters:", field: "spec.waves[0].clusters[1]", message: "cluster 'staging-1' is listed twice"),
        .init(
            waves: "        - name: canary\n          clusters: {matchLabels: {tier: edge}}\n          nodeBatches: [1, 100%]",
            marker: "matchLabels", field: "spec.waves[0].clusters", message: "selects no cluster of the fleet"),
        .init(
            waves: "        - name: canary\n          clusters: {matchLabels: {}}\n          nodeBatches: [1, 100%]",
            marker: "matchLabels", field: "spec.waves[0].clusters", message: "matchLabels is empty"),
        .init(
            waves: WaveMistake.canary("          nodeBatches: [1, 100%]")
                + "\n        - name: canary\n          clusters: [large-1]\n          nodeBatches: [1, 100%]",
            marker: "- name: canary", occurrence: 2, field: "spec.waves[1].name",
            message: "wave name 'canary' is used twice"),
    ]

    @Test("A wave's mistake is placed at its line and field", arguments: waveMistakes)
    func waveMistake(_ mistake: WaveMistake) throws {
        let plan = Manifests.plan(waves: mistake.waves)
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: mistake.marker, in: plan, occurrence: mistake.occurrence),
            field: mistake.field, containing: mistake.message)
        if mistake.alone { #expect(error?.problems.count == 1, "\(error.map { "\($0)" } ?? "")") }
        if let never = mistake.never { #expect(error?.problems.allSatisfy { !$0.message.contains(never) } == true) }
    }

    @Test("A header's mistake is placed at its line", arguments: [
        ("apiVersion: sluice.dev/v1", "apiVersion: sluice.dev/v2", "apiVersion", "apiVersion",
         "'sluice.dev/v2' is not supported; use sluice.dev/v1"),
        ("kind: RolloutPlan", "kind: Rollout", "kind", "kind", "expected a RolloutPlan, found 'Rollout'"),
        ("name: agent-2.0", "name: Agent_2", "Agent_2", "metadata.name",
         "'Agent_2' is not a valid rollout name: it contains 'A' and '_'; use lowercase letters, digits, '-' and '.'"),
    ])
    func headerMistake(written: String, mistaken: String, marker: String, field: String, message: String) throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave).replacingOccurrences(of: written, with: mistaken)
        let (error, path) = try load(plan)
        expectProblem(error, file: path, line: line(of: marker, in: plan), field: field, containing: message)
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

    @Test func anEmptyWavesListIsRefused() throws {
        let plan = Manifests.plan(waves: "").replacingOccurrences(of: "  waves:\n", with: "  waves: []\n")
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "waves: []", in: plan), field: "spec.waves",
            containing: "a plan needs at least one wave")
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
