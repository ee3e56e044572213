import ArgumentParser
import Foundation
import SluiceCore
import SluiceStore

/// `sluice list`
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List rollouts with their phase.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: OutputOptions

    struct Row: Codable {
        var name: String
        var artifact: String
        var phase: String
        var clustersDone: Int
        var clusters: Int
        var submittedBy: String
        var message: String
    }

    func run() async throws {
        try await reportingFailures {
            let rows = try global.openStore().rollouts().map { record in
                Row(
                    name: record.spec.name, artifact: "\(record.spec.artifact.name) \(record.spec.artifact.version)",
                    phase: record.status.phase.rawValue,
                    clustersDone: record.status.clusters.filter { $0.state == .done }.count,
                    clusters: record.status.clusters.count, submittedBy: record.submittedBy,
                    message: record.status.message)
            }
            if let encoded = try format.output.encode(rows) { return print(encoded) }
            if rows.isEmpty { return print("no rollouts; submit one with `sluice submit PLAN`") }
            print(table(
                ["NAME", "ARTIFACT", "PHASE", "CLUSTERS", "MESSAGE"],
                rows.map { [$0.name, $0.artifact, $0.phase, "\($0.clustersDone)/\($0.clusters)", $0.message] }))
        }
    }
}

/// `sluice get ROLLOUT`
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a rollout's progress per wave and cluster.")

    @Argument(help: "The rollout.") var rollout: String
    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: OutputOptions

    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            guard let record = try store.rollout(named: rollout) else { throw StoreError.unknownRollout(rollout) }
            let pending = try store.requests(rollout: rollout).filter { $0.state == "pending" }.map(\.request.verb.rawValue)
            let view = RolloutView(
                record, pendingRequests: pending, now: try store.estimatedControllerNow(wallNow: wallNow) ?? wallNow,
                breakGlass: try store.breakGlassState(rollout: rollout))
            print(try format.output.encode(view) ?? view.rendered)
        }
    }
}

/// `sluice events ROLLOUT`
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a rollout's event log: who did what, and why.")

    @Argument(help: "The rollout.") var rollout: String
    @Flag(name: .long, help: "Check the event log's hash chain; name the first row altered or removed (exit 1).")
    var verify = false
    @Option(
        name: .long,
        help: "With --verify: a head printed by an earlier --verify (EVENTS:HASH); the log must still hold it.")
    var anchor: String?
    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: OutputOptions

    struct Row: Codable {
        var id: Int64
        var at: Double
        var actor: String
        var verb: String
        var message: String
    }

    func validate() throws {
        guard let anchor else { return }
        if !verify { throw ValidationError("--anchor checks the log: give it with --verify") }
        if AuditAnchor(anchor) == nil {
            throw ValidationError(
                "--anchor '\(anchor)' is not EVENTS:HASH; copy the anchor line an earlier `--verify` printed")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            guard try store.rollout(named: rollout) != nil else { throw StoreError.unknownRollout(rollout) }
            if verify { return try verifyChain(store, anchor: anchor.flatMap(AuditAnchor.init)) }
            let rows = try store.events(rollout: rollout).map {
                Row(id: $0.id, at: $0.event.at, actor: $0.event.actor, verb: $0.event.verb, message: $0.event.message)
            }
            if let encoded = try format.output.encode(rows) { return print(encoded) }
            print(table(
                ["ID", "AT", "ACTOR", "VERB", "MESSAGE"],
                rows.map { ["\($0.id)", ControllerTime.format($0.at), $0.actor, $0.verb, $0.message] }))
        }
    }
}
