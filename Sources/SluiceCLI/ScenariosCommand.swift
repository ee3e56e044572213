import ArgumentParser
import FleetSimulator
import Foundation
import SluiceCore
import SluiceManifests
import SluiceSimulation

/// `sluice scenarios PLAN...`
struct Scenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run plans under every agent profile and seed, unguarded and under Sluice, and judge each.",
        discussion: """
            Each plan runs on its own fleet. The unguarded run (the agent on every node within 29 minutes) says \
            whether the change is harmful; Sluice must then stop it before any harm, and must complete a harmless \
            one. A verdict of false-halt or harm exits 1. Examples/scenarios/ holds a set; build with \
            `swift build -c release` first, as large fleets take a while in a debug build.
            """)

    @Argument(help: "Plan files (each names its fleet and policy).") var files: [String]
    @Option(name: .long, help: "Agent profiles, comma-separated (default: every built-in one).") var profiles: String?
    @Option(name: .long, help: "Seeds, comma-separated.") var seeds = "1"
    @Option(name: .long, help: "A folder of gate policies to search first.") var policies: [String] = []
    @OptionGroup var format: OutputOptions

    struct MatrixReport: Codable {
        var results: [ScenarioResult]
        var rates: ScenarioRates
    }

    func run() async throws {
        try await reportingFailures {
            let matrix = ScenarioMatrix(
                plans: try files.map { file in
                    let loaded = try loadPlan(file, policies: policies)
                    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                    return ScenarioMatrix.Plan(name: name, spec: loaded.spec, fleet: loaded.fleet)
                },
                profiles: try chosenProfiles(), seeds: try chosenSeeds())
            let table = format.output == .table
            if table { FileHandle.standardOutput.write(Data((ScenarioReport.header + "\n").utf8)) }
            let results = try await matrix.run { result in
                guard table else { return }
                // Written at once, a row as each cell ends, also into a pipe or a file (print would buffer there).
                FileHandle.standardOutput.write(Data((ScenarioReport.row(result) + "\n").utf8))
            }
            let rates = ScenarioRates(results)
            if let encoded = try format.output.encode(MatrixReport(results: results, rates: rates), kind: "ScenarioMatrix") { print(encoded) }
            if table { print("\n" + ScenarioReport.summary(rates)) }
            if !results.allSatisfy(\.verdict.isGood) { throw ExitCode(1) }
        }
    }

    func chosenProfiles() throws -> [AgentAPIProfile] {
        guard let profiles else { return AgentAPIProfile.builtIn }
        return try profiles.split(separator: ",").map { name in
            guard let profile = AgentAPIProfile.named(String(name)) else {
                let known = AgentAPIProfile.builtIn.map(\.name).joined(separator: ", ")
                throw CLIFailure(exitCode: 2, message: "--profiles: no agent profile '\(name)'; use \(known)")
            }
            return profile
        }
    }

    func chosenSeeds() throws -> [UInt64] {
        try seeds.split(separator: ",").map { text in
            guard let seed = UInt64(text) else {
                throw CLIFailure(exitCode: 2, message: "--seeds: '\(text)' is not a whole number; give e.g. 1,2,3")
            }
            return seed
        }
    }
}

/// Text renderings of the matrix: a row per cell as it finishes, then the rates.
enum ScenarioReport {
    static let columns = [
        ("PLAN", 26), ("PROFILE", 40), ("SEED", 5), ("UNGUARDED", 34), ("UNDER SLUICE", 30), ("VERDICT", 0),
    ]

    static var header: String { line(columns.map(\.0)) }

    static func row(_ result: ScenarioResult) -> String {
        line([
            result.plan, result.profile, "\(result.seed)", harm(result.unguarded),
            "\(result.guarded.finalPhase ?? "?"), \(harm(result.guarded))", verdictText(result.verdict),
        ])
    }

    static func summary(_ rates: ScenarioRates) -> String {
        """
        harmless changes: \(rates.harmless), of which stopped (false halts): \(rates.falseHalts)
        harmful changes: \(rates.harmful), of which harmed the fleet under Sluice: \(rates.harmedUnderSluice)
        """
    }

    /// Harm in a few words: degraded clusters and DNS-failure cluster-minutes, or none.
    static func harm(_ outcome: SimulationOutcome) -> String {
        guard outcome.harmed else { return "no harm" }
        return "\(counted(outcome.clustersDegraded, "cluster")) degraded, "
            + "\(Int(outcome.dnsFailureClusterMinutes.rounded())) DNS min"
    }

    static func verdictText(_ verdict: ScenarioResult.Verdict) -> String {
        switch verdict {
        case .completed: "ok: completed"
        case .stopped: "ok: stopped before harm"
        case .completedSafely: "ok: completed without harm"
        case .falseHalt: "FALSE HALT"
        case .harm: "HARM"
        }
    }

    static func line(_ cells: [String]) -> String {
        zip(cells, columns).map { cell, column in
            column.1 == 0 ? cell : cell.padding(toLength: max(column.1, cell.count + 1), withPad: " ", startingAt: 0)
        }.joined(separator: " ")
    }
}
