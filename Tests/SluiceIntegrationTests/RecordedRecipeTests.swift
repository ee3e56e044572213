import Foundation
import SluiceManifests
import SluiceStore
import SluiceTestSupport
import Testing
import SluiceCore

/// The README's run without a simulator: the exec driver on a folder standing in for a fleet, gated on
/// `Examples/recordings/healthy-demo.csv`.
@Suite("The README's recorded-signal recipe")
struct RecordedRecipeTests {
    static let recording = LocalScenario.repositoryRoot + "/Examples/recordings/healthy-demo.csv"

    /// The signals in a CSV recording (its third column).
    static func recordedSignals(_ path: String) throws -> Set<String> {
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        return Set(rows.compactMap { $0.split(separator: ",").dropFirst(2).first.map(String.init) })
    }

    @Test("The recording holds every signal each shipped policy reads")
    func recordingCoversEveryShippedPolicy() throws {
        let recorded = try Self.recordedSignals(Self.recording)
        let policies = try FileManager.default.contentsOfDirectory(atPath: LocalScenario.repositoryRoot + "/Policies")
            .filter { $0.hasSuffix(".yaml") }
        #expect(policies.count == 3)
        for policy in policies {
            let read = try PolicyManifest.load(LocalScenario.repositoryRoot + "/Policies/" + policy).signalNames
            #expect(read.count >= 10)
            #expect(Set(read).subtracting(recorded).isEmpty, "\(policy) reads signals the recording lacks")
        }
    }

    @Test("submit plan-demo, run sluiced on the recording, promote the manual wave: every node gets the change")
    func documentedRunCompletes() async throws {
        let workspace = try ProcessWorkspace()
        let root = LocalScenario.repositoryRoot
        let submitted = try await workspace.sluice("submit", root + "/Examples/plan-demo.yaml")
        #expect(submitted.status == 0, "\(submitted.output)")
        let daemon = try workspace.startDaemon([
            "--driver-config", root + "/Examples/local/driver.yaml", "--signals", Self.recording,
            "--virtual-step", "30", "--interval", "0.02",
        ])
        defer { daemon.kill() }
        let rollout = "telemetry-agent-2.0"
        func phase() async throws -> String {
            let output = try await workspace.sluice("get", rollout, "-o", "json").output
            let view = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            return view?["phase"] as? String ?? "?"
        }
        #expect(try await eventually { try await phase() == "awaitingApproval" }, "\(daemon.output)")
        // However long the person takes, the virtual clock waits with the rollout: passes go on (a pass every 20 ms
        // would use up the 6-hour recording in seconds), the clock does not move.
        let store = try SluiceStore(path: workspace.database)
        let clockAtWait = try store.virtualNow()
        let passAtWait = try #require(try store.lastControllerPass()).wallAt
        #expect(try await eventually { (try store.lastControllerPass()?.wallAt ?? 0) > passAtWait })
        #expect(try store.virtualNow() == clockAtWait)
        #expect(try await workspace.sluice("promote", rollout, "--reason", "small wave fine").status == 0)
        #expect(try await eventually { try await phase() == "completed" }, "\(daemon.output)")

        let changes = try String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)
            .split(separator: "\n")
        let nodes = 10 + 40 + 60 + 400  // staging-1, prod-small-1, prod-small-2, prod-large-1
        #expect(changes.count == nodes)
        #expect(changes.allSatisfy { $0.hasPrefix("apply ") && $0.hasSuffix(" 2.0.0") })
    }
}
