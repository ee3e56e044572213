import Foundation
import SluiceTestSupport
import Testing

/// A rollout that goes wrong on the simulator: a cluster-wide pod list reaches a 5,000-node cluster, a gate breaches,
/// the cluster is rolled back and the rollout halts. `nodes-present` passes throughout, far from its bound.
enum HarmfulScenario {
    static let rollout = "bad-agent-1.0"
    static let gates = ["mutating-latency", "throttled-requests", "availability", "dns-servfail", "nodes-present"]
    /// The gates the report charts: all but `nodes-present`, which it folds into its "passed throughout" table.
    static let chartedGates = ["mutating-latency", "throttled-requests", "availability", "dns-servfail"]

    static let fleet = """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata: {name: harmful}
        spec:
          clusters:
            - {name: staging-1, labels: {tier: staging}, nodes: 10, apiservers: 1}
            - {name: prod-small-1, labels: {tier: small}, nodes: 40, apiservers: 1}
            - {name: prod-large-1, labels: {tier: large}, nodes: 5000, apiservers: 3, podsPerNode: 30}
        """

    static let policy = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata: {name: report-check}
        spec:
          maxSampleAge: 2m
          gates:
            - {name: mutating-latency, signal: apiserver_mutating_latency_p99_seconds, aggregate: max, window: 2m, max: 1.0, action: rollbackCluster}
            - {name: throttled-requests, signal: apiserver_429_ratio, aggregate: max, window: 2m, max: 0.01, action: rollbackCluster}
            - {name: availability, signal: apiserver_availability, aggregate: min, window: 2m, min: 0.99, action: rollbackCluster}
            - {name: dns-servfail, signal: dns_servfail_ratio, aggregate: max, window: 2m, max: 0.01, action: rollbackCluster}
            - {name: nodes-present, signal: cluster_nodes, aggregate: min, window: 2m, min: 1, action: rollbackCluster}
        """

    static let plan = """
        apiVersion: sluice.dev/v1
        kind: RolloutPlan
        metadata: {name: bad-agent-1.0}
        spec:
          artifact: {name: telemetry-agent, version: "1.0.0", apiProfile: cluster-wide-pod-list}
          fleet: fleet.yaml
          policy: policy.yaml
          waves:
            - {name: canary, clusters: [staging-1], nodeBatches: [1, 50%, 100%], bakeBetweenBatches: 5m, bakeAfterCluster: 20m}
            - {name: small, clusters: [prod-small-1], nodeBatches: [10%, 100%], bakeBetweenBatches: 5m, bakeAfterCluster: 20m}
            - {name: large, clusters: [prod-large-1], nodeBatches: [1%, 5%, 25%, 100%], bakeBetweenBatches: 10m, bakeAfterCluster: 20m}
        """

    /// Writes the files and submits the plan; returns the fleet path for the daemon.
    static func submit(in workspace: ProcessWorkspace) async throws -> String {
        let fleetPath = try workspace.write("fleet.yaml", fleet)
        _ = try workspace.write("policy.yaml", policy)
        let planPath = try workspace.write("plan.yaml", plan)
        let submitted = try await workspace.sluice("submit", planPath)
        #expect(submitted.status == 0, "\(submitted.output)")
        return fleetPath
    }
}

@Suite("sluice watch piped and sluice report, against a daemon on a simulated fleet")
struct WatchReportTests {
    @Test("Piped, watch -o json prints one object per change and exits 12 once the halt's rollback is done")
    func pipedWatchExitsOnHalt() async throws {
        let workspace = try ProcessWorkspace()
        let fleet = try await HarmfulScenario.submit(in: workspace)
        let watch = try workspace.launch(
            "sluice", ["watch", HarmfulScenario.rollout, "-o", "json", "--exit-on-halt", "--poll-interval", "0.05"])
        let daemon = try workspace.startDaemon(["--simulate", fleet, "--virtual-step", "30", "--interval", "0.02"])
        defer { daemon.kill() }
        let exited = try await eventually { !watch.process.isRunning }
        #expect(exited, "watch did not exit: \(watch.output)")
        guard exited else { return watch.kill() }
        #expect(watch.terminationStatus == 12, "\(watch.output)")
        let lines = watch.output.split(separator: "\n")
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count >= 2)
        // The first frame saw no daemon yet (or one just starting); the last is the settled halt.
        let phases = objects.compactMap { ($0["rollout"] as? [String: Any])?["phase"] as? String }
        #expect(phases.count == objects.count)
        #expect(phases.last == "halted")
        let last = try #require(objects.last)
        let clusters = ((last["rollout"] as? [String: Any])?["waves"] as? [[String: Any]])?.flatMap {
            ($0["clusters"] as? [[String: Any]]) ?? []
        } ?? []
        #expect(clusters.first { $0["name"] as? String == "prod-large-1" }?["state"] as? String == "reverted")
        let gates = (last["gates"] as? [[String: Any]])?.compactMap { $0["gate"] as? String }
        #expect(gates == HarmfulScenario.gates)
        #expect((last["gates"] as? [[String: Any]])?.contains { $0["verdict"] as? String == "breach" } == true)
        // One object per change: no two consecutive lines are the same.
        #expect(zip(lines, lines.dropFirst()).allSatisfy { $0 != $1 })
    }

    @Test("The report of a halted rollout, rendered by headless Chromium, charts each gate that breached, folds the one that passed, marks people's requests")
    func reportInChromium() async throws {
        let workspace = try ProcessWorkspace()
        let fleet = try await HarmfulScenario.submit(in: workspace)
        let daemon = try workspace.startDaemon(["--simulate", fleet, "--virtual-step", "30", "--interval", "0.02"])
        defer { daemon.kill() }
        let settled = try await eventually {
            let get = try await workspace.sluice("get", HarmfulScenario.rollout, "-o", "json").output
            return get.contains("\"phase\" : \"halted\"") && !get.contains("\"state\" : \"reverting\"")
                && get.contains("\"state\" : \"reverted\"")
        }
        #expect(settled)
        daemon.kill()
        // People after the halt: a promote refused at once, a resume recorded for the (stopped) daemon.
        let promote = try await workspace.sluice("promote", HarmfulScenario.rollout, "--reason", "ship it")
        #expect(promote.status != 0, "\(promote.output)")
        let resume = try await workspace.sluice("resume", HarmfulScenario.rollout, "--reason", "fix deployed")
        #expect(resume.status == 0, "\(resume.output)")

        let htmlPath = workspace.root.appendingPathComponent("report.html").path
        let report = try await workspace.sluice("report", HarmfulScenario.rollout, "--html", htmlPath)
        #expect(report.status == 0, "\(report.output)")
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        for gate in HarmfulScenario.chartedGates {
            #expect(html.components(separatedBy: "<svg class=\"gate-chart\" data-gate=\"\(gate)\"").count == 2)
        }
        #expect(html.contains("<tr data-gate-summary=\"nodes-present\">"))
        #expect(!html.contains("data-gate=\"nodes-present\""))
        #expect(html.contains("class=\"point breach\""))
        #expect(html.contains("<rect class=\"revert\""))
        // The people's refusal and request: in the decisions table with their actor, and marked on the timeline.
        #expect(html.contains("<g class=\"decision person refused\">"))
        #expect(html.contains("<g class=\"decision person requested\">"))
        #expect(html.contains("<td>requested</td><td>resume: fix deployed</td>"))
        // Virtual time: tables in wall time with a virtual column, axes in T+.
        #expect(html.contains("<th>at (UTC)</th><th>virtual time</th>"))
        #expect(html.contains(">T+0s</text>"))
        #expect(html.contains("Times on the axes are the controller&#39;s virtual time"))

        let script = LocalScenario.repositoryRoot + "/Tests/scripts/check_report.py"
        let png = workspace.root.appendingPathComponent("report.png").path
        let check = try await runTool("/usr/bin/env", ["python3", script, htmlPath, png], in: workspace)
        if check.status == 77 || check.status == 127 {
            print("""
                ⚠️⚠️⚠️ SKIPPED the Chromium check of the HTML report: \
                \(check.status == 77 ? "chromium" : "python3") is not installed. \
                Install it (apt-get install chromium python3; .ci/run does) to check what the page looks like.
                """)
            return
        }
        #expect(check.status == 0, "\(check.output)")
        let jsonLine = try #require(check.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let stats = try #require(JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
        #expect(stats["svgGates"] as? [String] == HarmfulScenario.chartedGates)
        #expect(stats["foldedGates"] as? [String] == ["nodes-present"])
        // Seen on the PNG: one dashed threshold line per chart, one "passed throughout" badge per folded gate.
        #expect(stats["thresholdLines"] as? Int == HarmfulScenario.chartedGates.count, "\(stats)")
        #expect(stats["passedBadges"] as? Int == 1, "\(stats)")
        #expect(stats["width"] as? Int == 1400)
        #expect(stats["height"] as? Int == 3000)
        // Not a blank or broken page: many colours, a good share of ink, threshold lines and batch bars visible.
        #expect((stats["colours"] as? Int ?? 0) > 200, "\(stats)")
        #expect((stats["inkFraction"] as? Double ?? 0) > 0.03, "\(stats)")
        #expect((stats["redPixels"] as? Int ?? 0) > 500, "\(stats)")
        #expect((stats["bluePixels"] as? Int ?? 0) > 100, "\(stats)")
    }
}

/// Runs a program outside the build (python3 driving Chromium) to completion; output is stdout and stderr together.
func runTool(_ path: String, _ arguments: [String], in workspace: ProcessWorkspace) async throws -> (
    status: Int32, output: String
) {
    try await ChildProcess.run(path, arguments, environment: workspace.environment, directory: workspace.root)
}
