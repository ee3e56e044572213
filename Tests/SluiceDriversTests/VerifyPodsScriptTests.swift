import Foundation
import SluiceCore
import SluiceManifests
import Testing

@testable import SluiceDrivers
import SluiceTestSupport

/// The image of `Examples/kubectl/daemonset.yaml`, without its tag.
private let image = "registry.example.com/telemetry-agent"

/// The shipped `Examples/kubectl` driver and its `verify-pods.sh`, run against a fake `kubectl` first on PATH.
@Suite struct VerifyPodsScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let artifact = ArtifactRef(name: "telemetry-agent", version: "2.0.0")
    static let cluster = FleetCluster(name: "east", nodeCount: 2, nodeNames: ["n1", "n2"])
    static let ready = "telemetry-agent-1 Running \(image):2.0.0 True"

    /// Logs its arguments to `kubectl.log` beside it; prints `NODE.pods` for the node of a `spec.nodeName` selector,
    /// as the script's jsonpath would print that node's pods.
    static let fakeKubectl = #"""
        #!/bin/sh
        here=$(dirname "$0")
        printf '%s\n' "$*" >> "$here/kubectl.log"
        for arg; do case $arg in --field-selector=spec.nodeName=*) node=${arg#*spec.nodeName=} ;; esac; done
        if [ -n "${node:-}" ] && [ -f "$here/$node.pods" ]; then cat "$here/$node.pods"; fi
        exit 0
        """#

    let clock = InstantClock()

    /// The shipped driver with a fake cluster in `folder`: its pods per node, `nil` for a node without any.
    func driver(_ folder: ScratchFolder, pods: [String: String?]) throws -> ExecDriver {
        let kubectl = folder.path("kubectl")
        try Self.fakeKubectl.write(toFile: kubectl, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kubectl)
        for case (let node, let lines?) in pods {
            try (lines + "\n").write(toFile: folder.path("\(node).pods"), atomically: true, encoding: .utf8)
        }
        var config = try ExecDriverManifest.load(Self.root + "/Examples/kubectl/driver.yaml")
        config.timeoutSeconds = 600  // a safety net on a loaded machine, never the subject
        var verify = try #require(config.verify)
        let script = "Examples/kubectl/verify-pods.sh"
        #expect(verify.command.contains(script))
        verify.command = verify.command.map { $0 == script ? Self.root + "/" + script : $0 }
        verify.timeoutSeconds = verify.intervalSeconds  // one retry is enough to see a failure retried
        config.verify = verify
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ExecDriver(config: config, environment: ["PATH": folder.url.path + ":" + path], clock: clock)
    }

    func apply(_ driver: ExecDriver) async throws -> String {
        let action = FleetAction(rollout: "telemetry-agent-2.0", kind: .apply, cluster: "east", batch: 0, nodes: 0..<2)
        return try await driver.execute(action, on: Self.cluster, artifact: Self.artifact)
    }

    @Test func nodesWhosePodsAreRunningReadyAndNewAreVerified() async throws {
        let folder = try ScratchFolder()
        let output = try await apply(driver(folder, pods: ["n1": Self.ready, "n2": Self.ready]))
        #expect(output.isEmpty)
        let calls = folder.lines("kubectl.log")
        #expect(calls.count == 3)
        #expect(calls.first == "--context=east label node --overwrite -- n1 n2 sluice.dev/telemetry-agent=2.0.0")
        for (call, node) in zip(calls.dropFirst(), ["n1", "n2"]) {
            let query =
                "--context=east --namespace=observability get pods --selector=app=telemetry-agent "
                + "--field-selector=spec.nodeName=\(node) --output=jsonpath="
            #expect(call.hasPrefix(query))
        }
        #expect(clock.now.offset == .zero)
    }

    @Test(arguments: [
        ("telemetry-agent-2 Running \(image):2.0.0 False", "telemetry-agent-2 is not Ready"),
        ("telemetry-agent-2 Pending \(image):2.0.0 ", "telemetry-agent-2 is Pending, not Running"),
        ("telemetry-agent-2 Running \(image):1.9.0 True", "telemetry-agent-2 runs \(image):1.9.0, not version 2.0.0"),
        (nil, "no telemetry-agent pod"),
    ])
    func aNodeWhosePodIsNotReadyOrNewFailsTheApplyNamingIt(pods: String?, problem: String) async throws {
        let folder = try ScratchFolder()
        let driver = try driver(folder, pods: ["n1": Self.ready, "n2": pods])
        let error = await #expect(throws: ExecDriverError.self) { _ = try await apply(driver) }
        guard case .notVerified(_, _, let status, let output, false) = try #require(error) else {
            Issue.record("expected notVerified, got \(String(describing: error))")
            return
        }
        #expect(status == 1)
        #expect(output.hasPrefix("n2: \(problem)"))
        #expect(!output.contains("n1"))
        // Tried again after the interval: each try asks for both nodes' pods.
        #expect(folder.lines("kubectl.log").count == 1 + 2 * 2)
        #expect(clock.now.offset == .seconds(10))
    }
}
