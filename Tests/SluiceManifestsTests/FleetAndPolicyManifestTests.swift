import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

@Suite struct FleetManifestTests {
    @Test func aValidFleetKeepsClustersInFileOrderWithDefaults() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", Manifests.fleet)
        let fleet = try FleetManifest.load(path)
        #expect(fleet.name == "demo")
        #expect(fleet.clusters.map(\.name) == [
            "staging-1", "small-big", "small-mid", "small-tiny", "small-mid-2", "large-1",
        ])
        let staging = try #require(fleet.cluster(named: "staging-1"))
        #expect(staging.nodeCount == 10)
        #expect(staging.nodeName(at: 9) == "stg-j")
        #expect(staging.labels == ["tier": "staging"])
        let large = try #require(fleet.cluster(named: "large-1"))
        #expect(large.nodeNames == nil)
        #expect(large.nodeName(at: 7) == "large-1-node-7")
        #expect(large.apiservers == 3)
        #expect(large.podsPerNode == 30)
        #expect(fleet.cluster(named: "small-big")?.apiservers == 1)
    }

    @Test func aDuplicateClusterNameIsRefusedAtTheSecondOne() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east
                  nodes: 4
                - name: west
                  nodes: 4
                - name: east
                  nodes: 8

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: east", in: text, occurrence: 2), field: "spec.clusters[2]",
            containing: "cluster 'east' is already declared at line \(line(of: "- name: east", in: text))")
        #expect(error?.problems.count == 1)
    }

    @Test func nodesAndNodeNamesThatDisagreeAreRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east
                  nodes: 3
                  nodeNames: [a, b]

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "nodes: 3", in: text), field: "spec.clusters[0].nodes",
            containing: "says 3 but nodeNames lists 2; give one of them")
    }

    /// A node named twice, or no node at all (which would otherwise drop the cluster without a word).
    @Test(arguments: [
        ("[a, b, a]", "lists a node twice"), ("[]", "lists no node; list the cluster's nodes or give nodes: N"),
    ])
    func aNodeNameListThatCannotBeTheClusterIsRefused(names: String, problem: String) throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east
                  nodeNames: \(names)

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "nodeNames", in: text), field: "spec.clusters[0].nodeNames",
            containing: problem)
    }

    @Test func aClusterWithoutNodeCountOrNamesIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east
                  labels: {tier: small}
                - name: west
                  nodes: 0

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: east", in: text), field: "spec.clusters[0]",
            containing: "give the cluster's node count (nodes: N) or its node names (nodeNames: [...])")
        expectProblem(
            error, file: path, line: line(of: "nodes: 0", in: text), field: "spec.clusters[1].nodes",
            containing: "must be at least 1, found 0")
    }

    @Test func aFleetWithoutClustersIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters: []

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        let problem = try #require(error?.problems.first)
        #expect(problem.file == path)
        #expect(problem.message.contains("a fleet needs at least one cluster under spec.clusters"))
    }

    @Test func aFleetMissingItsSpecIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(error, file: path, line: 1, field: "spec", containing: "is required")
    }

    @Test func aPolicyFileGivenAsFleetIsRefusedByKind() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", Manifests.policy)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(error, file: path, line: 2, field: "kind", containing: "expected a Fleet, found 'GatePolicy'")
    }
}

@Suite struct PolicyManifestTests {
    /// A policy whose only gate has the lines of `gate` (indented as list-item fields).
    func policy(gate: String) -> String {
        """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata:
          name: p
        spec:
          gates:
            - name: latency
              signal: apiserver_latency_seconds
        \(gate)

        """
    }

    @Test func aValidPolicyDecodesEveryField() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", Manifests.policy)
        let policy = try PolicyManifest.load(path)
        #expect(policy.name == "test-policy")
        #expect(policy.maxSampleAgeSeconds == 90)
        #expect(policy.gates == [
            Gate(
                name: "mutating-latency", signal: "apiserver_mutating_latency_p99_seconds",
                aggregation: .percentile(99), windowSeconds: 120, bound: .atMost(1.0), onNoData: .fail,
                action: .rollbackCluster),
            Gate(
                name: "availability", signal: "apiserver_availability", aggregation: .min, windowSeconds: 60,
                bound: .atLeast(0.99), onNoData: .halt, action: .halt),
        ])
    }

    @Test func aGateWithBothMaxAndMinIsRefused() throws {
        let text = policy(gate: """
                  max: 1
                  min: 0.5
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: latency", in: text), field: "spec.gates[0]",
            containing: "give either max (healthy at or below) or min (healthy at or above), not both")
    }

    @Test func aGateWithoutBoundIsRefused() throws {
        let text = policy(gate: "      aggregate: max")
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: latency", in: text), field: "spec.gates[0]",
            containing: "a gate needs a bound")
    }

    @Test func aNonNumericBoundIsRefused() throws {
        let text = policy(gate: "      max: one second")
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "max: one", in: text), field: "spec.gates[0].max",
            containing: "expected a number")
    }

    @Test(arguments: ["p200", "avg", "p0", "pxx"])
    func anUnknownAggregateIsRefused(_ aggregate: String) throws {
        let text = policy(gate: """
                  aggregate: \(aggregate)
                  max: 1
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "aggregate", in: text), field: "spec.gates[0].aggregate",
            containing: "'\(aggregate)' is not an aggregation; use last, mean, max, min, rate or a percentile like p99")
    }

    @Test func percentileAggregatesUpToOneHundredAreAccepted() throws {
        let text = policy(gate: """
                  aggregate: p99.9
                  max: 1
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let policy = try PolicyManifest.load(path)
        #expect(policy.gates.first?.aggregation == .percentile(99.9))
    }

    @Test(arguments: ["pass", "inconclusive"]) func noDataThatWouldPassIsRefused(choice: String) throws {
        let text = policy(gate: """
                  max: 1
                  onNoData: \(choice)
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "onNoData", in: text), field: "spec.gates[0].onNoData",
            containing: "never lets missing data pass")
    }

    @Test func anUnknownOnNoDataIsRefused() throws {
        let text = policy(gate: """
                  max: 1
                  onNoData: shrug
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "onNoData", in: text), field: "spec.gates[0].onNoData",
            containing: "'shrug' is not one of fail, halt")
    }

    @Test func anUnknownActionIsRefused() throws {
        let text = policy(gate: """
                  max: 1
                  action: rollback
            """)
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "action", in: text), field: "spec.gates[0].action",
            containing: "'rollback' is not one of halt, rollbackCluster, rollbackRollout")
    }

    @Test func aGateNameUsedTwiceIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: GatePolicy
            metadata:
              name: p
            spec:
              gates:
                - name: latency
                  signal: a
                  max: 1
                - name: latency
                  signal: b
                  max: 2

            """
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: latency", in: text, occurrence: 2), field: "spec.gates[1]",
            containing: "gate name 'latency' is used twice")
    }

    @Test func aGateMissingItsSignalIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: GatePolicy
            metadata:
              name: p
            spec:
              gates:
                - name: latency
                  max: 1

            """
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: latency", in: text), field: "spec.gates[0].signal",
            containing: "is required")
    }
}
