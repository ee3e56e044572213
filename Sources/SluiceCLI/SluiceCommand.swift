public import ArgumentParser
import Foundation
import SluiceCommandSupport
import SluiceStore

/// `sluice`: submit, steer and inspect rollouts. Talks to the daemon only through the database.
public struct SluiceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Roll changes out across a fleet of Kubernetes clusters, gated on control-plane health.",
        discussion: """
            Every command works while sluiced is down: requests are recorded in the database and wait for it.

            Exit codes: 0 success; 1 the request was refused or the rollout is unknown; \
            2 invalid input (a plan, a policy, a flag); 3 the database cannot be used.
            """,
        version: SluiceVersion.line(program: "sluice", sqlite: SluiceStore.sqliteVersion),
        subcommands: [
            PlanCommand.self, Submit.self, List.self, Get.self, Events.self, Pause.self, Resume.self, Promote.self,
            Abort.self, Rollback.self, Simulate.self, Demo.self, Record.self, BreakGlass.self,
            Scenarios.self, Watch.self, Report.self, Explain.self,
        ])

    public init() {}

    /// Runs `sluice`; usage errors exit 2 like any other invalid input.
    public static func main() async { await mainExitingTwoOnUsageErrors() }
}

/// Options every command that touches the database shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The database file (default: $SLUICE_DB or ~/.local/state/sluice/sluice.db).")
    var db: String?

    /// The database file this command uses.
    var path: String { db ?? SluiceStore.defaultPath(environment: ProcessInfo.processInfo.environment) }

    /// Opens the database, or exits 3 with the reason. Only `create` makes a new one (saying where, on stderr): a
    /// command that reads or steers rollouts on a path with no database says so instead of showing an empty one.
    func openStore(create: Bool = false) throws -> SluiceStore {
        let path = self.path
        let isNew = !FileManager.default.fileExists(atPath: path)
        if isNew && !create {
            let journal = FileManager.default.fileExists(atPath: BreakGlassJournal(forDatabase: path).path)
                ? "; a break-glass journal is beside it, which sluiced or `sluice submit` imports when it creates one"
                : " (`sluice submit PLAN` creates one)"
            throw CLIFailure(
                exitCode: 3, message: "there is no database at \(path); check --db or SLUICE_DB\(journal)")
        }
        do {
            let store = try SluiceStore(path: path, createIfMissing: create)
            if isNew { FileHandle.standardError.write(Data("sluice: created the database \(path)\n".utf8)) }
            return store
        } catch {
            throw CLIFailure(exitCode: 3, message: "\(error)")
        }
    }
}

/// A failure with a message for the user and a documented exit code.
struct CLIFailure: Error, CustomStringConvertible {
    var exitCode: Int32
    var message: String

    var description: String { message }

    static func from(_ error: StoreError) -> CLIFailure {
        switch error {
        case .unusable, .database: CLIFailure(exitCode: 3, message: error.description)
        default: CLIFailure(exitCode: 1, message: error.description)
        }
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning failures into a message on stderr and the documented exit code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("sluice: \(failure.message)\n".utf8))
            throw ExitCode(failure.exitCode)
        } catch let error as StoreError {
            let failure = CLIFailure.from(error)
            FileHandle.standardError.write(Data("sluice: \(failure.message)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}

/// Who is acting: the OS user, recorded in events and requests.
var currentActor: String { ProcessInfo.processInfo.userName }

/// The CLI's clock.
var wallNow: Double { Date().timeIntervalSince1970 }
