import Foundation
public import SluiceCore
internal import SluiceManifests
public import SluiceStore

/// An operator's break-glass, once the credential is checked: which rollouts and nodes, each fenced and reverted,
/// and the nodes of applies a live daemon had under way reverted again.
///
/// It works with the database when it can be opened, from the database's journal when it can only be read, and else
/// from the nodes the operator names (``Fallback``); the journal file beside the database keeps the run either way.
/// It prints nothing: it reports through `note` and `progress` and returns what happened per rollout.
public struct BreakGlassSession: Sendable {
    /// What to break glass on.
    public enum Scope: Sendable, Equatable {
        /// One rollout by name.
        case rollout(String)
        /// Every rollout that is not finished.
        case allActive
    }

    /// The nodes to revert when the database cannot say which have the artifact.
    public struct Fallback: Sendable, Equatable {
        /// `NAME` or `NAME:VERSION`.
        public var artifact: String?
        /// A Fleet file: every node of it may have the artifact.
        public var fleetFile: String?
        /// A file of `CLUSTER NODE` lines.
        public var nodeListFile: String?

        public init(artifact: String? = nil, fleetFile: String? = nil, nodeListFile: String? = nil) {
            self.artifact = artifact
            self.fleetFile = fleetFile
            self.nodeListFile = nodeListFile
        }
    }

    /// What became of one rollout.
    public enum Outcome: Sendable, Equatable {
        /// Every target node was already reverted through every channel, `since` (when and by whom).
        case alreadyDone(rollout: String, since: String)
        /// This session ran break-glass; `report` has every node's result, the second run's included.
        case ran(rollout: String, report: BreakGlassReport)
    }

    public var scope: Scope
    /// Revert only this cluster (the whole rollout is fenced anyway).
    public var cluster: String?
    public var reason: String
    public var actor: String
    public var host: String
    public var config: BreakGlassConfig
    public var channels: [any BreakGlassChannel]
    public var databasePath: String
    /// Node reverts at once; nil takes the config's.
    public var parallelism: Int?
    /// Seconds to wait for a locked database before working without it.
    public var busyTimeoutSeconds: Double
    public var fallback: Fallback
    /// Told what the session decides on the way (the database cannot be used, how many nodes, a second run).
    public var note: @Sendable (String) -> Void
    public var progress: @Sendable (BreakGlassProgress) async -> Void

    public init(
        scope: Scope, cluster: String? = nil, reason: String, actor: String, host: String,
        config: BreakGlassConfig,
        channels: [any BreakGlassChannel], databasePath: String, parallelism: Int? = nil,
        busyTimeoutSeconds: Double = 1, fallback: Fallback = Fallback(),
        note: @escaping @Sendable (String) -> Void = { _ in },
        progress: @escaping @Sendable (BreakGlassProgress) async -> Void = { _ in }
    ) {
        self.scope = scope
        self.cluster = cluster
        self.reason = reason
        self.actor = actor
        self.host = host
        self.config = config
        self.channels = channels
        self.databasePath = databasePath
        self.parallelism = parallelism
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.fallback = fallback
        self.note = note
        self.progress = progress
    }

    /// The journal file this session keeps its runs in.
    public var journal: BreakGlassJournal { BreakGlassJournal(forDatabase: databasePath) }

    /// One rollout to revert: its artifact and the nodes that may have it.
    struct Plan {
        var name: String
        var artifact: ArtifactRef
        var targets: [ClusterTargets]
    }

    /// Fences and reverts every rollout in scope; an empty result with ``Scope/allActive`` means none was active.
    public func run() async throws(BreakGlassSessionError) -> [Outcome] {
        let (plans, store) = try plansAndStore()
        var outcomes: [Outcome] = []
        for plan in plans {
            if let since = alreadyDone(plan, store: store) {
                outcomes.append(.alreadyDone(rollout: plan.name, since: since))
                continue
            }
            do {
                outcomes.append(.ran(rollout: plan.name, report: try await revert(plan, store: store)))
            } catch {
                throw .journalUnwritable("\(error)")
            }
        }
        return outcomes
    }

    /// The plans, with the database they came from when it can be written to.
    func plansAndStore() throws(BreakGlassSessionError) -> ([Plan], SluiceStore?) {
        do {
            let store = try SluiceStore(
                path: databasePath, busyTimeoutSeconds: busyTimeoutSeconds, createIfMissing: false)
            return (try plans(from: store), store)
        } catch let error as BreakGlassSessionError {
            throw error
        } catch StoreError.unknownRollout(let name) {
            throw .unknownRollout(name)
        } catch {
            note(
                "the database cannot be used (\(error)); working without it: the run is kept in \(journal.path) and "
                    + "imported into the database once it can be used")
        }
        // Locked for writing, it can often still be read: its journal names the nodes exactly.
        if let readable = try? SluiceStore(
            readOnlyPath: databasePath, busyTimeoutSeconds: busyTimeoutSeconds),
            let fromJournal = try? plans(from: readable)
        {
            note("the nodes come from the database's journal, which can still be read")
            return (fromJournal, nil)
        }
        return (try fallbackPlans(), nil)
    }

