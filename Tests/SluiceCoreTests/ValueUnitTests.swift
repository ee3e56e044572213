import SluiceCore
import Testing

@Suite("Gate values with their units")
struct ValueUnitTests {
    @Test("The unit comes from the signal's name", arguments: [
        ("apiserver_429_ratio", ValueUnit.share, 0.0125, "1.25%"),
        ("apiserver_availability", .share, 0.999, "99.9%"),
        ("apiserver_mutating_latency_p99_seconds", .seconds, 0.45, "450ms"),
        ("apiserver_list_latency_p99_seconds", .seconds, 31.5, "31.5s"),
        ("agent_restarts_per_second", .perSecond, 0.05, "0.05/s"),
        ("agent_pods_not_ready", .count, 3, "3"),
    ])
    func unitOfSignal(signal: String, unit: ValueUnit, value: Double, text: String) {
        #expect(ValueUnit(signal: signal) == unit)
        #expect(unit.format(value) == text)
    }

    @Test("A comparison, a division or a rate decides before the name; predictions are shares")
    func unitOfGate() {
        let baseline = Gate(
            name: "dns", signal: "dns_lookup_latency_p99_seconds", comparison: .baseline, bound: .atMost(3))
        let divided = Gate(name: "seats", signal: "apf_seats_in_use", dividedBy: "apf_seats_limit", bound: .atMost(0.8))
        let rate = Gate(name: "restarts", signal: "restarts_total", aggregation: .rate, bound: .atMost(0.1))
        let prediction = PredictionGate(
            name: "projected", costSignal: "agent_api_seats", capacitySignal: "apf_seats_limit",
            usageSignal: "apf_seats_in_use", agentNodesSignal: "agent_nodes", maxProjectedUtilization: 0.8)
        let policy = GatePolicy(
            name: "p", gates: [baseline, divided, rate], predictions: [prediction], maxSampleAgeSeconds: 60)
        #expect(ValueUnit(gate: "dns", in: policy) == .timesReference)
        #expect(ValueUnit(gate: "seats", in: policy) == .share)
        #expect(ValueUnit(gate: "restarts", in: policy) == .perSecond)
        #expect(ValueUnit(gate: "projected", in: policy) == .share)
        #expect(ValueUnit(gate: "gone", in: policy) == .count)
        #expect(ValueUnit.timesReference.format(Bound.atMost(3)) == "<= 3×")
        #expect(ValueUnit.share.format(Bound.atLeast(0.99)) == ">= 99%")
    }
}
