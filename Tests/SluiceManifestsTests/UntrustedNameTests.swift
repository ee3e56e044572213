import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

/// `text` as a double-quoted YAML scalar, so that any name (a newline, a quote) can be written into a fixture.
func yamlQuoted(_ text: String) -> String {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    return "\"\(escaped)\""
}

/// Names that Kubernetes would refuse and that could become an option, a path or a forged line in a command.
let namesThatCouldBeOptionsOrPaths = [
    "--kubeconfig=/tmp/evil", "-rf", "../../..", "east\nwest", String(repeating: "a", count: 5_000), "East-1",
    "east_1", "east-", "east west", "é-1",
]

/// Fleet files whose cluster or node names break Kubernetes' rules are refused at the name, with the rule.
@Suite struct FleetNameTests {
    static func fleet(clusterName: String = "east", nodeName: String = "n1") -> String {
        """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata:
          name: demo
        spec:
          clusters:
            - name: west
              nodes: 3
            - name: \(yamlQuoted(clusterName))
              nodeNames: [n0, \(yamlQuoted(nodeName)), n2]

        """
    }

    @Test(arguments: namesThatCouldBeOptionsOrPaths + ["east.1"])
    func aClusterNameKubernetesWouldRefuseIsRefused(name: String) throws {
        let text = Self.fleet(clusterName: name)
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "- name: \"", in: text), field: "spec.clusters[1].name",
            containing: "is not a valid cluster name: ")
        let problem = try #require(error?.problems.first)
        #expect(problem.message.hasSuffix("use lowercase letters, digits and '-', starting and ending with a letter "
            + "or digit, at most 63"))
        // The message stays one short line whatever the name holds.
        #expect(!problem.description.contains("\n"))
        #expect(problem.description.count < 400)
        #expect(error?.problems.count == 1)
    }

    @Test(arguments: namesThatCouldBeOptionsOrPaths + ["a..b", "a.-b", ".a", "a."])
    func aNodeNameKubernetesWouldRefuseIsRefused(name: String) throws {
        let text = Self.fleet(nodeName: name)
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "nodeNames", in: text), field: "spec.clusters[1].nodeNames[1]",
            containing: "is not a valid node name: ")
        let problem = try #require(error?.problems.first)
        #expect(problem.message.contains("use lowercase letters, digits, '-' and '.'"))
        #expect(!problem.description.contains("\n"))
        #expect(problem.description.count < 400)
        // Only the name is reported: the dropped node does not make the counts disagree.
        #expect(error?.problems.count == 1)
    }

    @Test func theMessageSaysWhatIsWrongWithTheName() throws {
        let text = Self.fleet(clusterName: "--kubeconfig=/tmp/evil")
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        #expect(error?.description == "\(path):9: spec.clusters[1].name: '--kubeconfig=/tmp/evil' is not a valid "
            + "cluster name: it contains '=' and '/', and starts with '-'; use lowercase letters, digits and '-', "
            + "starting and ending with a letter or digit, at most 63")
    }

    @Test func aLongNameIsShownCutWithItsLength() throws {
        let text = Self.fleet(clusterName: String(repeating: "a", count: 5_000))
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let message = try #require(manifestError { _ = try FleetManifest.load(path) }?.problems.first?.message)
        #expect(message.contains("...' (5000 characters) is not a valid cluster name: it is 5000 characters long, "
            + "over 63"))
    }

    @Test(arguments: [
        ("a", "0"), ("prod-us-east-1", "ip-10-0-0-1.ec2.internal"),
        // The longest names allowed: 63 characters, and 253 in four dot-separated parts.
        (String(repeating: "a", count: 63), Array(repeating: String(repeating: "b", count: 63), count: 3)
            .joined(separator: ".") + "." + String(repeating: "c", count: 61)),
    ])
    func namesKubernetesAllowsAreKept(cluster: String, node: String) throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", Self.fleet(clusterName: cluster, nodeName: node))
        let fleet = try FleetManifest.load(path)
        #expect(fleet.clusters.map(\.name) == ["west", cluster])
        #expect(fleet.clusters[1].nodeNames == ["n0", node, "n2"])
    }
}

/// Rollout names and the artifact's name and version, which go into journal keys and commands.
@Suite struct PlanNameTests {
    func load(_ plan: String) throws -> (ManifestError?, String) {
        let folder = try ScratchFolder()
        let path = try Manifests.writePlanFolder(folder, plan: plan)
        return (manifestError { _ = try PlanLoader().load(path) }, path)
    }

    @Test(arguments: ["-rf", "agent-", "agent..2", "agent.", "٣agent", "agent\n2", String(repeating: "a", count: 64)])
    func aRolloutNameKubernetesWouldRefuseIsRefused(name: String) throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave)
            .replacingOccurrences(of: "name: agent-2.0", with: "name: \(yamlQuoted(name))")
        let (error, path) = try load(plan)
        expectProblem(
            error, file: path, line: line(of: "  name: \"", in: plan), field: "metadata.name",
            containing: "is not a valid rollout name: ")
        #expect(error?.problems.first?.description.contains("\n") == false)
    }

    @Test(arguments: [
        ("name: agent,", "name: \"-rf\",", "spec.artifact.name",
         "'-rf' cannot be an artifact name: it starts with '-'"),
        ("name: agent,", "name: \"../agent\",", "spec.artifact.name", "it contains '/'"),
        ("version: \"2.0.0\"", "version: \"--force\"", "spec.artifact.version", "'--force' cannot be a version"),
        ("version: \"2.0.0\"", "version: \"2.0\\n0\"", "spec.artifact.version", "the control character '\\n'"),
    ])
    func anArtifactThatCouldBecomeAnOptionIsRefused(
        original: String, replacement: String, field: String, fragment: String
    ) throws {
        let plan = Manifests.plan(waves: Manifests.canaryWave).replacingOccurrences(of: original, with: replacement)
        let (error, path) = try load(plan)
        expectProblem(error, file: path, line: line(of: "artifact:", in: plan), field: field, containing: fragment)
    }
}

/// The shipped examples and their driver files still load, and the kubectl driver keeps names out of option parsing.
@Suite struct ShippedExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test(arguments: [
        "Examples/plan-demo.yaml", "Examples/plan-incident.yaml", "Examples/plan-incident-fixed.yaml",
        "Examples/recordings/plan-incident-mini.yaml", "Examples/recordings/plan-incident-unguarded.yaml",
    ])
    func aShippedPlanLoadsWithoutWarnings(plan: String) throws {
        let loaded = try PlanLoader().load(Self.root + "/" + plan)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        for cluster in loaded.fleet.clusters {
            #expect(KubernetesName.labelProblem(cluster.name) == nil)
            for index in [0, cluster.nodeCount - 1] {
                #expect(KubernetesName.subdomainProblem(cluster.nodeName(at: index)) == nil)
            }
        }
    }
}
