import FleetSimulator
import SluiceCore
import SluiceSimulation
import Testing

@Suite("The simulated fleet keeps a window of scraped samples, not the whole run")
struct RetainedScrapesTests {
    /// Scrapes within `seconds`, both ends included, at the default 15-second interval.
    static func scrapes(within seconds: Double) -> Int { Int(seconds / 15) + 1 }

    @Test("Samples kept per cluster and signal stay within the retention however long the fleet runs")
    func boundedByRetention() async {
        let fleet = SimulatedFleet(fleet: smallIncidentFleet, seed: 1, retentionSeconds: 120)
        _ = await fleet.submit(
            cluster: "huge", nodes: 0..<7500, enable: true, profile: .listAllPodsEveryMinute, path: .nodeDirect,
            deadlineSeconds: 60)
        for hour in 1...6 {
            await fleet.advance(to: Double(hour) * 3600)
            #expect(await fleet.longestRetainedSeriesCount == Self.scrapes(within: 120))
        }
    }

    @Test("Reads within the retention see what a fleet that keeps everything sees")
    func sameSamplesAsUnbounded() async {
        let bounded = SimulatedFleet(fleet: smallIncidentFleet, seed: 2, retentionSeconds: 300)
        let everything = SimulatedFleet(fleet: smallIncidentFleet, seed: 2, retentionSeconds: .infinity)
        for fleet in [bounded, everything] {
            _ = await fleet.submit(
                cluster: "medium", nodes: 0..<600, enable: true, profile: .listAllPodsEveryMinute,
                path: .controlPlane, deadlineSeconds: 600)
        }
        for seconds in stride(from: 100.0, through: 3600, by: 350) {
            await bounded.advance(to: seconds)
            await everything.advance(to: seconds)
            for signal in SimulatedSignal.allNames {
                let kept = await bounded.samples(cluster: "medium", signal: signal, from: seconds - 300, through: seconds)
                let all = await everything.samples(
                    cluster: "medium", signal: signal, from: seconds - 300, through: seconds)
                #expect(kept == all, "\(signal) at \(seconds) s")
            }
        }
        #expect(await everything.longestRetainedSeriesCount == Self.scrapes(within: 3600))
    }

    @Test("A read reaching further back than the retention widens it from then on")
    func widensToTheLongestRead() async {
        let fleet = SimulatedFleet(fleet: smallIncidentFleet, seed: 3, retentionSeconds: 60)
        await fleet.advance(to: 3600)
        let first = await fleet.samples(cluster: "staging", signal: "cluster_nodes", from: 3000, through: 3600)
        #expect(first.count == Self.scrapes(within: 60))
        #expect(await fleet.retentionSeconds == 600)
        await fleet.advance(to: 7200)
        let later = await fleet.samples(cluster: "staging", signal: "cluster_nodes", from: 6600, through: 7200)
        #expect(later.count == Self.scrapes(within: 600))
        #expect(await fleet.longestRetainedSeriesCount == Self.scrapes(within: 600))
    }

    @Test("A recording streams out every scrape of its signals for the whole run")
    func recordingKeepsTheRun() async throws {
        let recording = ScrapeRecording(signals: ["cluster_nodes"], everySeconds: 60)
        let fleet = SimulatedFleet(fleet: smallIncidentFleet, seed: 4, retentionSeconds: 0, recording: recording)
        await fleet.advance(to: 3600)
        let samples = await fleet.recordedSamples
        #expect(samples.count == smallIncidentFleet.clusters.count * (3600 / 60 + 1))
        let first = try #require(samples.first)
        #expect((first.cluster, first.signal, first.at, first.value) == ("huge", "cluster_nodes", 0, 7500))
        #expect(samples.allSatisfy { $0.at.truncatingRemainder(dividingBy: 60) == 0 })
        #expect(await fleet.longestRetainedSeriesCount == 1)
    }
}
