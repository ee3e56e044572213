import Foundation
import SluiceTestSupport
import SluiceBreakGlass
import SluiceCore
import SluiceStore
import Testing

@Suite("sluice break-glass as a process, with the per-node command channel")
struct BreakGlassProcessTests {
    @Test("SIGKILL sluiced, break glass: every node reverted, a restarted sluiced applies nothing more; twice is safe")
    func killedDaemonThenBreakGlass() async throws {
        let workspace = try ProcessWorkspace()
        let files = try workspace.install()
        try await workspace.rolloutToFirstWaveThenKill(files: files)
        #expect(workspace.nodesRunning("alpha") == ["a0", "a1", "a2", "a3"])

        let result = try await workspace.breakGlass(["agent-rollout", "--reason", "apiserver saturated"])
        #expect(result.status == 0, "\(result.output)")
        #expect(workspace.nodesRunning("alpha").isEmpty)
        #expect(workspace.changes.filter { $0.hasPrefix("break-glass alpha") }.count == 4)

        let store = try SluiceStore(path: workspace.database)
        let fence = try #require(try store.breakGlassFence(rollout: "agent-rollout"))
        #expect(fence.reason == "apiserver saturated")
        let results = try store.breakGlassResults(rollout: "agent-rollout")
        #expect(results.map(\.node) == ["a0", "a1", "a2", "a3"])
        #expect(results.allSatisfy { $0.state == "reverted" && $0.channel == "exec" })
        #expect(try store.events(rollout: "agent-rollout").contains { $0.event.verb == "break-glass" })
        try await expectViewsTellTheTruth(workspace)

        // A request on the fenced rollout is refused by the CLI, and the refusal is on the record.
        let promote = try await workspace.sluice(["promote", "agent-rollout", "--reason", "try to go on"])
        #expect(promote.status == 1)
        #expect(promote.output.contains("cannot promote agent-rollout: break-glass since"))
        let refused = try #require(try store.events(rollout: "agent-rollout").last)
        #expect(refused.event.verb == "refused")
        #expect(refused.event.message.hasPrefix("promote by \(refused.event.actor) refused: break-glass since"))
        #expect(refused.event.message.hasSuffix("(reason given: try to go on)"))
        #expect(try store.requests(rollout: "agent-rollout").isEmpty)

        // A restarted daemon: the fence holds; it marks the rollout halted and, idle, exits.
        let changesBefore = workspace.changes
        let daemon = try workspace.launch("sluiced", workspace.daemonArguments(files, idle: true))
        defer { daemon.kill() }
        #expect(try await eventually { !daemon.process.isRunning }, "\(daemon.output)")
        #expect(workspace.changes == changesBefore)
        #expect(workspace.nodesRunning("beta").isEmpty)
        let status = try #require(try store.rollout(named: "agent-rollout")?.status)
        #expect(status.phase == .halted)
        #expect(status.message.hasPrefix("break-glass since"))

        // Again: reported, not repeated.
        let again = try await workspace.breakGlass(["agent-rollout", "--reason", "again"])
        #expect(again.status == 0)
        #expect(again.output.contains("already broken-glass"))
        #expect(try store.verifyEventChain().isIntact)
    }

