import Foundation
import SluiceCore
import SluiceSignals
import Testing
import SluiceTestSupport

/// A negative value of a signal that can never be negative is a broken recording: no data with its reason, never a
/// pass, through the source and through a gate.
@Suite struct NegativeValueTests {
    /// A recording of `signal` on `east`: healthy at 100, `value` at 110.
    static func recording(_ folder: ScratchFolder, signal: String, value: String) throws -> String {
        try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            100,east,\(signal),0.2
            110,east,\(signal),\(value)
            110,west,\(signal),0.2

            """)
    }

    @Test(arguments: [
        ("apiserver_429_ratio", SignalKind.ratio), ("apiserver_read_latency_p99_seconds", .latency),
        ("apf_queued_requests", .count), ("apf_seats_in_use", .seats), ("apf_rejected_per_second", .rate),
    ])
    func theSourceRefusesANegativeValueWithItsReason(signal: String, kind: SignalKind) throws {
        let folder = try ScratchFolder()
        let path = try Self.recording(folder, signal: signal, value: "-0.5")
        let source = try RecordedSignalSource(path: path, offsetSeconds: 1_000)
        let error = #expect(throws: RecordedValueError.self) {
            _ = try source.samples(cluster: "east", signal: signal, from: 1_000, through: 1_120)
        }
        #expect(error?.file == path)
        #expect(error?.cluster == "east")
        #expect(error?.kind == kind)
        #expect(error?.timestamp == 110)
        #expect(error?.value == -0.5)
        #expect(error?.description == "\(path): \(signal) of east is recorded as -0.5 at 110 s, but "
            + "\(kind.described) is never negative: the recording is wrong there, so the signal is no data; fix or "
            + "re-record it")
        // Outside the broken sample, and on other clusters, the recording reads as it is.
        #expect(try source.samples(cluster: "east", signal: signal, from: 1_000, through: 1_105)
            == [SignalSample(at: 1_100, value: 0.2)])
        #expect(try source.samples(cluster: "west", signal: signal, from: 1_000, through: 1_120).count == 1)
    }

    @Test(arguments: ["apiserver_429_ratio", "dns_lookup_latency_p99_seconds", "agent_nodes"])
    func aNegativeValueIsNoDataForTheGateNeverAPass(signal: String) async throws {
        let folder = try ScratchFolder()
        let source = try RecordedSignalSource(path: try Self.recording(folder, signal: signal, value: "-1"))
        // -1 is under the bound: without the check the gate would pass on it.
        let policy = GatePolicy(
            name: "p", gates: [Gate(name: "g", signal: signal, aggregation: .last, bound: .atMost(1))])
        let signals = await source.read(policy: policy, cluster: "east", artifact: "agent", now: 115)
        #expect(signals.errors[signal]?.contains("never negative") == true)
        let evaluation = try #require(GateEvaluator.evaluate(policy: policy, signals: signals, now: 115).first)
        #expect(evaluation.verdict == .noData)
        #expect(evaluation.observed == nil)
        #expect(evaluation.reason.contains("recorded as -1 at 110 s"))
        // Before the broken sample the same gate passes on the same recording.
        let before = await source.read(policy: policy, cluster: "east", artifact: "agent", now: 105)
        #expect(GateEvaluator.evaluate(policy: policy, signals: before, now: 105).map(\.verdict) == [.pass])
    }

    @Test func aNegativeValueFromJSONLinesIsRefusedToo() throws {
        let folder = try ScratchFolder()
        let line = #"{"timestamp": 5, "cluster": "east", "signal": "apiserver_5xx_ratio", "value": -0.01}"#
        let path = try folder.write("rec.jsonl", line + "\n")
        let source = try RecordedSignalSource(path: path)
        #expect(throws: RecordedValueError.self) {
            _ = try source.samples(cluster: "east", signal: "apiserver_5xx_ratio", from: 0, through: 10)
        }
        #expect(source.inventory.map(\.signals) == [["apiserver_5xx_ratio"]])
    }

    @Test func aSignalSluiceDoesNotKnowKeepsItsNegativeValues() throws {
        let samples = [RecordedSample(timestamp: 10, cluster: "east", signal: "clock_skew_seconds", value: -0.3)]
        let source = RecordedSignalSource(samples: samples)
        #expect(try source.samples(cluster: "east", signal: "clock_skew_seconds", from: 0, through: 20)
            == [SignalSample(at: 10, value: -0.3)])
    }

    @Test func zeroIsAValue() throws {
        let samples = [
            RecordedSample(timestamp: 10, cluster: "east", signal: "apiserver_429_ratio", value: 0),
            RecordedSample(timestamp: 20, cluster: "east", signal: "apiserver_429_ratio", value: -0.0),
        ]
        let source = RecordedSignalSource(samples: samples)
        #expect(try source.samples(cluster: "east", signal: "apiserver_429_ratio", from: 0, through: 30).count == 2)
    }
}
