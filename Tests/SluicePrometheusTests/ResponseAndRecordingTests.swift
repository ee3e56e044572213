import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceManifests
import SluicePrometheus
import SluiceSignals
import Testing

@Suite("Prometheus responses and OpenMetrics recordings")
struct ResponseAndRecordingTests {
    @Test("Matrix, vector and scalar results parse, with string values including NaN and infinities")
    func parsesShapes() throws {
        let matrix = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"cluster":"a"},"values":[[60,"0.5"],[30,"+Inf"],[90,"-Inf"]]}]}}"#
        let samples = try PrometheusResponse.parse(Data(matrix.utf8), status: 200)
        #expect(samples.map(\.at) == [30, 60, 90])
        #expect(samples.map(\.value) == [.infinity, 0.5, -.infinity])
        let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"NaN"]}]}}"#
        #expect(try PrometheusResponse.parse(Data(vector.utf8), status: 200).first?.value.isNaN == true)
        let scalar = #"{"status":"success","data":{"resultType":"scalar","result":[10,"2"]}}"#
        #expect(try PrometheusResponse.parse(Data(scalar.utf8), status: 200) == [SignalSample(at: 10, value: 2)])
        let empty = #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
        #expect(try PrometheusResponse.parse(Data(empty.utf8), status: 200).isEmpty)
    }

    @Test("Errors, non-JSON bodies and several series are errors with the reason")
    func errors() {
        let bad = #"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#
        #expect(throws: PrometheusError.self) { try PrometheusResponse.parse(Data(bad.utf8), status: 400) }
        do {
            _ = try PrometheusResponse.parse(Data(bad.utf8), status: 400)
        } catch {
            #expect(error.reason.contains("HTTP 400 bad_data: parse error"))
            #expect(!error.retryable)
        }
        do {
            _ = try PrometheusResponse.parse(Data("<html>gateway</html>".utf8), status: 503)
        } catch {
            #expect(error.reason.contains("HTTP 503"))
            #expect(error.retryable)
        }
        do {
            _ = try PrometheusResponse.parse(Data("not json".utf8), status: 200)
        } catch {
            #expect(error.reason.contains("not Prometheus JSON"))
        }
        let two = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{},"value":[1,"2"]}]}}"#
        #expect(throws: PrometheusError.self) { try PrometheusResponse.parse(Data(two.utf8), status: 200) }
    }

    @Test("Queries substitute the cluster, signal and artifact; signals with no query are no data")
    func queries() async {
        let source = PrometheusSignalSource(config: PrometheusSourceConfig(baseURL: "http://127.0.0.1:1"))
        #expect(source.query(cluster: "c1", signal: "apiserver_429_ratio")?.contains(#"{cluster="c1",code="429"}"#) == true)
        #expect(
            source.query(cluster: "c1", signal: "agent_nodes", artifact: "telemetry-agent")
                == #"sum(kube_daemonset_status_current_number_scheduled{cluster="c1",daemonset="telemetry-agent"})"#)
        #expect(source.query(cluster: "c1", signal: "my_own_signal") == nil)
        let noQuery = await #expect(throws: PrometheusError.self) {
            try await source.samples(cluster: "c1", signal: "my_own_signal", from: 0, through: 60)
        }
        #expect(noQuery?.reason.contains("no query for signal 'my_own_signal'") == true)
        // Outside a rollout there is no artifact for the agent's queries: no data, said so, nothing sent.
        let noArtifact = await #expect(throws: PrometheusError.self) {
            try await source.samples(cluster: "c1", signal: "agent_nodes", from: 0, through: 60)
        }
        #expect(noArtifact?.reason.contains("names {artifact}") == true)
        let recorded = PrometheusSignalSource(config: PrometheusSourceConfig(
            baseURL: "http://x", queries: [:], fallbackQuery: PrometheusSourceConfig.recordedSeriesQuery))
        #expect(recorded.query(cluster: "c1", signal: "dns_servfail_ratio") == #"dns_servfail_ratio{cluster="c1"}"#)
    }

    @Test("The shipped queries file matches the built-in defaults")
    func shippedQueries() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = try PrometheusSourceManifest.load(root.appendingPathComponent("Examples/prometheus/queries.yaml").path)
        #expect(config.queries == PrometheusSourceConfig.defaultQueries)
        #expect(config.baseURL == "http://prometheus.monitoring.svc:9090")
    }

    @Test("Every signal with a default query is one the policies know")
    func defaultQueriesNameKnownSignals() {
        #expect(Set(PrometheusSourceConfig.defaultQueries.keys).isSubset(of: Set(KnownSignals.names)))
    }

    @Test("A full PrometheusSource file: per-cluster URLs, auth, timeouts, overrides without the defaults")
    func manifestFull() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            apiVersion: sluice.dev/v1
            kind: PrometheusSource
            metadata: {name: p}
            spec:
              clusterURLs: {a: "http://a:9090", b: "https://b:9090/prom"}
              basicAuth: {user: sluice, passwordFile: /etc/pw}
              caFile: /etc/ca.pem
              queryTimeout: 3s
              retries: 0
              step: 1m
              offsetSeconds: 1700000000
              defaultQueries: false
              queries: {apiserver_429_ratio: 'sluice:apiserver_429_ratio{cluster="{cluster}"}'}
              fallbackQuery: 'sluice:{signal}{cluster="{cluster}"}'
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try PrometheusSourceManifest.load(path)
        #expect(config.baseURL == nil)
        #expect(config.clusterURLs == ["a": "http://a:9090", "b": "https://b:9090/prom"])
        #expect(config.basicAuthUser == "sluice" && config.basicAuthPasswordFile == "/etc/pw")
        #expect(config.caFile == "/etc/ca.pem")
        #expect(config.queryTimeoutSeconds == 3 && config.retries == 0 && config.stepSeconds == 60)
        #expect(config.offsetSeconds == 1_700_000_000)
        #expect(config.queries.keys.sorted() == ["apiserver_429_ratio"])
        let source = PrometheusSignalSource(config: config)
        #expect(source.query(cluster: "b", signal: "dns_servfail_ratio") == #"sluice:dns_servfail_ratio{cluster="b"}"#)
    }

    @Test("A PrometheusSource file with problems names the file, line and field")
    func manifestErrors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            apiVersion: sluice.dev/v1
            kind: PrometheusSource
            metadata: {name: p}
            spec:
              url: prometheus:9090
              queryTimeout: 10
              queries:
                apiserver_429_ratio: 'x{cluster="{clustr}"}'
            """.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try PrometheusSourceManifest.load(path)
            Issue.record("expected problems")
        } catch {
            let text = "\(error)"
            #expect(text.contains("spec.url"))
            #expect(text.contains("spec.queryTimeout"))
            #expect(text.contains("{clustr}"))
            #expect(text.contains(":5:"))
        }
    }

    @Test("OpenMetrics output: one gauge family per signal, seconds, sorted, ending in # EOF")
    func openMetrics() {
        let samples = [
            RecordedSample(timestamp: 30, cluster: "b", signal: "apiserver_429_ratio", value: 0.5),
            RecordedSample(timestamp: 0, cluster: "b", signal: "apiserver_429_ratio", value: .nan),
            RecordedSample(timestamp: 0, cluster: "a", signal: "dns_servfail_ratio", value: 1e-7),
        ]
        let text = OpenMetricsRecording.render(samples, offsetSeconds: 1000)
        #expect(text == """
            # TYPE apiserver_429_ratio gauge
            # HELP apiserver_429_ratio Sluice signal apiserver_429_ratio as recorded.
            apiserver_429_ratio{cluster="b"} NaN 1000
            apiserver_429_ratio{cluster="b"} 0.5 1030
            # TYPE dns_servfail_ratio gauge
            # HELP dns_servfail_ratio Sluice signal dns_servfail_ratio as recorded.
            dns_servfail_ratio{cluster="a"} 1e-07 1000
            # EOF

            """)
    }
}

@Suite("sluiced's adapter flags: each role filled by exactly one")
struct SluicedAdapterFlagTests {
    @Test("A driver and one signal source start; a missing or doubled role is refused, naming the flags", arguments: [
        (["--prometheus", "p.yaml", "--driver-config", "d.yaml"], nil),
        (["--signals", "s.csv", "--driver-config", "d.yaml"], nil),
        (["--simulate", "f.yaml"], nil),
        (["--driver-config", "d.yaml"],
         "no signal source: start sluiced with --signals FILE, --prometheus FILE or --simulate FLEET"),
        (["--signals", "s.csv"], "no driver: start sluiced with --driver-config FILE or --simulate FLEET"),
        (["--prometheus", "p.yaml", "--signals", "s.csv", "--driver-config", "d.yaml"],
         "--signals and --prometheus each bring a signal source; keep one of them"),
        (["--prometheus", "p.yaml", "--simulate", "f.yaml"],
         "--prometheus and --simulate each bring a signal source; keep one of them"),
        (["--simulate", "f.yaml", "--driver-config", "d.yaml"],
         "--driver-config and --simulate each bring a driver; keep one of them"),
    ] as [([String], String?)])
    func roles(arguments: [String], refusal: String?) {
        do {
            _ = try SluicedCommand.parseAsRoot(arguments)
            #expect(refusal == nil, "started with \(arguments)")
        } catch {
            let message = SluicedCommand.message(for: error)
            #expect(refusal.map { message.hasPrefix($0) } == true, "\(message)")
        }
    }
}
