import ArgumentParser
import Foundation
import SluiceBreakGlass
import SluiceCore
import SluiceStore
import Synchronization

/// `sluice break-glass ROLLOUT --reason TEXT`
struct BreakGlass: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "break-glass",
        abstract:
            "Fence a rollout from the daemon and revert it on every node it reached, without the control plane.",
        discussion: """
            Needs neither sluiced nor the Kubernetes API. Records its intent first, fences the rollout (sluiced applies \
            nothing more to it, even mid-batch), then reverts the artifact on every node of every batch the journal \
            says was applied or intended, through the channels of the BreakGlass config: a per-node command and/or an \
            etcd kill switch. Needs the break-glass credential (--key-file, or SLUICE_BREAK_GLASS_TOKEN) and a reason.

            If the database is locked, missing or corrupt, the nodes come from its journal if it can still be read, \
            else from --fleet or --nodes-from; the run is kept in DB.break-glass.jsonl, imported into the database by \
            the next sluice command, sluiced start or sluiced pass.
            Running it again is safe; a rollout already broken-glass with every node reverted is reported, exit 0.
            A refused attempt (no reason, no config, a bad credential) leaves a `refused` event in the log when the \
            database can be opened.
            """)

    @Argument(help: "The rollout (omit with --all).") var rollout: String?
    @Option(name: .long, help: "Why the glass is broken, for the record (required).") var reason = ""
    @Option(name: .long, help: "Revert only this cluster (the whole rollout is fenced anyway).")
    var cluster: String?
    @Flag(name: .long, help: "Every active rollout.") var all = false
    @Option(name: .long, help: "The BreakGlass config (default: $SLUICE_BREAK_GLASS_CONFIG).")
    var config: String?
    @Option(
        name: .long,
        help: "The operator's break-glass key file (mode 600); or set SLUICE_BREAK_GLASS_TOKEN.")
    var keyFile: String?
    @Option(
        name: .long,
        help: "If the database cannot be used: every node of this Fleet file may have the artifact.")
    var fleet: String?
    @Option(name: .long, help: "If the database cannot be used: a file of `CLUSTER NODE` lines.")
    var nodesFrom: String?
    @Option(
        name: .long, help: "If the database cannot be used: the artifact as NAME or NAME:VERSION.")
    var artifact: String?
    @Option(name: .long, help: "Node reverts at once (default: the config's parallelism).")
    var parallelism: Int?
    @Option(name: .long, help: "Seconds to wait for a locked database before working without it.")
    var busyTimeout: Double = 1
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && rollout != nil { throw ValidationError("give a rollout or --all, not both") }
        if !all && rollout == nil {
            throw ValidationError("give the rollout to break glass on, or --all")
        }
        if let parallelism, parallelism < 1 {
            throw ValidationError("--parallelism must be at least 1")
        }
    }

    func run() async throws {
        try await reportingFailures { try await breakGlass() }
    }

    func breakGlass() async throws {
        let environment = ProcessInfo.processInfo.environment
        let databasePath = global.db ?? SluiceStore.defaultPath(environment: environment)
        let (reason, settings) = try authorize(databasePath: databasePath, environment: environment)
        let session = BreakGlassSession(
            scope: scope, cluster: cluster, reason: reason, actor: currentActor,
            host: ProcessInfo.processInfo.hostName, config: settings,
            channels: BreakGlassChannels.from(config: settings), databasePath: databasePath,
            parallelism: parallelism, busyTimeoutSeconds: busyTimeout,
            fallback: .init(artifact: artifact, fleetFile: fleet, nodeListFile: nodesFrom),
            note: { note($0) }, progress: ProgressReporter().report)
        let outcomes: [BreakGlassSession.Outcome]
        do { outcomes = try await session.run() } catch { throw Self.failure(error) }
        if all && outcomes.isEmpty { return print("no active rollout; nothing to do") }
        try report(outcomes, journal: session.journal)
    }

    /// Prints what became of each rollout; throws (exit 1) when a node was not reverted.
    func report(_ outcomes: [BreakGlassSession.Outcome], journal: BreakGlassJournal) throws {
        var failures = 0
        for outcome in outcomes {
            switch outcome {
            case .alreadyDone(let rollout, let since):
                print("\(rollout): already broken-glass \(since); every node reverted, nothing to do")
            case .ran(let rollout, let report):
                let recorded =
                    report.recordedInDatabase
                    ? "recorded in the database" : "recorded in \(journal.path)"
                print("\(rollout): \(report.outcome) (run \(report.runID), \(recorded))")
                for failed in report.failed.prefix(20) {
                    print(
                        "  failed \(failed.cluster)/\(failed.node) via \(failed.channel) after \(failed.attempts) tries: "
                            + failed.detail)
                }
                if !report.succeeded { failures += 1 }
            }
        }
        if failures > 0 {
            throw CLIFailure(
                exitCode: 1,
                message: "some nodes were not reverted; run break-glass again to retry (it is idempotent)")
        }
    }

    /// The reason and the config, once the operator's credential is checked; every refusal is recorded first.
    func authorize(
        databasePath: String, environment: [String: String]
    ) throws -> (
        reason: String, settings: BreakGlassConfig
    ) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw refused(
                CLIFailure(exitCode: 2, message: "break-glass needs --reason TEXT: why, for the record"),
                why: "no --reason given", databasePath: databasePath)
        }
        guard
            let configPath = config
                ?? environment["SLUICE_BREAK_GLASS_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 })
        else {
            throw refused(
                CLIFailure(
                    exitCode: 2,
                    message: "break-glass needs its config: --config FILE or SLUICE_BREAK_GLASS_CONFIG"),
                why: "no config given", reason: reason, databasePath: databasePath)
        }
        let settings: BreakGlassConfig
        do { settings = try BreakGlassManifest.load(configPath) } catch {
            throw refused(
                CLIFailure(exitCode: 2, message: "\(error)"), why: "unusable config: \(error)",
                reason: reason,
                databasePath: databasePath)
        }
        let authority: String
        do {
            authority = try BreakGlassAuthority.check(
                config: settings, keyFile: keyFile, environment: environment)
        } catch {
            // The refusal names what is missing or wrong (a variable, a file, a config field), never the secret.
            throw refused(
                CLIFailure(exitCode: 1, message: "refused: \(error)"), why: "\(error)", reason: reason,
                databasePath: databasePath)
        }
        note("authority: \(authority)")
        return (reason, settings)
    }

    var scope: BreakGlassSession.Scope { rollout.map { .rollout($0) } ?? .allActive }

    /// The documented exit code of each session error: 3 when the database is needed or cannot be replaced, 2 for a
    /// file the operator gave, 1 otherwise.
    static func failure(_ error: BreakGlassSessionError) -> CLIFailure {
        switch error {
        case .unknownRollout(let name): CLIFailure.from(.unknownRollout(name))
        case .allNeedsDatabase, .artifactNeeded, .nodesNeeded:
            CLIFailure(exitCode: 3, message: error.description)
        case .unusableNodeFile: CLIFailure(exitCode: 2, message: error.description)
        case .unknownCluster, .journalUnwritable: CLIFailure(exitCode: 1, message: error.description)
        }
    }

    /// Records a refused attempt in the event log when the database can be opened, then returns `failure` to throw.
    func refused(
        _ failure: CLIFailure, why: String, reason: String = "", databasePath: String
    )
        -> CLIFailure
    {
        if let problem = BreakGlassSession.recordRefusal(
            scope: scope, why: why, reason: reason, actor: currentActor, now: wallNow,
            databasePath: databasePath,
            busyTimeoutSeconds: busyTimeout)
        {
            note("the refusal could not be recorded in the event log: \(problem)")
        }
        return failure
    }

    func note(_ message: String) {
        FileHandle.standardError.write(Data("sluice: \(message)\n".utf8))
    }
}

/// Prints fan-out progress to stderr: each failure, and a line at every tenth of each rollout's nodes.
final class ProgressReporter: Sendable {
    private let lastTenth = Mutex<[String: Int]>([:])

    func report(_ progress: BreakGlassProgress) {
        for line in lines(for: progress) { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
    }

    /// The lines `progress` is worth: its failure, and the count when it reaches a new tenth of its rollout.
    func lines(for progress: BreakGlassProgress) -> [String] {
        var lines: [String] = []
        if let error = progress.error {
            lines.append("\(progress.cluster) via \(progress.channel): \(progress.nodes.count) nodes failed: \(error)")
        }
        let tenth = progress.nodesTotal == 0 ? 10 : progress.nodesDone * 10 / progress.nodesTotal
        let isNew = lastTenth.withLock { last in
            defer { last[progress.rollout] = max(last[progress.rollout] ?? -1, tenth) }
            return tenth > last[progress.rollout] ?? -1
        }
        if isNew {
            lines.append("\(progress.nodesDone)/\(progress.nodesTotal) node reverts done, \(progress.failed) failed")
        }
        return lines
    }
}
