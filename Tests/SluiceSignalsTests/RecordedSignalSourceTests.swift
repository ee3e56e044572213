import Foundation
import SluiceCore
import SluiceSignals
import Testing
import SluiceTestSupport

@Suite struct RecordedSignalSourceTests {
    static let samples = [
        RecordedSample(timestamp: 30, cluster: "east", signal: "latency", value: 0.3),
        RecordedSample(timestamp: 10, cluster: "east", signal: "latency", value: 0.1),
        RecordedSample(timestamp: 20, cluster: "east", signal: "latency", value: 0.2),
        RecordedSample(timestamp: 40, cluster: "east", signal: "latency", value: 0.4),
        RecordedSample(timestamp: 10, cluster: "east", signal: "errors", value: 0),
        RecordedSample(timestamp: 10, cluster: "west", signal: "latency", value: 9),
    ]

    @Test func samplesComeOldestFirstWithinAnInclusiveWindow() throws {
        let source = RecordedSignalSource(samples: Self.samples)
        let window = try source.samples(cluster: "east", signal: "latency", from: 20, through: 30)
        #expect(window == [SignalSample(at: 20, value: 0.2), SignalSample(at: 30, value: 0.3)])
        let all = try source.samples(cluster: "east", signal: "latency", from: -1_000, through: 1_000)
        #expect(all.map(\.at) == [10, 20, 30, 40])
    }

    @Test func windowsOutsideTheRecordingAreEmpty() throws {
        let source = RecordedSignalSource(samples: Self.samples)
        #expect(try source.samples(cluster: "east", signal: "latency", from: 41, through: 100).isEmpty)
        #expect(try source.samples(cluster: "east", signal: "latency", from: 0, through: 9.5).isEmpty)
        #expect(try source.samples(cluster: "east", signal: "latency", from: 25, through: 15).isEmpty)
        #expect(try source.samples(cluster: "east", signal: "latency", from: 21, through: 29).isEmpty)
    }

    @Test func unknownClustersAndSignalsHaveNoSamples() throws {
        let source = RecordedSignalSource(samples: Self.samples)
        #expect(try source.samples(cluster: "north", signal: "latency", from: 0, through: 100).isEmpty)
        #expect(try source.samples(cluster: "west", signal: "errors", from: 0, through: 100).isEmpty)
    }

    @Test func theOffsetMovesEveryTimestamp() throws {
        let source = RecordedSignalSource(samples: Self.samples, offsetSeconds: 1_000)
        let window = try source.samples(cluster: "east", signal: "latency", from: 1_015, through: 1_040)
        #expect(window == [
            SignalSample(at: 1_020, value: 0.2), SignalSample(at: 1_030, value: 0.3),
            SignalSample(at: 1_040, value: 0.4),
        ])
        #expect(try source.samples(cluster: "east", signal: "latency", from: 0, through: 999).isEmpty)
    }

    @Test func inventoryListsClustersAndSignalsSorted() {
        let source = RecordedSignalSource(samples: Self.samples)
        let inventory = source.inventory
        #expect(inventory.map(\.cluster) == ["east", "west"])
        #expect(inventory.map(\.signals) == [["errors", "latency"], ["latency"]])
    }

    @Test func aRecordingFileIsReadByPathWithItsOffset() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            5,east,latency,0.5
            0,east,latency,0.25

            """)
        let source = try RecordedSignalSource(path: path, offsetSeconds: 100)
        #expect(try source.samples(cluster: "east", signal: "latency", from: 100, through: 105) == [
            SignalSample(at: 100, value: 0.25), SignalSample(at: 105, value: 0.5),
        ])
    }

    @Test func aBadRecordingFileThrowsItsError() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.jsonl", "{\"timestamp\": 1}\n")
        let error = #expect(throws: RecordingError.self) { _ = try RecordedSignalSource(path: path) }
        #expect(error?.line == 1)
        #expect(error?.message == "\"cluster\" and \"signal\" must be strings")
    }

    @Test func readingForAPolicyCoversTheWidestWindowAndStalenessLimit() async {
        let samples = (0...20).map {
            RecordedSample(timestamp: Double($0 * 10), cluster: "east", signal: "latency", value: Double($0))
        } + [RecordedSample(timestamp: 150, cluster: "east", signal: "errors", value: 0.5)]
        let source = RecordedSignalSource(samples: samples)
        let policy = GatePolicy(
            name: "p",
            gates: [
                Gate(name: "short", signal: "latency", windowSeconds: 30, bound: .atMost(100)),
                Gate(name: "long", signal: "latency", windowSeconds: 90, bound: .atMost(100)),
                Gate(name: "errors", signal: "errors", windowSeconds: 10, bound: .atMost(1)),
                Gate(name: "absent", signal: "saturation", bound: .atMost(1)),
            ],
            maxSampleAgeSeconds: 60)
        let signals = await source.read(policy: policy, cluster: "east", artifact: "agent", now: 200)
        // latency: the widest window (90 s) beats the staleness limit (60 s): 110...200.
        #expect(signals.samples["latency"]?.map(\.at) == [110, 120, 130, 140, 150, 160, 170, 180, 190, 200])
        // errors: the staleness limit (60 s) beats the 10 s window: 140...200.
        #expect(signals.samples["errors"] == [SignalSample(at: 150, value: 0.5)])
        #expect(signals.samples["saturation"] == [SignalSample]())
        #expect(signals.errors.isEmpty)
    }

    @Test func aRecordedNaNIsNoDataForTheGateNeverAPass() async throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            100,east,latency,0.2
            110,east,latency,

            """)
        let source = try RecordedSignalSource(path: path)
        let policy = GatePolicy(
            name: "p", gates: [Gate(name: "latency", signal: "latency", aggregation: .max, bound: .atMost(1))])
        let signals = await source.read(policy: policy, cluster: "east", artifact: "agent", now: 115)
        #expect(signals.samples["latency"]?.count == 2)
        let evaluation = try #require(GateEvaluator.evaluate(policy: policy, signals: signals, now: 115).first)
        #expect(evaluation.verdict == .noData)
        #expect(evaluation.observed == nil)
        // Before the NaN was recorded the same gate passes on the same recording.
        let before = await source.read(policy: policy, cluster: "east", artifact: "agent", now: 105)
        #expect(GateEvaluator.evaluate(policy: policy, signals: before, now: 105).map(\.verdict) == [.pass])
    }
}
