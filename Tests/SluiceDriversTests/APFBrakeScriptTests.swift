import Foundation
import SluiceCore
import SluiceManifests
import Testing

@testable import SluiceDrivers
import SluiceTestSupport

/// The shipped driver's `brake` and `release` steps (`apf-brake.sh`, `flowcontrol.yaml`) against a fake `kubectl`.
@Suite struct APFBrakeScriptTests {
    static let root = VerifyPodsScriptTests.root
    static let cluster = FleetCluster(name: "east", nodeCount: 2)
    static let artifact = ArtifactRef(name: "telemetry-agent", version: "2.0.0")
    static let brake = APFBrakeSpec(serviceAccount: "agent-sa", namespace: "observability", maxSeatShare: 0.1)

    /// Logs its arguments to `kubectl.log` beside it and keeps what `apply --filename=-` reads in `applied.yaml`.
    static let fakeKubectl = #"""
        #!/bin/sh
        here=$(dirname "$0")
        printf '%s\n' "$*" >> "$here/kubectl.log"
        case "$*" in *--filename=-*) cat > "$here/applied.yaml" ;; esac
        exit 0
        """#

    /// The shipped driver, its script paths made absolute, with the fake `kubectl` first on PATH.
    func driver(_ folder: ScratchFolder) throws -> ExecDriver {
        let kubectl = folder.path("kubectl")
        try Self.fakeKubectl.write(toFile: kubectl, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kubectl)
        var config = try ExecDriverManifest.load(Self.root + "/Examples/kubectl/driver.yaml")
        config.timeoutSeconds = 600  // a safety net on a loaded machine, never the subject
        let script = "Examples/kubectl/apf-brake.sh"
        func absolute(_ words: [String]?) throws -> [String] {
            let words = try #require(words)
            #expect(words.contains(script))
            return words.map { $0 == script ? Self.root + "/" + script : $0 }
        }
        config.brake = try absolute(config.brake)
        config.release = try absolute(config.release)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ExecDriver(config: config, environment: ["PATH": folder.url.path + ":" + path])
    }

    func action(_ kind: FleetAction.Kind) -> FleetAction {
        FleetAction(
            rollout: "telemetry-agent-2.0", kind: kind, cluster: "east", batch: 0, nodes: 0..<0, brake: Self.brake)
    }

    @Test func theBrakeAppliesAPriorityLevelAndAFlowSchemaForTheServiceAccount() async throws {
        let folder = try ScratchFolder()
        _ = try await driver(folder).execute(action(.brake), on: Self.cluster, artifact: Self.artifact)
        #expect(folder.lines("kubectl.log") == ["--context=east apply --filename=-"])
        let applied = folder.lines("applied.yaml").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!applied.contains { $0.contains("SLUICE_") })
        #expect(applied.contains("nominalConcurrencyShares: 27"))
        #expect(applied.contains("lendablePercent: 100"))
        #expect(applied.contains("borrowingLimitPercent: 0"))
        #expect(applied.filter { $0 == "name: telemetry-agent" }.count == 3)  // the level, the schema, its reference
        #expect(applied.contains("serviceAccount: {name: agent-sa, namespace: observability}"))
        #expect(applied.filter { $0.hasPrefix("kind: ") } == ["kind: PriorityLevelConfiguration", "kind: FlowSchema"])
    }

    @Test func theReleaseDeletesTheFlowSchemaBeforeItsPriorityLevel() async throws {
        let folder = try ScratchFolder()
        _ = try await driver(folder).execute(action(.release), on: Self.cluster, artifact: Self.artifact)
        #expect(folder.lines("kubectl.log") == [
            "--context=east delete --ignore-not-found flowschemas.flowcontrol.apiserver.k8s.io/telemetry-agent",
            "--context=east delete --ignore-not-found "
                + "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io/telemetry-agent",
        ])
    }

    @Test func aDriverWithoutBrakeStepsFailsTheBrakeSayingWhatToAdd() async throws {
        let driver = ExecDriver(config: ExecDriverConfig(apply: ["/bin/true"], revert: ["/bin/true"]))
        let error = await #expect(throws: ExecDriverError.self) {
            try await driver.execute(action(.brake), on: Self.cluster, artifact: Self.artifact)
        }
        #expect(error.map { "\($0)" }?.contains("no spec.brake command; add spec.brake and spec.release") == true)
    }

    @Test func anUnsafeServiceAccountNeverReachesACommand() async throws {
        let folder = try ScratchFolder()
        var action = action(.brake)
        action.brake?.serviceAccount = "--kubeconfig=/tmp/x"
        await #expect(throws: ExecDriverError.self) {
            try await driver(folder).execute(action, on: Self.cluster, artifact: Self.artifact)
        }
        #expect(folder.lines("kubectl.log").isEmpty)
    }
}