    @Test("Break glass while a live sluiced is mid-batch: the apply under way is reverted too, and nothing follows")
    func liveDaemonMidBatch() async throws {
        let workspace = try ProcessWorkspace()
        var files = try workspace.install()
        // An apply held until the test lets it go (the file `go`), so that break-glass lands while it is under way
        // however slowly the machine runs; it writes its change only after break-glass fenced the rollout.
        let go = workspace.fleetDirectory + "/go"
        let driver = try String(contentsOfFile: files.driver, encoding: .utf8).replacingOccurrences(
            of: "'d=\"${SLUICE_FAKE_FLEET",
            with: "'while [ ! -e \"$SLUICE_FAKE_FLEET/go\" ]; do sleep 0.05; done; d=\"${SLUICE_FAKE_FLEET")
        files.driver = try workspace.write("slow-driver.yaml", driver)
        #expect(try await workspace.sluice(["submit", files.plan]).status == 0)
        let daemon = try workspace.launch("sluiced", workspace.daemonArguments(files, idle: true))
        defer { daemon.kill() }
        let store = try SluiceStore(path: workspace.database)
        #expect(try await eventually { try !store.intendedActions(rollout: "agent-rollout").isEmpty }, "\(daemon.output)")

        let breaking = Task { try await workspace.breakGlass(["agent-rollout", "--reason", "mid-batch"]) }
        #expect(try await eventually { try store.breakGlassFence(rollout: "agent-rollout") != nil })
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        let result = try await breaking.value
        #expect(result.status == 0, "\(result.output)")
        #expect(try await eventually { !daemon.process.isRunning }, "\(daemon.output)")
        #expect(workspace.nodesRunning("alpha").isEmpty, "\(workspace.changes)")
        #expect(workspace.nodesRunning("beta").isEmpty)
        // Every node's last change is a revert.
        var last: [String: String] = [:]
        for change in workspace.changes {
            let words = change.split(separator: " ")
            last["\(words[1])/\(words[2])"] = String(words[0])
        }
        #expect(last.values.allSatisfy { $0 == "break-glass" }, "\(workspace.changes)")
        #expect(try store.intendedActions(rollout: "agent-rollout").isEmpty)
        #expect(try store.rollout(named: "agent-rollout")?.status.phase == .halted)
    }

    @Test("--cluster reverts one cluster's nodes only, and fences the whole rollout")
    func oneCluster() async throws {
        let workspace = try ProcessWorkspace()
        let files = try workspace.install()
        try await workspace.rolloutToFirstWaveThenKill(files: files)
        let wrong = try await workspace.breakGlass(["agent-rollout", "--reason", "x", "--cluster", "gamma"])
        #expect(wrong.status == 1)
        let result = try await workspace.breakGlass(["agent-rollout", "--reason", "beta only", "--cluster", "beta"])
        #expect(result.status == 0, "\(result.output)")
        // beta had nothing applied: nothing to revert, alpha untouched; the rollout is fenced all the same.
        #expect(workspace.nodesRunning("alpha").count == 4)
        let store = try SluiceStore(path: workspace.database)
        #expect(try store.breakGlassFence(rollout: "agent-rollout") != nil)
        #expect(try store.breakGlassResults(rollout: "agent-rollout").isEmpty)
        let alpha = try await workspace.breakGlass(["agent-rollout", "--reason", "alpha now", "--cluster", "alpha"])
        #expect(alpha.status == 0, "\(alpha.output)")
        #expect(workspace.nodesRunning("alpha").isEmpty)
        #expect(try store.breakGlassFence(rollout: "agent-rollout")?.fence == 2)
    }

    @Test("Refusals: no credential, a key file others can read, an empty reason, an unknown rollout")
    func refusals() async throws {
        let workspace = try ProcessWorkspace()
        let files = try workspace.install()
        #expect(try await workspace.sluice(["submit", files.plan]).status == 0)

        let noCredential = try await workspace.breakGlass(["agent-rollout", "--reason", "x"], token: nil)
        #expect(noCredential.status == 1)
        #expect(noCredential.output.contains("no break-glass credential"))

        let wrongToken = try await workspace.breakGlass(["agent-rollout", "--reason", "x"], token: "guess")
        #expect(wrongToken.status == 1)

        let key = try workspace.write("key", ProcessWorkspace.key)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let exposed = try await workspace.breakGlass(["agent-rollout", "--reason", "x", "--key-file", key], token: nil)
        #expect(exposed.status == 1)
        #expect(exposed.output.contains("can be read by group or others"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let withKey = try await workspace.breakGlass(
            ["agent-rollout", "--reason", "key works", "--key-file", key], token: nil)
        #expect(withKey.status == 0, "\(withKey.output)")

        let noReason = try await workspace.breakGlass(["agent-rollout", "--reason", "  "])
        #expect(noReason.status == 2)
        #expect(noReason.output.contains("--reason"))

