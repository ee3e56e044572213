import Foundation
import SluiceCore
@testable import SluiceDrivers
import SluiceManifests
import Testing
import SluiceTestSupport

/// The exec driver's second line of defence: a value that could become an option, a path or a second line never
/// reaches a command, whatever the template, even when it got past the fleet file's checks (a database, a test).
@Suite struct UntrustedValueTests {
    static let recorder = ExecDriverTests.recorder("apply") + ["{cluster}", "{nodes}", "{artifact}", "{version}"]

    func execute(
        _ folder: ScratchFolder, cluster: FleetCluster, artifact: ArtifactRef = ExecDriverTests.artifact,
        rollout: String = "agent-2.0", nodes: Range<Int> = 0..<3
    ) async -> ExecDriverError? {
        let driver = ExecDriver(
            config: ExecDriverConfig(apply: Self.recorder, revert: Self.recorder, maxNodesPerCall: 1),
            environment: ["SLUICE_TEST_LOG": folder.path("calls.log")])
        let action = FleetAction(rollout: rollout, kind: .apply, cluster: cluster.name, batch: 0, nodes: nodes)
        return await #expect(throws: ExecDriverError.self) {
            _ = try await driver.execute(action, on: cluster, artifact: artifact)
        }
    }

    @Test(arguments: ["-rf", "--kubeconfig=/tmp/evil", "../../etc", "a/b", "..", "a\nb", "a\u{1b}[2J"])
    func aNodeNameThatCouldBecomeAnOptionOrPathNeverReachesACommand(node: String) async throws {
        let folder = try ScratchFolder()
        let cluster = FleetCluster(name: "east", nodeCount: 3, nodeNames: ["a", node, "c"])
        let error = await execute(folder, cluster: cluster)
        guard case .unsafeValue(let what, let value, _) = try #require(error) else {
            Issue.record("expected unsafeValue, got \(String(describing: error))")
            return
        }
        #expect(what == "node")
        #expect(value == node)
        // Nothing ran, not even the call for the harmless node before it.
        #expect(!FileManager.default.fileExists(atPath: folder.path("calls.log")))
    }

    @Test func theRefusalSaysWhichValueAndWhy() async throws {
        let folder = try ScratchFolder()
        let cluster = FleetCluster(name: "east", nodeCount: 1, nodeNames: ["-rf"])
        let error = await execute(folder, cluster: cluster, nodes: 0..<1)
        #expect(error?.description == "refused to run any command with the node '-rf': it starts with '-', so a "
            + "command could take it for an option; rename it (fleet and plan files check names when they are read)")
    }

    @Test(arguments: ["-rf", "--context=prod", "../x", ".."])
    func aClusterNameThatCouldBecomeAnOptionOrPathNeverReachesACommand(name: String) async throws {
        let folder = try ScratchFolder()
        let error = await execute(folder, cluster: FleetCluster(name: name, nodeCount: 3))
        guard case .unsafeValue(let what, _, _) = try #require(error) else {
            Issue.record("expected unsafeValue, got \(String(describing: error))")
            return
        }
        #expect(what == "cluster")
        #expect(!FileManager.default.fileExists(atPath: folder.path("calls.log")))
    }

    @Test(arguments: [
        (ArtifactRef(name: "-agent", version: "1"), "agent-2.0", "artifact"),
        (ArtifactRef(name: "agent", version: "--force"), "agent-2.0", "version"),
        (ArtifactRef(name: "agent", version: "1"), "-rollout", "rollout"),
    ])
    func anArtifactVersionOrRolloutThatCouldBeAnOptionNeverReachesACommand(
        artifact: ArtifactRef, rollout: String, what: String
    ) async throws {
        let folder = try ScratchFolder()
        let cluster = FleetCluster(name: "east", nodeCount: 3)
        let error = await execute(folder, cluster: cluster, artifact: artifact, rollout: rollout)
        guard case .unsafeValue(let refused, _, _) = try #require(error) else {
            Issue.record("expected unsafeValue, got \(String(describing: error))")
            return
        }
        #expect(refused == what)
        #expect(!FileManager.default.fileExists(atPath: folder.path("calls.log")))
    }

    @Test func theShippedKubectlTemplateKeepsNodesAfterDoubleDash() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let config = try ExecDriverManifest.load(root + "/Examples/kubectl/driver.yaml")
        let values = ["cluster": "east", "artifact": "agent", "version": "2.0.0", "rollout": "r", "batch": "1"]
        let apply = ExecDriver.expand(config.apply, values: values, nodes: ["n1", "n2"])
        #expect(apply == [
            "kubectl", "--context=east", "label", "node", "--overwrite", "--", "n1", "n2", "sluice.dev/agent=2.0.0",
        ])
        let revert = ExecDriver.expand(config.revert, values: values, nodes: ["n1"])
        #expect(revert == ["kubectl", "--context=east", "label", "node", "--", "n1", "sluice.dev/agent-"])
    }
}
