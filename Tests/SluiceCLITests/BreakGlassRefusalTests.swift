import ArgumentParser
import Foundation
import Testing
@testable import SluiceCLI
import SluiceBreakGlass
import SluiceCore
import SluiceStore

/// `sluice break-glass` run in-process: a refused attempt leaves a `refused` event when the database can be opened.
/// The key file is always given, so the outcome does not depend on the test process's environment.
@Suite("Refused break-glass attempts are in the event log")
struct BreakGlassRefusalTests {
    /// A database with one pending rollout `r`, a config whose key hash no key matches, and a wrong key (mode 600).
    struct Setup {
        let folder: URL
        var database: String { folder.appendingPathComponent("sluice.db").path }
        var config: String { folder.appendingPathComponent("break-glass.yaml").path }
        var key: String { folder.appendingPathComponent("key").path }
        static let keyText = "a guessed key 7f3c"

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cli-bg-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let fleet = Fleet(name: "f", clusters: [FleetCluster(name: "a", nodeCount: 4)])
            let plan = RolloutPlan(
                name: "r", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "f", policyName: "p",
                waves: [
                    WavePlan(
                        name: "w", clusters: .names(["a"]), nodeBatches: [.percent(100)], bakeBetweenBatchesSeconds: 0,
                        bakeAfterClusterSeconds: 0)
                ])
            let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: GatePolicy(name: "p", gates: [])).get()
            try SluiceStore(path: database).submit(spec: spec, planPath: "p.yaml", actor: "alice", now: 1)
            try """
                apiVersion: sluice.dev/v1
                kind: BreakGlass
                metadata: {name: t}
                spec:
                  credential: {keyFileSHA256: \(String(repeating: "0", count: 64))}
                  nodeCommand: {command: ["true"]}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            try Self.keyText.write(toFile: key, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        }

        /// Runs `sluice break-glass ARGUMENTS --key-file KEY --config CONFIG` in-process; returns its exit code.
        func breakGlass(_ arguments: [String], database: String? = nil) async throws -> Int32? {
            let options = ["--key-file", key, "--config", config, "--db", database ?? self.database]
            let parsed = try SluiceCommand.parseAsRoot(["break-glass"] + arguments + options)
            let command = try #require(parsed as? BreakGlass)
            do {
                try await command.breakGlass()
                return nil
            } catch let failure as CLIFailure {
                return failure.exitCode
            }
        }

        func refusals(_ rollout: String) throws -> [RolloutEvent] {
            try SluiceStore(path: database).events(rollout: rollout).map(\.event).filter { $0.verb == "refused" }
        }
    }

    @Test("A bad credential: refused (exit 1), one refused event by the OS user saying why, never the key")
    func badCredential() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        #expect(try await setup.breakGlass(["r", "--reason", "apiservers down"]) == 1)
        let refusals = try setup.refusals("r")
        #expect(refusals.count == 1)
        let event = try #require(refusals.first)
        #expect(event.actor == ProcessInfo.processInfo.userName)
        #expect(
            event.message.hasPrefix("break-glass by \(event.actor) refused: the key file \(setup.key) does not match"))
        #expect(event.message.hasSuffix("(reason given: apiservers down)"))
        #expect(!event.message.contains(Setup.keyText))
        // Nothing else happened: no fence, and the log still verifies with the refusal in it.
        let store = try SluiceStore(path: setup.database)
        #expect(try store.breakGlassFence(rollout: "r") == nil)
        #expect(try store.verifyEventChain() == .intact(events: 2))
    }

    @Test("A missing reason: refused (exit 2) and recorded; with --all, on every active rollout")
    func missingReason() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        #expect(try await setup.breakGlass(["r", "--reason", "  "]) == 2)
        #expect(try setup.refusals("r").map(\.message).last?.hasSuffix("refused: no --reason given") == true)
        #expect(try await setup.breakGlass(["--all", "--reason", "everything is on fire"]) == 1)
        #expect(try setup.refusals("r").count == 2)
        #expect(try setup.refusals("*").isEmpty)
    }

    @Test("Without a usable database the refusal is only reported: no database is created for it")
    func noDatabase() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let missing = setup.folder.appendingPathComponent("missing.db").path
        #expect(try await setup.breakGlass(["r", "--reason", "x"], database: missing) == 1)
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(try setup.refusals("r").isEmpty)
    }
}

@Suite struct BreakGlassProgressTests {
    static func progress(_ rollout: String, done: Int, of total: Int, error: String? = nil) -> BreakGlassProgress {
        BreakGlassProgress(
            rollout: rollout, nodesDone: done, nodesTotal: total, failed: error == nil ? 0 : 1, cluster: "a",
            channel: "exec", nodes: ["n"], error: error)
    }

    @Test("Progress is said at each new tenth of each rollout's nodes, and every failure is said")
    func tenthsPerRollout() {
        let reporter = ProgressReporter()
        let first = (1...20).flatMap { reporter.lines(for: Self.progress("r1", done: $0, of: 20)) }
        #expect(first.count == 11 && first.last == "20/20 node reverts done, 0 failed")
        // The second rollout of an --all session starts its own count (it used to be silenced by the first's).
        #expect(reporter.lines(for: Self.progress("r2", done: 2, of: 20)) == ["2/20 node reverts done, 0 failed"])
        #expect(reporter.lines(for: Self.progress("r2", done: 4, of: 20, error: "refused")) == [
            "a via exec: 1 nodes failed: refused", "4/20 node reverts done, 1 failed",
        ])
    }
}