        let unknown = try await workspace.breakGlass(["no-such-rollout", "--reason", "x"])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("no-such-rollout"))

        // Nothing was fenced by the refused runs: only the one with the key is recorded.
        let store = try SluiceStore(path: workspace.database)
        #expect(try store.events(rollout: "agent-rollout").filter { $0.event.verb == "break-glass" }.count == 1)
        #expect(try store.breakGlassFence(rollout: "no-such-rollout") == nil)

        // Each refused attempt (no credential, a wrong token, an exposed key file, no reason) left a `refused` event
        // by the OS user saying why, never the token; the unknown rollout is not a refusal and left none.
        let refused = try store.events(rollout: "agent-rollout").map(\.event).filter { $0.verb == "refused" }
        #expect(refused.count == 4, "\(refused)")
        #expect(refused.allSatisfy { $0.actor == ProcessInfo.processInfo.userName })
        #expect(refused.contains { $0.message.contains("SLUICE_BREAK_GLASS_TOKEN does not match") })
        #expect(refused.contains { $0.message.contains("can be read by group or others") })
        #expect(refused.contains { $0.message.hasSuffix("refused: no --reason given") })
        #expect(!refused.contains { $0.message.contains("guess") || $0.message.contains(ProcessWorkspace.token) })
        #expect(try store.events(rollout: "no-such-rollout").isEmpty)
        #expect(try store.verifyEventChain().isIntact)
    }

    /// With the daemon dead (so its status still says alpha is done and beta next), every view says what break-glass
    /// left on the nodes: halted, fenced by whom and why, alpha's four nodes reverted, no node with the change.
    func expectViewsTellTheTruth(_ workspace: ProcessWorkspace) async throws {
        let get = try await workspace.sluice(["get", "agent-rollout", "-o", "json"])
        let view = try #require(try JSONSerialization.jsonObject(with: Data(get.output.utf8)) as? [String: Any])
        #expect(view["phase"] as? String == "halted")
        #expect((view["message"] as? String)?.hasPrefix("break-glass since") == true)
        let glass = try #require(view["breakGlass"] as? [String: Any])
        #expect(glass["reason"] as? String == "apiserver saturated")
        #expect(glass["nodesReverted"] as? Int == 4)
        #expect(glass["nodesFailed"] as? Int == 0)
        let clusters = (view["waves"] as? [[String: Any]] ?? []).flatMap { $0["clusters"] as? [[String: Any]] ?? [] }
        let alpha = try #require(clusters.first { $0["name"] as? String == "alpha" })
        #expect(alpha["state"] as? String == "revertedByBreakGlass")
        #expect(alpha["nodesCarrying"] as? Int == 0)
        #expect(alpha["nodesRevertedByBreakGlass"] as? Int == 4)
        #expect(try await workspace.sluice(["get", "agent-rollout"]).output.contains("4 nodes reverted node-direct"))

        let explain = try await workspace.sluice(["explain", "agent-rollout", "-o", "json"])
        let explanation = try #require(try JSONSerialization.jsonObject(with: Data(explain.output.utf8)) as? [String: Any])
        #expect(explanation["phase"] as? String == "halted")
        #expect((explanation["breakGlass"] as? [String: Any])?["nodesReverted"] as? Int == 4)

        let watch = try await workspace.sluice(["watch", "agent-rollout", "-o", "json", "--exit-on-halt"])
        #expect(watch.status == 12, "\(watch.output)")
        let frame = try #require(
            try JSONSerialization.jsonObject(with: Data(watch.output.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(frame["nodesDone"] as? Int == 0)
        #expect((frame["banners"] as? [[String: Any]])?.first?["kind"] as? String == "fenced")

        let html = workspace.root.appendingPathComponent("report.html").path
        #expect(try await workspace.sluice(["report", "agent-rollout", "--html", html]).status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("0 of 7 nodes carry the change"))
        #expect(page.contains("<h2>Break-glass</h2>"))
        #expect(page.contains("apiserver saturated"))
        #expect(!page.contains("No decision recorded"))
    }
}
