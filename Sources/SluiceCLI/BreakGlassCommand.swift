import ArgumentParser
import Foundation
import SluiceBreakGlass
import SluiceCore
import SluiceManifests
import SluiceStore
import Synchronization

/// `sluice break-glass ROLLOUT --reason TEXT`
struct BreakGlass: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "break-glass",
        abstract: "Fence a rollout from the daemon and revert it on every node it reached, without the control plane.",
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
    @Option(name: .long, help: "Revert only this cluster (the whole rollout is fenced anyway).") var cluster: String?
    @Flag(name: .long, help: "Every active rollout.") var all = false
    @Option(name: .long, help: "The BreakGlass config (default: $SLUICE_BREAK_GLASS_CONFIG).") var config: String?
    @Option(name: .long, help: "The operator's break-glass key file (mode 600); or set SLUICE_BREAK_GLASS_TOKEN.")
    var keyFile: String?
    @Option(name: .long, help: "If the database cannot be used: every node of this Fleet file may have the artifact.")
    var fleet: String?
    @Option(name: .long, help: "If the database cannot be used: a file of `CLUSTER NODE` lines.") var nodesFrom: String?
    @Option(name: .long, help: "If the database cannot be used: the artifact as NAME or NAME:VERSION.") var artifact:
        String?
    @Option(name: .long, help: "Node reverts at once (default: the config's parallelism).") var parallelism: Int?
    @Option(name: .long, help: "Seconds to wait for a locked database before working without it.")
    var busyTimeout: Double = 1
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && rollout != nil { throw ValidationError("give a rollout or --all, not both") }
        if !all && rollout == nil { throw ValidationError("give the rollout to break glass on, or --all") }
        if let parallelism, parallelism < 1 { throw ValidationError("--parallelism must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures { try await breakGlass() }
    }

    func breakGlass() async throws {
        let environment = ProcessInfo.processInfo.environment
        let databasePath = global.db ?? SluiceStore.defaultPath(environment: environment)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw refused(
                CLIFailure(exitCode: 2, message: "break-glass needs --reason TEXT: why, for the record"),
                why: "no --reason given", databasePath: databasePath)
        }
        guard let configPath = config ?? environment["SLUICE_BREAK_GLASS_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 })
        else {
            throw refused(
                CLIFailure(
                    exitCode: 2, message: "break-glass needs its config: --config FILE or SLUICE_BREAK_GLASS_CONFIG"),
                why: "no config given", reason: reason, databasePath: databasePath)
        }
        let settings: BreakGlassConfig
        do { settings = try BreakGlassManifest.load(configPath) } catch {
            throw refused(
                CLIFailure(exitCode: 2, message: "\(error)"), why: "unusable config: \(error)", reason: reason,
                databasePath: databasePath)
        }
        let authority: String
        do {
            authority = try BreakGlassAuthority.check(config: settings, keyFile: keyFile, environment: environment)
        } catch {
            // The refusal names what is missing or wrong (a variable, a file, a config field), never the secret.
            throw refused(
                CLIFailure(exitCode: 1, message: "refused: \(error)"), why: "\(error)", reason: reason,
                databasePath: databasePath)
        }
        let channels = BreakGlassChannels.from(config: settings)
        let journal = BreakGlassJournal(forDatabase: databasePath)
        let clusters = cluster.map { [$0] }

        var store: SluiceStore?
        var plans: [Plan] = []
        do {
            let opened = try SluiceStore(path: databasePath, busyTimeoutSeconds: busyTimeout, createIfMissing: false)
            plans = try plansFromDatabase(opened, clusters: clusters)
            store = opened
        } catch StoreError.unknownRollout(let name) {
            throw CLIFailure.from(.unknownRollout(name))
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            note(
                "the database cannot be used (\(error)); working without it: the run is kept in \(journal.path) and "
                    + "imported into the database once it can be used")
            // Locked for writing, it can often still be read: its journal names the nodes exactly.
            if let readable = try? SluiceStore(readOnlyPath: databasePath, busyTimeoutSeconds: busyTimeout),
                let fromJournal = try? plansFromDatabase(readable, clusters: clusters)
            {
                note("the nodes come from the database's journal, which can still be read")
                plans = fromJournal
            } else {
                plans = try fallbackPlans(clusters: clusters)
            }
        }
        if all && plans.isEmpty { return print("no active rollout; nothing to do") }

        var failures = 0
        for plan in plans {
            if let already = try alreadyDone(
                plan.name, targets: plan.targets, channels: channels, store: store, journal: journal)
            {
                print("\(plan.name): already broken-glass \(already); every node reverted, nothing to do")
                continue
            }
            let nodes = plan.targets.reduce(0) { $0 + $1.nodeNames.count }
            note(
                "\(plan.name): fencing and reverting \(nodes) nodes in \(plan.targets.count) clusters through \(channels.map(\.name).joined(separator: ", ")) (authority: \(authority))"
            )
            let reporter = ProgressReporter()
            let operation = BreakGlassOperation(
                channels: channels, journal: journal, store: store, parallelism: parallelism ?? settings.parallelism,
                attempts: settings.attempts, progress: reporter.report)
            // Applies a live daemon had under way when the fence landed (intended before it, or recorded between the
            // journal read for the targets and the fence) finish after it: revert their nodes again.
            let doneBefore = Set(
                ((try? store?.journal(rollout: plan.name)) ?? []).filter { $0.state == .done && $0.action.kind == .apply }
                    .map(\.action.key))
            var report = try await operation.run(
                rollout: plan.name, artifact: plan.artifact, targets: plan.targets, clusters: clusters ?? [],
                reason: reason, actor: currentActor, host: ProcessInfo.processInfo.hostName)
            let inFlight = ((try? store?.journal(rollout: plan.name)) ?? []).filter {
                $0.action.kind == .apply && !doneBefore.contains($0.action.key)
            }
            if let store, !inFlight.isEmpty, let record = try? store.rollout(named: plan.name) {
                let landed = await settle(
                    inFlight.map(\.action.key), rollout: plan.name, store: store, seconds: settings.timeoutSeconds)
                let again = ClusterTargets.fromJournal(
                    inFlight.filter { landed.contains($0.action.key) }, spec: record.spec, clusters: clusters)
                if !again.isEmpty {
                    note(
                        "\(plan.name): \(landed.count) applies were under way when the fence landed; reverting their nodes again"
                    )
                    let second = try await operation.run(
                        rollout: plan.name, artifact: plan.artifact, targets: again, clusters: clusters ?? [],
                        reason: reason + " (again, after in-flight applies)", actor: currentActor,
                        host: ProcessInfo.processInfo.hostName)
                    report.results += second.results
                }
            }
            let recorded = report.recordedInDatabase ? "recorded in the database" : "recorded in \(journal.path)"
            print("\(plan.name): \(report.outcome) (run \(report.runID), \(recorded))")
            for failed in report.failed.prefix(20) {
                print(
                    "  failed \(failed.cluster)/\(failed.node) via \(failed.channel) after \(failed.attempts) tries: \(failed.detail)"
                )
            }
            if !report.succeeded { failures += 1 }
        }
        if failures > 0 {
            throw CLIFailure(
                exitCode: 1, message: "some nodes were not reverted; run break-glass again to retry (it is idempotent)")
        }
    }

    /// Records a refused attempt in the event log when the database can be opened (never creating it), then returns
    /// `failure` to throw. One `refused` event (``SluiceStore/recordRefused(_:rollout:actor:reason:now:)``) on the
    /// rollout, or with `--all` on each active rollout (`*` when none is): `why` and the reason the operator gave.
    func refused(_ failure: CLIFailure, why: String, reason: String = "", databasePath: String) -> CLIFailure {
        guard let store = try? SluiceStore(path: databasePath, busyTimeoutSeconds: busyTimeout, createIfMissing: false)
        else { return failure }
        var names = [rollout ?? "*"]
        if all, let active = try? store.summaries(limit: nil).rollouts.filter({ !$0.phase.isFinished }).map(\.name),
            !active.isEmpty
        {
            names = active
        }
        let given = reason.isEmpty ? "" : " (reason given: \(reason))"
        do {
            for name in names {
                try store.recordRefused(
                    "break-glass", rollout: name, actor: currentActor, reason: why + given, now: wallNow)
            }
        } catch {
            note("the refusal could not be recorded in the event log: \(error)")
        }
        return failure
    }

    typealias Plan = (name: String, artifact: ArtifactRef, targets: [ClusterTargets])

    /// The rollouts asked for and the nodes their journal says may have the artifact.
    func plansFromDatabase(_ store: SluiceStore, clusters: [String]?) throws -> [Plan] {
        let names = try all ? store.summaries(limit: nil).rollouts.filter { !$0.phase.isFinished }.map(\.name) : [rollout!]
        return try names.map { name in
            guard let record = try store.rollout(named: name) else { throw StoreError.unknownRollout(name) }
            if let cluster, record.spec.cluster(named: cluster) == nil {
                throw CLIFailure(exitCode: 1, message: "rollout \(name) has no cluster '\(cluster)'")
            }
            let targets = ClusterTargets.fromJournal(try store.journal(rollout: name), spec: record.spec, clusters: clusters)
            return (name, record.spec.artifact, targets)
        }
    }

    /// Targets when the database cannot say: every node of the fleet file, or the node list.
    func fallbackPlans(clusters: [String]?) throws -> [Plan] {
        guard let rollout, !all else {
            throw CLIFailure(
                exitCode: 3, message: "--all needs the database; name the rollout and give --fleet or --nodes-from")
        }
        guard let artifact, let name = artifact.split(separator: ":").first.map(String.init), !name.isEmpty else {
            throw CLIFailure(
                exitCode: 3,
                message: "without the database, give --artifact NAME[:VERSION] and --fleet FILE or --nodes-from FILE")
        }
        let version = artifact.split(separator: ":").dropFirst().first.map(String.init) ?? ""
        let targets: [ClusterTargets]
        if let nodesFrom {
            guard let text = try? String(contentsOfFile: nodesFrom, encoding: .utf8) else {
                throw CLIFailure(exitCode: 2, message: "cannot read \(nodesFrom)")
            }
            do { targets = try ClusterTargets.fromNodeList(text, clusters: clusters) } catch {
                throw CLIFailure(exitCode: 2, message: "\(nodesFrom): \(error)")
            }
        } else if let fleet {
            do { targets = ClusterTargets.fromFleet(try FleetManifest.load(fleet), clusters: clusters) } catch {
                throw CLIFailure(exitCode: 2, message: "\(error)")
            }
        } else {
            throw CLIFailure(
                exitCode: 3,
                message: "without the database, give --fleet FILE or --nodes-from FILE so break-glass knows the nodes")
        }
        return [(rollout, ArtifactRef(name: name, version: version), targets)]
    }

    /// When break-glass already reverted every target node through every channel: since when and by whom.
    func alreadyDone(
        _ name: String, targets: [ClusterTargets], channels: [any BreakGlassChannel], store: SluiceStore?,
        journal: BreakGlassJournal
    ) throws -> String? {
        var latest: [String: String] = [:]
        var since = ""
        if let store {
            guard let fence = try store.breakGlassFence(rollout: name) else { return nil }
            for result in try store.breakGlassResults(rollout: name) {
                latest["\(result.cluster)/\(result.node)/\(result.channel)"] = result.state
            }
            since = "since \(ControllerTime.format(fence.fencedAt)) by \(fence.actor)"
        } else {
            let records = journal.records().filter { $0.rollout == name }
            guard let first = records.first(where: { $0.type == .intent }) else { return nil }
            for record in records where record.type == .node {
                latest["\(record.cluster ?? "")/\(record.node ?? "")/\(record.channel ?? "")"] = record.state
            }
            since = "since \(ControllerTime.format(first.at)) by \(first.actor ?? "?")"
        }
        for target in targets {
            for node in target.nodeNames {
                for channel in channels where latest["\(target.cluster)/\(node)/\(channel.name)"] != "reverted" {
                    return nil
                }
            }
        }
        return since
    }

    /// Waits, while a daemon holds a live lease and at most `seconds`, for the in-flight journal `keys` to finish;
    /// returns those that may have reached nodes (done or still unknown while the daemon lives).
    func settle(_ keys: [String], rollout: String, store: SluiceStore, seconds: Double) async -> Set<String> {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let entries = (try? store.journal(rollout: rollout)) ?? []
            let pending = Set(
                entries.filter { keys.contains($0.action.key) && $0.state == .intended }.map(\.action.key))
            let daemonAlive = ((try? store.currentLease())??.expiresAt ?? 0) > Date().timeIntervalSince1970
            if pending.isEmpty || !daemonAlive || Date() >= deadline {
                // A dead daemon's intents never land (a restarted one refuses them); a live one's may still.
                let done = entries.filter { keys.contains($0.action.key) && $0.state == .done }.map(\.action.key)
                return Set(done).union(daemonAlive ? pending : [])
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    func note(_ message: String) {
        FileHandle.standardError.write(Data("sluice: \(message)\n".utf8))
    }
}

/// Prints fan-out progress to stderr: each failure, and a line at every tenth of the nodes.
final class ProgressReporter: Sendable {
    private let lastTenth = Mutex(-1)

    func report(_ progress: BreakGlassProgress) {
        if let error = progress.error {
            FileHandle.standardError.write(
                Data(
                    "  \(progress.cluster) via \(progress.channel): \(progress.nodes.count) nodes failed: \(error)\n"
                        .utf8))
        }
        let tenth = progress.nodesTotal == 0 ? 10 : progress.nodesDone * 10 / progress.nodesTotal
        let isNew = lastTenth.withLock { last in
            defer { last = max(last, tenth) }
            return tenth > last
        }
        if isNew {
            FileHandle.standardError.write(
                Data(
                    "  \(progress.nodesDone)/\(progress.nodesTotal) node reverts done, \(progress.failed) failed\n".utf8
                ))
        }
    }
}
