import ArgumentParser
import Foundation
import SluiceCore
import SluiceManifests
import SluiceStore

/// `sluice plan ...`: work on plan files without submitting them.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Check plan files.", subcommands: [Validate.self])

    /// `sluice plan validate FILE...`
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check plans, their fleets and policies; print every problem with its file, line and field.")

        @Argument(help: "Plan files.")
        var files: [String]

        @Option(name: .long, help: "A folder of gate policies to search before the Policies/ folders above the plan.")
        var policies: [String] = []

        func run() async throws {
            let loader = PlanLoader(policyDirectories: policies)
            var failed = false
            for file in files {
                do {
                    let loaded = try loader.load(file)
                    for warning in loaded.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                    print("\(file): ok (\(loaded.spec.waves.count) waves, \(loaded.spec.clustersInOrder.count) clusters, policy \(loaded.policyDescription))")
                    if let brake = loaded.spec.apfBrake { print("  \(brake.explanation(artifact: loaded.spec.artifact.name))") }
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                }
            }
            if failed { throw ExitCode(2) }
        }
    }
}

/// `sluice submit PLAN`
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a plan and record it as a new rollout; sluiced starts it on its next pass.")

    @Argument(help: "The plan file.")
    var file: String

    @Option(name: .long, help: "A folder of gate policies to search before the Policies/ folders above the plan.")
    var policies: [String] = []

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await reportingFailures {
            let loaded: LoadedPlan
            do {
                loaded = try PlanLoader(policyDirectories: policies).load(file)
            } catch {
                throw CLIFailure(exitCode: 2, message: "the plan was not submitted:\n\(error)")
            }
            for warning in loaded.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            let store = try global.openStore(create: true)
            let planPath = URL(fileURLWithPath: file).standardized.path
            try store.submit(spec: loaded.spec, planPath: planPath, actor: currentActor, now: wallNow)
            let spec = loaded.spec
            print("rollout \(spec.name) submitted: \(spec.clustersInOrder.count) clusters in \(spec.waves.count) waves, "
                + "policy \(loaded.policyDescription)")
            if let brake = spec.apfBrake { print("  \(brake.explanation(artifact: spec.artifact.name))") }
        }
    }
}
