import ArgumentParser
import Foundation
import FleetSimulator
import SluiceCore
import SluiceManifests
import SluiceSignals
import SluiceSimulation

/// `sluice simulate PLAN`
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the real controller on a plan against the simulated fleet, in virtual time.",
        discussion: "Prints the timeline (batches, decisions) and what happened to each cluster the rollout touched.")

    @Argument(help: "The plan file.") var file: String
    @Option(name: .long, help: "Simulate this fleet file instead of the plan's.") var fleet: String?
    @Option(name: .long, help: "The simulation's seed: same seed, same run.") var seed: UInt64 = 1
    @Option(name: .long, help: "The longest the run may last, in virtual time (e.g. 48h).") var horizon = "48h"
    @Option(name: .long, help: "A folder of gate policies to search first.") var policies: [String] = []
    @Flag(name: .long, help: "List every cluster, not only those touched or harmed.") var allClusters = false
    @OptionGroup var format: OutputOptions

    func run() async throws {
        try await reportingFailures {
            guard let horizonSeconds = DurationText.seconds(horizon) else {
                throw CLIFailure(exitCode: 2, message: "--horizon '\(horizon)' is not a duration (like 48h)")
            }
            let loaded = try loadPlan(file, policies: policies)
            let fleet = try self.fleet.map(loadFleet) ?? loaded.fleet
            let spec = try resolve(loaded, against: fleet)
            let runner = SimulationRunner(
                fleet: fleet, seed: seed, horizonSeconds: horizonSeconds, stepWorkers: simulationStepWorkers)
            let outcome = try await runner.guarded(spec)
            if let encoded = try format.output.encode(outcome, kind: "SimulationOutcome") { return print(encoded) }
            print(OutcomeReport.timeline(outcome))
            print("")
            print(OutcomeReport.clusters(outcome, all: allClusters))
            print("")
            print(OutcomeReport.summary([outcome]))
        }
    }
}

/// `sluice demo`
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay the 11 Dec 2024 outage on the simulated incident fleet: unguarded, then under Sluice.",
        discussion: """
            Uses Examples/fleet-incident.yaml (200 clusters, about 200,000 nodes) and Examples/plan-incident.yaml. The
            unguarded run sends the agent to every node of every cluster within 29 minutes, as on the day; the
            fixed-step canary takes each cluster 10%, 50%, 100% with 5-minute pauses, gated on apiserver latency with
            missing data treated as inconclusive (what Argo-style analysis gives by default); then sluice's
            controller drives the plan through its default gates, and once more with an APF brake on each cluster
            (a priority level of the agent's own, at most 10% of each apiserver's seats). All use the same seed.
            """)

    @Option(name: .long, help: "The simulation's seed.") var seed: UInt64 = 1
    @Option(name: .long, help: "The folder holding fleet-incident.yaml and plan-incident.yaml (default: Examples/).")
    var examples: String?
    @OptionGroup var format: OutputOptions

    struct Comparison: Codable {
        var unguarded: SimulationOutcome
        var argoStyle: SimulationOutcome
        var guarded: SimulationOutcome
        var guardedWithBrake: SimulationOutcome
    }

    func run() async throws {
        try await reportingFailures {
            let folder = try examples ?? ExampleFiles.locate()
            let loaded = try loadPlan(folder + "/plan-incident.yaml", policies: [])
            guard let profile = AgentAPIProfile.forArtifact(loaded.spec.artifact) else {
                throw CLIFailure(exitCode: 2, message: "unknown apiProfile in \(loaded.planPath)")
            }
            let nodes = loaded.fleet.clusters.map(\.nodeCount).reduce(0, +)
            if format.output == .table {
                print("Replaying 11 Dec 2024 on a simulated fleet of \(loaded.fleet.clusters.count) clusters (\(nodes.formatted()) nodes)...")
            }
            // The Sluice run is the longest by far: it starts at once and steps its clusters on every core, while the
            // three others run one after the other beside it, each on one core, so that it is never left waiting.
            let runner = SimulationRunner(fleet: loaded.fleet, seed: seed, stepWorkers: simulationStepWorkers)
            var besideRunner = runner
            besideRunner.stepWorkers = 1
            let canary = try ArgoStyleCanary.spec(from: loaded.plan, fleet: loaded.fleet)
            var braked = loaded.spec
            // The simulator confines the agent by its identity (a service account); the name only labels the objects.
            braked.apfBrake = loaded.spec.apfBrake
                ?? APFBrakeSpec(serviceAccount: loaded.spec.artifact.name, namespace: "observability")
            async let guarded = runner.guarded(loaded.spec)
            async let beside = { [braked] in
                let unguarded = await besideRunner.unguarded(profile: profile)
                let argoStyle = try await besideRunner.guarded(canary, scenario: "fixed-step canary, latency only")
                let guardedWithBrake = try await besideRunner.guarded(braked, scenario: "Sluice with the APF brake")
                return (unguarded, argoStyle, guardedWithBrake)
            }()
            let (unguarded, argoStyle, guardedWithBrake) = try await beside
            let comparison = Comparison(
                unguarded: unguarded, argoStyle: argoStyle, guarded: try await guarded,
                guardedWithBrake: guardedWithBrake)
            if let encoded = try format.output.encode(comparison, kind: "DemoComparison") { return print(encoded) }
            print("")
            print(OutcomeReport.summary([
                comparison.unguarded, comparison.argoStyle, comparison.guarded, comparison.guardedWithBrake,
            ]))
            print("")
            print("Under Sluice, the last decisions:")
            print(OutcomeReport.timeline(comparison.guarded, last: 8))
        }
    }
}

