import ArgumentParser
import SluiceCore
import SluiceStore

/// A command that records an operator request for the daemon.
protocol RequestCommand: AsyncParsableCommand {
    static var verb: OperatorRequest.Verb { get }
    var rollout: String { get }
    var reason: String { get }
    var global: GlobalOptions { get }
}

extension RequestCommand {
    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            let id = try store.request(Self.verb, rollout: rollout, reason: reason, actor: currentActor, now: wallNow)
            print("\(Self.verb.rawValue) of \(rollout) recorded (request \(id)); sluiced acts on it at its next pass")
        }
    }
}

struct Pause: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Stop starting new batches; bakes keep running.")
    static let verb = OperatorRequest.Verb.pause
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}

struct Resume: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Continue a paused or halted rollout; gates are evaluated again.")
    static let verb = OperatorRequest.Verb.resume
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}

struct Promote: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve a wave that waits for approval, or end the running bake early (gates still apply).")
    static let verb = OperatorRequest.Verb.promote
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}

struct Abort: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop where the rollout is and change nothing more; applied batches stay applied.")
    static let verb = OperatorRequest.Verb.abort
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}

struct Rollback: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert every applied batch through the driver, newest first in each cluster.")
    static let verb = OperatorRequest.Verb.rollback
    @Argument(help: "The rollout.") var rollout: String
    @Option(name: .long, help: "Why, for the record.") var reason = ""
    @OptionGroup var global: GlobalOptions
}
