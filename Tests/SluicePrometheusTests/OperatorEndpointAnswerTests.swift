import NIOHTTP1
import Prometheus
@testable import SluiceDaemon
import Testing

/// What `sluiced --listen` answers, path by path, without a socket.
@Suite("The operator endpoint's answers")
struct OperatorEndpointAnswerTests {
    static func answer(_ method: HTTPMethod, _ uri: String, problem: String? = nil) -> (HTTPResponseStatus, String) {
        let registry = PrometheusCollectorRegistry()
        let passes = MetricNameDescriptor(namespace: "sluice", metricName: "passes", unitName: "total", helpText: "")
        registry.makeCounter(descriptor: passes, labels: [("outcome", "reconciled")]).increment(by: Int64(3))
        let responder = OperatorEndpoint.Responder(registry: registry, readiness: { problem })
        let (status, _, body) = responder.answer(HTTPRequestHead(version: .http1_1, method: method, uri: uri))
        return (status, body)
    }

    @Test("/readyz is 503 with the reason while the database cannot be read, 200 otherwise")
    func readiness() {
        #expect(Self.answer(.GET, "/readyz") == (.ok, "ready\n"))
        #expect(
            Self.answer(.GET, "/readyz", problem: "the database cannot be read: disk I/O error")
                == (.serviceUnavailable, "not ready: the database cannot be read: disk I/O error\n"))
        #expect(Self.answer(.GET, "/healthz", problem: "anything") == (.ok, "ok\n"))
    }

    @Test("/metrics is the registry in Prometheus's text format; other paths and methods are refused")
    func routes() {
        let (status, body) = Self.answer(.GET, "/metrics?x=1")
        #expect(status == .ok)
        #expect(body.contains(#"sluice_passes_total{outcome="reconciled"} 3"#))
        #expect(Self.answer(.GET, "/").0 == .notFound)
        #expect(Self.answer(.POST, "/metrics").0 == .methodNotAllowed)
    }

    @Test("--listen takes HOST:PORT and nothing else")
    func addresses() {
        #expect(OperatorEndpoint.address("127.0.0.1:9464")! == ("127.0.0.1", 9464))
        #expect(OperatorEndpoint.address("localhost:80")! == ("localhost", 80))
        for bad in ["9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "host:port"] {
            #expect(OperatorEndpoint.address(bad) == nil, "\(bad)")
        }
    }
}