/// Threads a simulation of the CLI steps its clusters on: one per core (the results do not depend on it).
let simulationStepWorkers = ProcessInfo.processInfo.activeProcessorCount

/// Finds the shipped examples: `./Examples`, or `Examples/` above the executable (a `swift run` from elsewhere).
enum ExampleFiles {
    static func locate() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/Examples"]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            candidates.append(url.appendingPathComponent("Examples").path)
            url.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0 + "/fleet-incident.yaml")
        }) else {
            throw CLIFailure(exitCode: 2, message: "cannot find Examples/fleet-incident.yaml; run from the repository or pass --examples DIR")
        }
        return found
    }
}

func loadPlan(_ path: String, policies: [String]) throws -> LoadedPlan {
    do {
        return try PlanLoader(policyDirectories: policies).load(path)
    } catch {
        throw CLIFailure(exitCode: 2, message: "\(error)")
    }
}

func loadFleet(_ path: String) throws -> Fleet {
    do {
        return try FleetManifest.load(path)
    } catch {
        throw CLIFailure(exitCode: 2, message: "\(error)")
    }
}

/// The plan resolved again against another fleet (`--fleet`).
func resolve(_ loaded: LoadedPlan, against fleet: Fleet) throws -> RolloutSpec {
    switch RolloutSpec.resolve(plan: loaded.plan, fleet: fleet, policy: loaded.spec.policy) {
    case .success(let spec): return spec
    case .failure(let failure):
        throw CLIFailure(exitCode: 2, message: failure.issues.map { "\(loaded.planPath): \($0)" }.joined(separator: "\n"))
    }
}

