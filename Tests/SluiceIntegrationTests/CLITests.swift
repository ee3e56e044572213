import Foundation
import SluiceTestSupport
import Testing

@Suite("The sluice CLI as a user runs it")
struct CLITests {
    @Test("A bad plan is refused with file, line and field, exit 2, and nothing is recorded")
    func badPlanRefused() async throws {
        let workspace = try ProcessWorkspace()
        _ = try LocalScenario.install(in: workspace)
        let plan = try workspace.write("bad.yaml", LocalScenario.plan().replacingOccurrences(of: "[1, 100%]", with: "[1, 120%]"))
        let result = try await workspace.sluice("submit", plan)
        #expect(result.status == 2)
        #expect(result.output.contains("bad.yaml:10: spec.waves[1].nodeBatches[1]: 120% is over 100%"))
        #expect(!FileManager.default.fileExists(atPath: workspace.database), "a refused plan created the database")
    }

    @Test("Submit, list, get and events work without a daemon; requests wait for it")
    func readCommandsWithoutDaemon() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let duplicate = try await workspace.sluice("submit", files.plan)
        #expect(duplicate.status == 1)
        #expect(duplicate.output.contains("already exists"))

        let get = try await workspace.sluice("get", "agent-rollout", "-o", "json")
        #expect(get.status == 0)
        let view = try JSONSerialization.jsonObject(with: Data(get.output.utf8)) as? [String: Any]
        #expect(view?["phase"] as? String == "pending")
        let waves = view?["waves"] as? [[String: Any]]
        #expect(waves?.count == 2)

        #expect(try await workspace.sluice("pause", "agent-rollout", "--reason", "wait for the window").status == 0)
        let again = try await workspace.sluice("pause", "agent-rollout")
        #expect(again.status == 1)
        #expect(again.output.contains("already waiting"))
        let table = try await workspace.sluice("get", "agent-rollout").output
        #expect(table.contains("Pending:   pause"))

        let events = try await workspace.sluice("events", "agent-rollout", "-o", "yaml")
        #expect(events.status == 0)
        #expect(events.output.contains("verb: requested"))
    }

    @Test("Requests that make no sense exit 1 with the reason; unknown rollouts too")
    func refusedRequests() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let resume = try await workspace.sluice("resume", "agent-rollout")
        #expect(resume.status == 1)
        #expect(resume.output.contains("nothing to resume"))
        let unknown = try await workspace.sluice("abort", "no-such-rollout")
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("no rollout named 'no-such-rollout'"))
    }

    @Test("An unusable database exits 3 with the path")
    func unusableDatabase() async throws {
        let workspace = try ProcessWorkspace()
        let corrupt = try workspace.write("corrupt.db", String(repeating: "not a database ", count: 500))
        let result = try await workspace.sluice("list", "--db", corrupt)
        #expect(result.status == 3)
        #expect(result.output.contains("corrupt.db"))
    }

    @Test("pause, resume, abort and rollback against a running daemon")
    func steeringAgainstDaemon() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace, manualSecondWave: true)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let daemon = try workspace.startDaemon([
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.02",
            "--exit-when-idle",
        ])
        defer { daemon.kill() }
        func phase() async throws -> String {
            let output = try await workspace.sluice("get", "agent-rollout", "-o", "json").output
            let view = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            return view?["phase"] as? String ?? "?"
        }
        #expect(try await eventually { try await phase() == "awaitingApproval" })
        #expect(try await workspace.sluice("pause", "agent-rollout").status == 0)
        #expect(try await eventually { try await phase() == "paused" })
        #expect(try await workspace.sluice("resume", "agent-rollout").status == 0)
        #expect(try await eventually { try await phase() == "awaitingApproval" })
        #expect(try await workspace.sluice("rollback", "agent-rollout", "--reason", "changed our minds").status == 0)
        #expect(await daemon.waitUntilExit(), "\(daemon.output)")
        #expect(try await phase() == "rolledBack")
        let changes = try String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(changes.suffix(4) == ["revert alpha a2", "revert alpha a3", "revert alpha a1", "revert alpha a0"])
        let promote = try await workspace.sluice("promote", "agent-rollout")
        #expect(promote.status == 1)
    }
}