    /// The rollouts in scope and the nodes their journal says may have the artifact.
    func plans(from store: SluiceStore) throws -> [Plan] {
        let names =
            switch scope {
            case .rollout(let name): [name]
            case .allActive:
                try store.summaries(limit: nil).rollouts.filter { !$0.phase.isFinished }.map(\.name)
            }
        return try names.map { name in
            guard let record = try store.rollout(named: name) else {
                throw StoreError.unknownRollout(name)
            }
            if let cluster, record.spec.cluster(named: cluster) == nil {
                throw BreakGlassSessionError.unknownCluster(rollout: name, cluster: cluster)
            }
            let targets = ClusterTargets.fromJournal(
                try store.journal(rollout: name), spec: record.spec, clusters: cluster.map { [$0] })
            return Plan(name: name, artifact: record.spec.artifact, targets: targets)
        }
    }

    /// The plan when the database cannot say: every node of the fleet file, or the node list.
    func fallbackPlans() throws(BreakGlassSessionError) -> [Plan] {
        guard case .rollout(let rollout) = scope else { throw .allNeedsDatabase }
        guard let artifact = fallback.artifact,
            let name = artifact.split(separator: ":").first.map(String.init),
            !name.isEmpty
        else { throw .artifactNeeded }
        let version = artifact.split(separator: ":").dropFirst().first.map(String.init) ?? ""
        let clusters = cluster.map { [$0] }
        let targets: [ClusterTargets]
        if let path = fallback.nodeListFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .unusableNodeFile("cannot read \(path)")
            }
            do { targets = try ClusterTargets.fromNodeList(text, clusters: clusters) } catch {
                throw .unusableNodeFile("\(path): \(error)")
            }
        } else if let path = fallback.fleetFile {
            do {
                targets = ClusterTargets.fromFleet(try FleetManifest.load(path), clusters: clusters)
            } catch {
                throw .unusableNodeFile("\(error)")
            }
        } else {
            throw .nodesNeeded
        }
        return [
            Plan(name: rollout, artifact: ArtifactRef(name: name, version: version), targets: targets)
        ]
    }

    /// Fences `plan`'s rollout and reverts its nodes; then, for applies a live daemon had under way when the fence
    /// landed (intended before it, or recorded between the journal read and the fence), reverts their nodes again
    /// once they finish.
    func revert(_ plan: Plan, store: SluiceStore?) async throws -> BreakGlassReport {
        let nodes = plan.targets.reduce(0) { $0 + $1.nodeNames.count }
        note(
            "\(plan.name): fencing and reverting \(nodes) nodes in \(plan.targets.count) clusters through "
                + channels.map(\.name).joined(separator: ", "))
        let operation = BreakGlassOperation(
            channels: channels, journal: journal, store: store,
            parallelism: parallelism ?? config.parallelism,
            attempts: config.attempts, progress: progress)
        let clusters = cluster.map { [$0] } ?? []
        let doneBefore = Set(
            appliesInJournal(of: plan.name, store: store).filter { $0.state == .done }.map(\.action.key))
        var report = try await operation.run(
            rollout: plan.name, artifact: plan.artifact, targets: plan.targets, clusters: clusters,
            reason: reason,
            actor: actor, host: host)
        let inFlight = appliesInJournal(of: plan.name, store: store).filter {
            !doneBefore.contains($0.action.key)
        }
        guard let store, !inFlight.isEmpty, let record = try? store.rollout(named: plan.name) else {
            return report
        }
        let landed = await settle(inFlight.map(\.action.key), rollout: plan.name, store: store)
        let again = ClusterTargets.fromJournal(
            inFlight.filter { landed.contains($0.action.key) }, spec: record.spec,
            clusters: cluster.map { [$0] })
        guard !again.isEmpty else { return report }
        note(
            "\(plan.name): \(landed.count) applies were under way when the fence landed; reverting their nodes again"
        )
        let second = try await operation.run(
            rollout: plan.name, artifact: plan.artifact, targets: again, clusters: clusters,
            reason: reason + " (again, after in-flight applies)", actor: actor, host: host)
        report.results += second.results
        return report
    }

    func appliesInJournal(of rollout: String, store: SluiceStore?) -> [JournalEntry] {
        ((try? store?.journal(rollout: rollout)) ?? []).filter { $0.action.kind == .apply }
    }

    /// When break-glass already reverted every target node through every channel: since when and by whom.
    func alreadyDone(_ plan: Plan, store: SluiceStore?) -> String? {
        var latest: [String: String] = [:]
        let since: String
        if let store {
            guard let fence = try? store.breakGlassFence(rollout: plan.name),
                let results = try? store.breakGlassResults(rollout: plan.name)
            else { return nil }
            for result in results {
                latest["\(result.cluster)/\(result.node)/\(result.channel)"] = result.state
            }
            since = "since \(ControllerTime.format(fence.fencedAt)) by \(fence.actor)"
        } else {
            let records = journal.records().filter { $0.rollout == plan.name }
            guard let first = records.first(where: { $0.type == .intent }) else { return nil }
            for record in records where record.type == .node {
                latest["\(record.cluster ?? "")/\(record.node ?? "")/\(record.channel ?? "")"] =
                    record.state
            }
            since = "since \(ControllerTime.format(first.at)) by \(first.actor ?? "?")"
        }
        let everyNodeReverted = plan.targets.allSatisfy { target in
            target.nodeNames.allSatisfy { node in
                channels.allSatisfy { latest["\(target.cluster)/\(node)/\($0.name)"] == "reverted" }
            }
        }
        return everyNodeReverted ? since : nil
    }

    /// Waits, while a daemon holds a live lease and at most the config's timeout, for the in-flight journal `keys`
    /// to finish; returns those that may have reached nodes (done, or still unknown while the daemon lives).
    func settle(_ keys: [String], rollout: String, store: SluiceStore) async -> Set<String> {
        let deadline = Date().addingTimeInterval(config.timeoutSeconds)
        while true {
            let entries = (try? store.journal(rollout: rollout)) ?? []
            let pending = Set(
                entries.filter { keys.contains($0.action.key) && $0.state == .intended }.map(\.action.key))
            let daemonAlive =
                ((try? store.currentLease())??.expiresAt ?? 0) > Date().timeIntervalSince1970
            if pending.isEmpty || !daemonAlive || Date() >= deadline {
                // A dead daemon's intents never land (a restarted one refuses them); a live one's may still.
                let done = entries.filter { keys.contains($0.action.key) && $0.state == .done }.map(
                    \.action.key)
                return Set(done).union(daemonAlive ? pending : [])
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Records a refused break-glass in the event log when the database can be opened (never creating it): one
    /// `refused` event on the rollout, or with ``Scope/allActive`` on each active rollout (`*` when none is), with
    /// `why` and the reason the operator gave. Returns the problem when the event could not be recorded.
    public static func recordRefusal(
        scope: Scope, why: String, reason: String, actor: String, now: Double, databasePath: String,
        busyTimeoutSeconds: Double
    ) -> (any Error)? {
        guard
            let store = try? SluiceStore(
                path: databasePath, busyTimeoutSeconds: busyTimeoutSeconds, createIfMissing: false)
        else { return nil }
        var names = ["*"]
        switch scope {
        case .rollout(let name): names = [name]
        case .allActive:
            if let active = try? store.summaries(limit: nil).rollouts.filter({ !$0.phase.isFinished })
                .map(\.name),
                !active.isEmpty
            {
                names = active
            }
        }
        let given = reason.isEmpty ? "" : " (reason given: \(reason))"
        do {
            for name in names {
                try store.recordRefused(
                    "break-glass", rollout: name, actor: actor, reason: why + given, now: now)
            }
            return nil
        } catch {
            return error
        }
    }
}

/// Why a break-glass session could not start or finish; each says what to give instead.
public enum BreakGlassSessionError: Error, Equatable, CustomStringConvertible {
    case unknownRollout(String)
    case unknownCluster(rollout: String, cluster: String)
    /// All active rollouts were asked for, and only the database knows them.
    case allNeedsDatabase
    case artifactNeeded
    case nodesNeeded
    /// The fleet file or node list given for the nodes cannot be used.
    case unusableNodeFile(String)
    /// Neither the journal file nor the database took the run's intent: nothing was done.
    case journalUnwritable(String)

    public var description: String {
        switch self {
        case .unknownRollout(let name): "no rollout named \(name)"
        case .unknownCluster(let rollout, let cluster): "rollout \(rollout) has no cluster '\(cluster)'"
        case .allNeedsDatabase:
            "--all needs the database; name the rollout and give --fleet or --nodes-from"
        case .artifactNeeded:
            "without the database, give --artifact NAME[:VERSION] and --fleet FILE or --nodes-from FILE"
        case .nodesNeeded:
            "without the database, give --fleet FILE or --nodes-from FILE so break-glass knows the nodes"
        case .unusableNodeFile(let problem): problem
        case .journalUnwritable(let problem): problem
        }
    }
}
