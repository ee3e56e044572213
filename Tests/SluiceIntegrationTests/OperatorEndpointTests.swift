import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SluiceTestSupport
import Testing

/// `sluiced --listen`: health answers, and `/metrics` as a real Prometheus scrapes it.
@Suite("sluiced's /metrics, /healthz and /readyz")
struct OperatorEndpointTests {
    static let prometheus = "/usr/bin/prometheus"

    /// The status and body of a GET, or nil when nothing answered.
    static func get(_ url: String) async -> (status: Int, body: String)? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let status = (response as? HTTPURLResponse)?.statusCode
        else { return nil }
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// The value of an instant PromQL query with one result, or nil.
    static func query(_ base: String, _ promQL: String) async -> Double? {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promQL)]
        guard let answer = await get(components.url!.absoluteString), answer.status == 200,
            let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]], result.count == 1,
            let value = result[0]["value"] as? [Any], let text = value.last as? String
        else { return nil }
        return Double(text)
    }

    @Test(
        "Healthy and ready while driving a rollout; Prometheus scrapes its passes, actions, gate verdicts and lease",
        .enabled(if: FileManager.default.isExecutableFile(atPath: prometheus)))
    func scrapedByPrometheus() async throws {
        let workspace = try ProcessWorkspace()
        let files = try LocalScenario.install(in: workspace)
        #expect(try await workspace.sluice("submit", files.plan).status == 0)
        let port = try freeLoopbackPort()
        let daemon = try workspace.startDaemon([
            "--driver-config", files.driver, "--signals", files.signals, "--virtual-step", "60", "--interval", "0.05",
            "--listen", "127.0.0.1:\(port)",
        ])
        defer { daemon.kill() }
        let endpoint = "http://127.0.0.1:\(port)"
        #expect(try await eventually { await Self.get(endpoint + "/healthz")?.status == 200 }, "\(daemon.output)")
        let ready = await Self.get(endpoint + "/readyz")
        #expect(ready?.status == 200 && ready?.body == "ready\n")
        #expect(await Self.get(endpoint + "/nothing")?.status == 404)

        let prometheusPort = try freeLoopbackPort()
        let config = try workspace.write(
            "prometheus.yml",
            """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: sluiced
                static_configs: [{targets: ['127.0.0.1:\(port)']}]
            """)
        let server = try ChildProcess.launch(
            URL(fileURLWithPath: Self.prometheus),
            [
                "--config.file", config, "--storage.tsdb.path", workspace.root.appendingPathComponent("tsdb").path,
                "--web.listen-address", "127.0.0.1:\(prometheusPort)",
            ], logDirectory: workspace.root)
        defer { server.kill() }
        let base = "http://127.0.0.1:\(prometheusPort)"

        // The rollout's five batches applied, as Prometheus scraped them.
        let applied = #"sluice_actions_total{job="sluiced",kind="apply",result="done"}"#
        #expect(try await eventually { await Self.query(base, applied) == 5 }, "\(server.output.suffix(2000))")
        #expect(await Self.query(base, #"sluice_lease_held{job="sluiced"}"#) == 1)
        #expect(await Self.query(base, #"sluice_rollouts_active{job="sluiced"}"#) == 0)
        let completed = #"sluice_rollouts{job="sluiced",phase="completed"}"#
        #expect(try await eventually { await Self.query(base, completed) == 1 })
        #expect(await Self.query(base, #"sluice_rollouts{job="sluiced",phase="halted"}"#) == 0)
        let passes = await Self.query(base, #"sluice_passes_total{job="sluiced",outcome="reconciled"}"#)
        #expect((passes ?? 0) >= 5)
        let evaluated = await Self.query(base, #"sum(sluice_gate_evaluations_total{job="sluiced",verdict="pass"})"#)
        #expect((evaluated ?? 0) > 0)
        #expect(await Self.query(base, #"sluice_pass_duration_seconds_count{job="sluiced"}"#) ?? 0 >= passes ?? 1)
        // Every signal the policy reads was read from the recording: fresh, with an age on the controller's clock.
        let fresh = await Self.query(base, #"sum(sluice_signal_reads_total{job="sluiced",result="fresh"})"#)
        #expect((fresh ?? 0) > 0)
        let ages = await Self.query(base, #"count(sluice_signal_age_seconds{job="sluiced"} >= 0)"#)
        #expect((ages ?? 0) >= 1)
    }
}
