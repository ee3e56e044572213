import MetricsTestKit
import SluiceCore
import Testing

@testable import SluiceController

@Suite("Signal staleness as metrics")
struct SignalMetricsTests {
    @Test("The age of each signal is its oldest newest sample over the clusters of a pass; reads are counted by result")
    func agesAndReads() throws {
        let metrics = TestMetrics()
        let east = ClusterSignals(cluster: "east", samples: [
            "latency": [SignalSample(at: 40, value: 0.1), SignalSample(at: 90, value: 0.2)],
            "errors": [],
        ])
        let west = ClusterSignals(
            cluster: "west", samples: ["latency": [SignalSample(at: 60, value: 0.1)]],
            errors: ["errors": "connection refused"])
        // Two rollouts' reads in one pass: west's older sample is not hidden by east's fresher one, read after it.
        var readings = SignalReadings()
        readings.add(west, now: 100)
        readings.add(east, now: 100)
        ControllerMetrics(factory: metrics).signalsRead(readings)
        #expect(try metrics.expectGauge("sluice_signal_age_seconds", [("signal", "latency")]).lastValue == 40)
        #expect(throws: (any Error).self) { try metrics.expectGauge("sluice_signal_age_seconds", [("signal", "errors")]) }
        func reads(_ signal: String, _ result: String) throws -> Int64 {
            try metrics.expectCounter("sluice_signal_reads_total", [("signal", signal), ("result", result)]).totalValue
        }
        #expect(try reads("latency", "fresh") == 2)
        #expect(try reads("errors", "missing") == 1)
        #expect(try reads("errors", "error") == 1)
        // With the default no-op factory the controller does not even gather them.
        #expect(ControllerMetrics(factory: metrics).isRecording && !ControllerMetrics().isRecording)
    }
}
