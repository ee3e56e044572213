import Testing
@testable import SluiceCLI
import SluiceCore
import SluiceStore

@Suite("sluice explain: gates grouped by cluster, values with their units")
struct ExplainViewTests {
    static func evaluation(_ gate: Gate, _ cluster: String, _ value: Double) -> GateEvaluation {
        GateEvaluation(
            gate: gate.name, cluster: cluster, at: 3600, windowSeconds: 120, observed: value, bound: gate.bound,
            verdict: gate.bound.isHealthy(value) ? .pass : .breach, reason: "\(gate.signal) = \(value)")
    }

    @Test("Clusters with a failing gate come first, each cluster's gates together, failing ones first")
    func groupedByCluster() throws {
        let (latency, throttled) = (WatchFixture.latency, WatchFixture.throttled)
        let explanation = Explain.explain(try WatchFixture.record(), evaluations: [
            Self.evaluation(latency, "prod-eu-1", 0.2), Self.evaluation(throttled, "prod-eu-1", 0.001),
            Self.evaluation(latency, "prod-eu-2", 0.3), Self.evaluation(throttled, "prod-eu-2", 0.05),
        ])
        #expect(explanation.gates.map { "\($0.cluster) \($0.gate) \($0.verdict)" } == [
            "prod-eu-2 throttled-requests breach", "prod-eu-2 mutating-latency pass",
            "prod-eu-1 mutating-latency pass", "prod-eu-1 throttled-requests pass",
        ])
        #expect(explanation.gates.map(\.unit) == [.share, .seconds, .seconds, .share])
        #expect(explanation.gates[0].bound == "<= 1%")
        let rows = Explain.render(explanation).split(separator: "\n").filter { $0.contains("throttled-requests") }
        #expect(rows.first?.hasPrefix("prod-eu-2  throttled-requests  breach   5%") == true)
        #expect(rows.last?.hasPrefix("           throttled-requests  pass     0.1%") == true)
    }
}
