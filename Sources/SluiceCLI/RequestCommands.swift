import ArgumentParser
import SluiceCore
import SluiceStore

/// A command that records an operator request for the daemon.
protocol RequestCommand: AsyncParsableCommand {
    static var verb: OperatorRequest.Verb { get }
    var request: RequestOptions { get }
}

/// What every request command takes: the rollout, why, and where the database is.
struct RequestOptions: ParsableArguments {
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}

extension RequestCommand {
    func run() async throws {
        try await reportingFailures {
            let store = try request.global.openStore()
            let id = try store.request(
                Self.verb, rollout: request.rollout, reason: request.reason, actor: currentActor, now: wallNow)
            print("\(Self.verb.rawValue) of \(request.rollout) recorded (request \(id)); sluiced acts on it at its next pass")
        }
    }
}

struct Pause: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Stop starting new batches; bakes keep running.")
    static let verb = OperatorRequest.Verb.pause
    @OptionGroup var request: RequestOptions
}

struct Resume: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Continue a paused or halted rollout; gates are evaluated again.")
    static let verb = OperatorRequest.Verb.resume
    @OptionGroup var request: RequestOptions
}

struct Promote: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve a wave that waits for approval, or end the running bake early (gates still apply).")
    static let verb = OperatorRequest.Verb.promote
    @OptionGroup var request: RequestOptions
}

struct Abort: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop where the rollout is and change nothing more; applied batches stay applied.")
    static let verb = OperatorRequest.Verb.abort
    @OptionGroup var request: RequestOptions
}

struct Rollback: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert every applied batch through the driver, newest first in each cluster.")
    static let verb = OperatorRequest.Verb.rollback
    @OptionGroup var request: RequestOptions
}