@Suite("sluice record")
struct RecordTests {
    @Test("An unguarded recording of the incident shows the largest cluster's control plane lost")
    func unguardedRecording() async throws {
        let workspace = try ProcessWorkspace()
        let plan = LocalScenario.repositoryRoot + "/Examples/recordings/plan-incident-unguarded.yaml"
        let out = workspace.root.appendingPathComponent("incident.csv").path
        let result = try await workspace.sluice(
            "record", plan, "--unguarded", "--out", out, "--duration", "20m", "--every", "60s",
            "--signals", "apiserver_availability")
        #expect(result.status == 0, "\(result.output)")
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",") }
        let xlarge = rows.filter { $0[1] == "xlarge-1" }.compactMap { Double($0[3]) }
        let staging = rows.filter { $0[1] == "staging-1" }.compactMap { Double($0[3]) }
        #expect(xlarge.count == 21 && staging.count == 21)
        #expect(xlarge.min()! < 0.5)
        #expect(staging.min()! > 0.99)
    }

    @Test("Read and steering commands on a path with no database exit 3 and create nothing")
    func missingDatabase() async throws {
        let workspace = try ProcessWorkspace()
        for command in [["list"], ["get", "r"], ["events", "r"], ["explain", "r"], ["pause", "r"], ["watch", "r"]] {
            let result = try await ChildProcess.run(
                ProcessWorkspace.binaries.appendingPathComponent("sluice").path, command, environment: workspace.environment,
                directory: workspace.root)
            #expect(result.status == 3, "\(command): \(result.output)")
            #expect(result.output.contains("there is no database at \(workspace.database)"), "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.database))
        let files = try LocalScenario.install(in: workspace)
        let submit = try await workspace.sluice("submit", files.plan)
        #expect(submit.status == 0)
        #expect(submit.output.contains("created the database \(workspace.database)"))
    }

    @Test("A database written by a newer Sluice is refused by sluice and sluiced, exit 3, naming both schemas")
    func newerSchemaRefused() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let newer = "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')"
        #expect(try await ChildProcess.run("/usr/bin/sqlite3", [workspace.database, newer]).status == 0)
        let list = try await workspace.sluice("list")
        #expect(list.status == 3)
        #expect(list.output.contains("its schema (v99-from-the-future) is newer than this binary's"))
        let daemon = try workspace.startDaemon(["--driver-config", files.driver, "--signals", files.signals])
        #expect(await daemon.waitUntilExit(), "\(daemon.output)")
        #expect(daemon.terminationStatus == 3)
        #expect(daemon.output.contains("is newer than this binary's"))
    }

    /// Every `sluice` command pays for what the binary loads before `main`: libcurl and its thirty libraries (pulled in
    /// by FoundationNetworking) were a third of that; HTTP in the CLI goes through AsyncHTTPClient instead.
    @Test("The CLI loads neither FoundationNetworking nor libcurl")
    func cliLoadsNoCurl() async throws {
        let libraries = try await ChildProcess.run("/usr/bin/ldd", [ProcessWorkspace.binaries.appendingPathComponent("sluice").path])
        #expect(libraries.status == 0)
        #expect(libraries.output.contains("libswiftCore"), "\(libraries.output)")
        #expect(!libraries.output.contains("libcurl"), "\(libraries.output)")
        #expect(!libraries.output.contains("FoundationNetworking"), "\(libraries.output)")
    }

    @Test("Usage errors exit 2, as documented, from sluice and sluiced", arguments: [
        ["sluice", "get"], ["sluice", "list", "--no-such-flag"], ["sluice", "watch", "r", "--exit-on-halt=maybe"],
        ["sluiced", "--interval", "-1"], ["sluiced", "--signals", "s.csv"], ["sluiced", "--driver-config", "d.yaml"],
        ["sluiced", "--driver-config", "d.yaml", "--signals", "s.csv", "--interval", "20"],
    ])
    func usageErrors(arguments: [String]) async throws {
        let workspace = try ProcessWorkspace()
        let result = try await ChildProcess.run(
            ProcessWorkspace.binaries.appendingPathComponent(arguments[0]).path, Array(arguments.dropFirst()),
            environment: workspace.environment, directory: workspace.root)
        #expect(result.status == 2, "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: workspace.database))
    }

    @Test("sluiced refuses to start without a signal source or a driver, saying which flags give one")
    func daemonNeedsSourceAndDriver() async throws {
        let workspace = try ProcessWorkspace()
        let noSignals = try await ChildProcess.run(
            ProcessWorkspace.binaries.appendingPathComponent("sluiced").path, ["--driver-config", "d.yaml"],
            environment: workspace.environment, directory: workspace.root)
        #expect(noSignals.output.contains("no signal source: start sluiced with --signals FILE, --prometheus FILE or --simulate FLEET"))
        let noDriver = try await ChildProcess.run(
            ProcessWorkspace.binaries.appendingPathComponent("sluiced").path, ["--signals", "s.csv"],
            environment: workspace.environment, directory: workspace.root)
        #expect(noDriver.output.contains("no driver: start sluiced with --driver-config FILE"))
    }
}
