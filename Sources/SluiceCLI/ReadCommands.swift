import ArgumentParser
import Foundation
import SluiceCore
import SluiceStore

/// `sluice list`
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List rollouts with their phase, newest first.",
        discussion: "Reads one short row per rollout: as fast with a year of history as with one rollout.")

    @Option(help: "Show at most this many rollouts, the newest.") var limit = 50
    @Flag(help: "Show every rollout.") var all = false
    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: OutputOptions

    struct Row: Codable {
        var name: String
        var artifact: String
        var phase: RolloutPhase
        var clustersDone: Int
        var clusters: Int
        var submittedAt: String
        var submittedBy: String
        var message: String
    }

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1 (or use --all)") }
    }

    func run() async throws {
        try await reportingFailures {
            let (summaries, total) = try global.openStore().summaries(limit: all ? nil : limit)
            let rows = summaries.map {
                Row(
                    name: $0.name, artifact: $0.artifact, phase: $0.phase, clustersDone: $0.clustersDone,
                    clusters: $0.clusters, submittedAt: ControllerTime.format($0.submittedAt), submittedBy: $0.submittedBy,
                    message: $0.message)
            }
            if let encoded = try format.output.encode(items: rows, kind: "RolloutList") { return print(encoded) }
            if rows.isEmpty { return print("no rollouts; submit one with `sluice submit PLAN`") }
            print(table(
                ["NAME", "ARTIFACT", "PHASE", "CLUSTERS", "SUBMITTED", "MESSAGE"],
                rows.map {
                    [
                        $0.name, $0.artifact, $0.phase.words, "\($0.clustersDone)/\($0.clusters)",
                        $0.submittedAt, $0.message,
                    ]
                }))
            if rows.count < total {
                FileHandle.standardError.write(Data(
                    "showing the newest \(rows.count) of \(total) rollouts; --limit N or --all for more\n".utf8))
            }
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
            let daemonLive = try store.currentLease().map { $0.expiresAt >= wallNow } ?? false
            let now = try store.lastControllerPass()?.controllerNow(atWall: wallNow, daemonLive: daemonLive) ?? wallNow
            let view = RolloutView(
                record, pendingRequests: pending, now: now, breakGlass: try store.breakGlassState(rollout: rollout))
            print(try format.output.encode(view, kind: "Rollout") ?? view.rendered)
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
            let rows = try store.events(rollout: rollout).map { EventRow($0.event, id: $0.id) }
            if let encoded = try format.output.encode(items: rows, kind: "EventList") { return print(encoded) }
            // Virtual time only as an extra column, when the daemon ran in it.
            let virtual = rows.contains { $0.virtualSeconds != nil }
            print(table(
                ["ID", "AT"] + (virtual ? ["VIRTUAL"] : []) + ["ACTOR", "VERB", "MESSAGE"],
                rows.map { row in
                    ["\(row.id ?? 0)", row.at ?? "-"] + (virtual ? [row.virtualSeconds.map(ControllerTime.format) ?? "-"] : [])
                        + [row.actor, row.verb, row.message]
                }))
        }
    }
}