/// `sluice record PLAN --out FILE`
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a plan under Sluice and write the signals monitoring saw to a recording (.csv, .jsonl, .om).",
        discussion: """
            The recording replays with `sluiced --signals FILE`; timestamps are virtual seconds from the start. \
            OpenMetrics output (.om, or --format openmetrics) backfills into Prometheus with `promtool tsdb \
            create-blocks-from openmetrics FILE DIR`: one gauge per signal with a `cluster` label, timestamps in \
            seconds plus --offset (Prometheus drops data older than its retention, so shift it to recent time).
            """)

    @Argument(help: "The plan file.") var file: String
    @Option(name: .long, help: "The recording to write; its extension (.csv, .jsonl) names the format.") var out: String
    @Option(name: .long, help: "csv, jsonl or openmetrics (default: from the extension; .om and .openmetrics are OpenMetrics).")
    var format: String?
    @Option(name: .long, help: "Seconds added to every timestamp of OpenMetrics output (for example the Unix time of the start).")
    var offset: Double = 0
    @Option(name: .long, help: "Record only these signals (comma-separated; default: those the plan's policy reads).")
    var signals: String?
    @Flag(name: .long, help: "Record every signal the simulator reports.") var allSignals = false
    @Flag(name: .long, help: "Record the plan's artifact going everywhere within 29 minutes, unguarded (Dec 2024).")
    var unguarded = false
    @Option(name: .long, help: "The simulation's seed.") var seed: UInt64 = 1
    @Option(name: .long, help: "How long to simulate, in virtual time, whatever the rollout does.") var duration = "6h"
    @Option(name: .long, help: "Keep one sample per signal this often (a multiple of the 15s scrape interval).")
    var every = "15s"
    @Option(name: .long, help: "A folder of gate policies to search first.") var policies: [String] = []

    func run() async throws {
        try await reportingFailures {
            let extensionName = URL(fileURLWithPath: out).pathExtension.lowercased()
            let openMetrics = format == "openmetrics" || (format == nil && ["om", "openmetrics"].contains(extensionName))
            let fileFormat = format.flatMap(RecordingFile.Format.init(rawValue:)) ?? RecordingFile.Format(path: out)
            if let format, format != "openmetrics" && RecordingFile.Format(rawValue: format) == nil {
                throw CLIFailure(exitCode: 2, message: "--format \(format): use csv, jsonl or openmetrics")
            }
            guard openMetrics || fileFormat != nil else {
                throw CLIFailure(exitCode: 2, message: "--out \(out): name the file .csv, .jsonl or .om, or give --format")
            }
            guard let durationSeconds = DurationText.seconds(duration) else {
                throw CLIFailure(exitCode: 2, message: "--duration '\(duration)' is not a duration (like 6h)")
            }
            guard let everySeconds = DurationText.seconds(every), everySeconds > 0 else {
                throw CLIFailure(exitCode: 2, message: "--every '\(every)' is not a duration (like 60s)")
            }
            let loaded = try loadPlan(file, policies: policies)
            let wanted: Set<String>? = allSignals ? nil
                : Set(signals.map { $0.split(separator: ",").map(String.init) } ?? loaded.spec.policy.signalNames)
            let runner = SimulationRunner(
                fleet: loaded.fleet, seed: seed, horizonSeconds: durationSeconds, observeAfterStopSeconds: .infinity,
                stepWorkers: simulationStepWorkers)
            guard let profile = AgentAPIProfile.forArtifact(loaded.spec.artifact) else {
                throw CLIFailure(exitCode: 2, message: "\(loaded.planPath): the simulator has no apiProfile '\(loaded.spec.artifact.apiProfile ?? "")'")
            }
            let (outcome, scraped) = unguarded
                ? await runner.unguardedRecording(
                    profile: profile, durationSeconds: durationSeconds, signals: wanted, everySeconds: everySeconds)
                : try await runner.guardedRecording(loaded.spec, signals: wanted, everySeconds: everySeconds)
            let samples = scraped.map {
                RecordedSample(timestamp: $0.at, cluster: $0.cluster, signal: $0.signal, value: $0.value)
            }
            do {
                let text = openMetrics
                    ? OpenMetricsRecording.render(samples, offsetSeconds: offset)
                    : RecordingFile.render(samples, format: fileFormat ?? .csv)
                try text.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(exitCode: 1, message: "cannot write \(out): \(error)")
            }
            let what = unguarded
                ? "unguarded, \(outcome.clustersDegraded) clusters degraded" : "rollout \(outcome.finalPhase ?? "?")"
            print("\(out): \(samples.count) samples over \(DurationText.format(outcome.simulatedSeconds)) (\(what))")
        }
    }
}
