import Foundation
import SluiceTestSupport
import Testing

/// A plan with `apfBrake`, as a user runs it: validate, submit, a real sluiced with the local exec driver.
@Suite("The APF brake through sluice and sluiced")
struct APFBrakeProcessTests {
    /// The scenario's plan with a brake for the agent's service account.
    static func plan() -> String {
        LocalScenario.plan().replacingOccurrences(
            of: "  waves:\n", with: "  apfBrake: {serviceAccount: observability/agent-sa, maxSeatShare: 10%}\n  waves:\n")
    }

    /// The local driver with brake and release steps that log what they would create or delete.
    static func driver() throws -> String {
        let local = try String(contentsOfFile: LocalScenario.repositoryRoot + "/Examples/local/driver.yaml", encoding: .utf8)
        let log = #"echo "$0 $*" >> "${SLUICE_FAKE_FLEET:?}/changes.log""#
        return local + """
              brake:
                command: [sh, -c, '\(log)', brake, "{cluster}", "{namespace}/{serviceAccount}", "{shares}"]
              release:
                command: [sh, -c, '\(log)', release, "{cluster}", "{artifact}"]

            """
    }

    func changes(_ workspace: ProcessWorkspace) -> [String] {
        ((try? String(contentsOfFile: workspace.fleetDirectory + "/changes.log", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    @Test("validate explains the brake; each cluster is braked before its first node, released after the rollout")
    func brakedRollout() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        let plan = try workspace.write("plan.yaml", Self.plan())
        let driver = try workspace.write("driver.yaml", try Self.driver())
        let validate = try await workspace.sluice("plan", "validate", plan)
        #expect(validate.status == 0)
        #expect(validate.output.contains("APF brake: before each cluster's first batch"))
        #expect(validate.output.contains("service account observability/agent-sa: 27 nominal shares, at most 9.9%"))
        #expect(try await workspace.sluice("submit", plan).status == 0)
        let daemon = try workspace.startDaemon([
            "--driver-config", driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.02",
            "--exit-when-idle",
        ])
        defer { daemon.kill() }
        #expect(await daemon.waitUntilExit(), "\(daemon.output)")
        let changes = changes(workspace)
        #expect(changes.dropLast(2) == [
            "brake alpha observability/agent-sa 27",
            "apply alpha a0 2.0.0", "apply alpha a1 2.0.0", "apply alpha a2 2.0.0", "apply alpha a3 2.0.0",
            "brake beta observability/agent-sa 27",
            "apply beta b0 2.0.0", "apply beta b1 2.0.0", "apply beta b2 2.0.0",
        ])
        // Both releases are intended in the same pass and carried out side by side: in either order.
        #expect(Set(changes.suffix(2)) == ["release alpha agent", "release beta agent"])
        let get = try await workspace.sluice("get", "agent-rollout", "-o", "json").output
        let view = try #require(try JSONSerialization.jsonObject(with: Data(get.utf8)) as? [String: Any])
        #expect((view["apfBrake"] as? String)?.hasPrefix("FlowSchema and PriorityLevelConfiguration") == true)
        let waves = view["waves"] as? [[String: Any]] ?? []
        let clusters = waves.flatMap { $0["clusters"] as? [[String: Any]] ?? [] }
        #expect(clusters.map { "\($0["name"] ?? "") \($0["state"] ?? "") \($0["apfBrake"] ?? "")" } == [
            "alpha done removed", "beta done removed",
        ])
    }

    @Test("A driver without brake steps halts the rollout before any node, saying what to add")
    func driverWithoutBrake() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        let plan = try workspace.write("plan.yaml", Self.plan())
        #expect(try await workspace.sluice("submit", plan).status == 0)
        let daemon = try workspace.startDaemon([
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.02",
        ])
        defer { daemon.kill() }
        func view() async throws -> [String: Any] {
            let output = try await workspace.sluice("get", "agent-rollout", "-o", "json").output
            return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        }
        #expect(try await eventually { try await view()["phase"] as? String == "halted" }, "\(daemon.output)")
        let message = try await view()["message"] as? String ?? ""
        #expect(message.hasPrefix("APF brake on alpha failed 3 times"))
        #expect(message.contains("add spec.brake and spec.release"))
        #expect(changes(workspace).isEmpty)
    }
}
