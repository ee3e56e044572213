import Foundation
import SluiceTestSupport
import Testing

/// `sluiced --notifier` as a user runs it: a real daemon posting to a webhook on loopback.
@Suite("sluiced's notifications, end to end")
struct NotifierProcessTests {
    @Test("A rollout driven by a real sluiced: the approval wait and the completion arrive as JSON, once each")
    func daemonPostsItsEvents() async throws {
        let workspace = try ProcessWorkspace()
        let server = try await WebhookStandIn.start(in: workspace.root)
        defer { server.child.kill() }
        let notifier = try workspace.write(
            "notifier.yaml",
            """
            apiVersion: sluice.dev/v1
            kind: Notifier
            metadata: {name: oncall}
            spec:
              webhooks:
                - {url: "\(server.base)/hook", format: json, on: [awaitingApproval, completed], attempts: 3}
            """)
        let files = try LocalScenario.install(in: workspace, manualSecondWave: true)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let daemon = try workspace.startDaemon([
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.05",
            "--notifier", notifier,
        ])
        defer { daemon.kill() }

        #expect(try await eventually { server.objects("/hook").count == 1 }, "\(daemon.output)")
        #expect(try await workspace.sluice("promote", "agent-rollout", "--reason", "first wave fine").status == 0)
        #expect(try await eventually { server.objects("/hook").count == 2 }, "\(daemon.output)")

        let posted = server.objects("/hook")
        #expect(posted.map { $0["event"] as? String } == ["awaitingApproval", "completed"])
        #expect(posted.allSatisfy { $0["kind"] as? String == "RolloutNotification" })
        #expect(posted.allSatisfy { $0["rollout"] as? String == "agent-rollout" })
        let ids = posted.compactMap { $0["id"] as? Int }
        #expect(ids.count == 2 && ids[0] < ids[1])
        #expect(posted.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
    }
}
