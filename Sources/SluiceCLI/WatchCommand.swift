import ArgumentParser
import Foundation
import SluiceCore
import SluiceStore

/// `sluice watch ROLLOUT`
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a rollout live until it ends; the exit code tells how it ended.",
        discussion: """
            On a terminal: a full-screen view redrawn when the database changes: phase, what happens next and when, \
            waves and clusters with progress bars, every gate's value against its threshold with its recent values, \
            the last events, and a banner when sluiced is not running, signals are missing or stale, or the rollout \
            is fenced by break-glass. Ctrl-C restores the terminal.

            Piped (not a terminal): one plain line per change, like `kubectl get -w`; `-o json` prints one JSON \
            object (kind WatchFrame, docs/output.md) per line and change instead. A stream is JSON only: YAML has no \
            one-line documents.

            Exit codes: 0 the rollout completed; 10 rolled back; 11 aborted; 12 halted (only with --exit-on-halt, \
            once any cluster rollback the halt started is done); \
            1 unknown rollout; 3 the database cannot be used; 130 interrupted (Ctrl-C).
            """)

    /// How `watch` prints.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case json
    }

    /// The exit codes of `watch` for each way a rollout ends.
    enum Outcome: Int32 {
        case completed = 0
        case rolledBack = 10
        case aborted = 11
        case halted = 12

        /// The outcome of a rollout in `phase`, or nil while it goes on. Halted counts only with `exitOnHalt`, and
        /// only once no cluster is still reverting (a gate's rollbackCluster halts first, then reverts).
        static func of(_ phase: RolloutPhase, reverting: Bool = false, exitOnHalt: Bool) -> Outcome? {
            switch phase {
            case .completed: .completed
            case .rolledBack: .rolledBack
            case .aborted: .aborted
            case .halted: exitOnHalt && !reverting ? .halted : nil
            default: nil
            }
        }
    }

    @Argument(help: "The rollout.") var rollout: String
    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: "Output: table (a live screen on a terminal, plain lines otherwise) or json.")
    var output: Format = .table

    @Flag(help: "Exit with code 12 when the rollout halts (after the reverts it started), instead of waiting on.")
    var exitOnHalt = false

    @Option(help: "Seconds between checks of the database for changes (a check reads one counter, not a table).")
    var pollInterval: Double = 0.1

    func validate() throws {
        guard pollInterval > 0 && pollInterval <= 60 else {
            throw ValidationError("--poll-interval must be between 0 and 60 seconds, e.g. 0.25")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            guard try store.rollout(named: rollout) != nil else { throw StoreError.unknownRollout(rollout) }
            guard let path = store.path else { throw CLIFailure(exitCode: 3, message: "watch needs a database file") }
            let watcher = try ChangeWatcher(path: path)
            let color = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            let screen: TerminalScreen? = output == .table && TerminalScreen.standardOutputIsTerminal
                ? TerminalScreen() : nil
            screen?.enter()
            defer { screen?.leave() }
            let encoder = OutputFormat.jsonEncoder(pretty: false)

            var lastVersion: Int?
            var lastFrameAt = -Double.infinity
            var lastLine: String?
            while true {
                let version = try watcher.dataVersion()
                let now = wallNow
                // Redraw on a change, and once a second for the clock, bakes and the lease.
                if version != lastVersion || now - lastFrameAt >= 1 {
                    lastVersion = version
                    lastFrameAt = now
                    let model = WatchModel(try Self.input(store: store, rollout: rollout, wallNow: now))
                    let line = WatchRender.line(model)
                    if let screen {
                        screen.draw(WatchRender.screen(model, style: .init(color: color)))
                    } else if line != lastLine {
                        // Unbuffered, so a reader on the other end of a pipe sees each change at once.
                        let frame = Document(kind: "WatchFrame", body: model)
                        let text = output == .json ? String(decoding: try encoder.encode(frame), as: UTF8.self) : line
                        FileHandle.standardOutput.write(Data((text + "\n").utf8))
                    }
                    lastLine = line
                    let reverting = model.rollout.waves.contains { $0.clusters.contains { $0.state == .progress(.reverting) } }
                    let phase = model.rollout.phase
                    if let outcome = Outcome.of(phase, reverting: reverting, exitOnHalt: exitOnHalt) {
                        if let screen {
                            screen.leave()
                            print(WatchRender.screen(model, style: .init(color: color)).joined(separator: "\n"))
                        }
                        throw ExitCode(outcome.rawValue)
                    }
                }
                try await Task.sleep(for: .seconds(pollInterval))
            }
        }
    }

    /// Everything one frame shows, read from the store.
    static func input(store: SluiceStore, rollout: String, wallNow: Double) throws -> WatchInput {
        guard let record = try store.rollout(named: rollout) else { throw StoreError.unknownRollout(rollout) }
        let gateCount = max(1, record.spec.policy.gates.count)
        let evaluations = try store.gateEvaluations(
            rollout: rollout, limit: gateCount * max(1, record.spec.clustersInOrder.count) * WatchModel.historyLength)
        let lease = try store.currentLease().map { LeaseSeen(owner: $0.owner, expiresAt: $0.expiresAt) }
        let lastPass = try store.lastControllerPass()
        // While a daemon holds the lease its clock runs on from its last pass; without one it stands still.
        let daemonLive = lease.map { $0.expiresAt >= wallNow } ?? false
        let controllerNow = lastPass?.controllerNow(atWall: wallNow, daemonLive: daemonLive)
        return WatchInput(
            record: record, events: try store.latestEvents(rollout: rollout, count: WatchModel.eventCount),
            daemonEvents: try store.eventSpan(rollout: rollout, actor: Reconciler.actor), evaluations: evaluations,
            pendingRequests: try store.requests(rollout: rollout).filter { $0.state == "pending" }
                .map(\.request.verb.rawValue),
            controllerNow: controllerNow ?? wallNow, wallNow: wallNow, lease: lease, lastPassWallAt: lastPass?.wallAt,
            breakGlass: try store.breakGlassState(rollout: rollout))
    }
}
