public import Foundation
public import SluiceCore
public import SluiceStore
import Synchronization

/// The nodes of one cluster that may run the artifact.
public struct ClusterTargets: Sendable, Equatable {
    public var cluster: String
    /// Node indices in the cluster's rollout order, with their names.
    public var nodeIndices: [Int]
    public var nodeNames: [String]

    public init(cluster: String, nodeIndices: [Int], nodeNames: [String]) {
        self.cluster = cluster
        self.nodeIndices = nodeIndices
        self.nodeNames = nodeNames
    }

    /// Every node of the journal's apply actions (intended, done or failed: any may have reached nodes) in
    /// `clusters` (all when nil), per cluster in rollout order.
    public static func fromJournal(_ journal: [JournalEntry], spec: RolloutSpec, clusters: [String]?)
        -> [ClusterTargets]
    {
        spec.clustersInOrder.compactMap { entry -> ClusterTargets? in
            let cluster = entry.cluster.cluster
            if let clusters, !clusters.contains(cluster.name) { return nil }
            var indices = Set<Int>()
            for item in journal where item.action.kind == .apply && item.action.cluster == cluster.name {
                indices.formUnion(item.action.nodes.clamped(to: 0..<cluster.nodeCount))
            }
            guard !indices.isEmpty else { return nil }
            let sorted = indices.sorted()
            return ClusterTargets(
                cluster: cluster.name, nodeIndices: sorted, nodeNames: sorted.map(cluster.nodeName(at:)))
        }
    }

    /// Every node of `clusters` (all when nil) of a fleet: for when the database cannot say which nodes were reached.
    public static func fromFleet(_ fleet: Fleet, clusters: [String]?) -> [ClusterTargets] {
        fleet.clusters.compactMap { cluster in
            if let clusters, !clusters.contains(cluster.name) { return nil }
            let indices = Array(0..<cluster.nodeCount)
            return ClusterTargets(
                cluster: cluster.name, nodeIndices: indices, nodeNames: indices.map(cluster.nodeName(at:)))
        }
    }

    /// Nodes from a text file of `CLUSTER NODE` lines (blank lines and `#` comments skipped), in file order. Names
    /// follow the fleet file's rules (``KubernetesName``): a line with another name is refused with its number.
    public static func fromNodeList(_ text: String, clusters: [String]?) throws -> [ClusterTargets] {
        var order: [String] = []
        var byCluster: [String: [String]] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.isEmpty || words[0].hasPrefix("#") { continue }
            guard words.count == 2 else {
                throw BreakGlassChannelError("line \(number + 1): expected `CLUSTER NODE`, found '\(line)'")
            }
            let cluster = String(words[0])
            if let problem = KubernetesName.labelProblem(cluster) {
                throw BreakGlassChannelError(
                    "line \(number + 1): \(KubernetesName.quoted(cluster)) is not a valid cluster name: \(problem)")
            }
            let node = String(words[1])
            if let problem = KubernetesName.subdomainProblem(node) {
                throw BreakGlassChannelError(
                    "line \(number + 1): \(KubernetesName.quoted(node)) is not a valid node name: \(problem)")
            }
            if let clusters, !clusters.contains(cluster) { continue }
            if byCluster[cluster] == nil { order.append(cluster) }
            if !(byCluster[cluster]?.contains(String(words[1])) ?? false) {
                byCluster[cluster, default: []].append(String(words[1]))
            }
        }
        return order.map { cluster in
            let names = byCluster[cluster]!
            return ClusterTargets(cluster: cluster, nodeIndices: Array(names.indices), nodeNames: names)
        }
    }
}

/// Progress of a break-glass fan-out, after each call.
public struct BreakGlassProgress: Sendable, Equatable {
    /// The rollout being reverted: a session may revert several, one after another.
    public var rollout: String
    public var nodesDone: Int
    public var nodesTotal: Int
    public var failed: Int
    /// The call just finished: cluster, channel, the nodes it covered, and its error if it failed for good.
    public var cluster: String
    public var channel: String
    public var nodes: [String]
    public var error: String?

    public init(
        rollout: String, nodesDone: Int, nodesTotal: Int, failed: Int, cluster: String, channel: String,
        nodes: [String], error: String?
    ) {
        self.rollout = rollout
        self.nodesDone = nodesDone
        self.nodesTotal = nodesTotal
        self.failed = failed
        self.cluster = cluster
        self.channel = channel
        self.nodes = nodes
        self.error = error
    }
}

/// What a break-glass run did.
public struct BreakGlassReport: Sendable, Equatable {
    public var runID: String
    public var rollout: String
    /// The result per node and channel, by cluster, node, channel.
    public var results: [BreakGlassNodeResult]
    /// Whether the run was recorded in the database (else only in the journal file, imported later).
    public var recordedInDatabase: Bool

    public var reverted: Int { results.filter { $0.state == "reverted" }.count }
    public var failed: [BreakGlassNodeResult] { results.filter { $0.state != "reverted" } }
    public var succeeded: Bool { failed.isEmpty }

    /// One line for the record and the console.
    public var outcome: String {
        let nodes = Set(results.map { "\($0.cluster)/\($0.node)" }).count
        let channels = Set(results.map(\.channel)).sorted().joined(separator: ", ")
        if succeeded { return "reverted \(nodes) nodes through \(channels)" }
        return "\(failed.count) of \(results.count) node reverts failed (\(nodes) nodes through \(channels))"
    }
}

/// One break-glass run: fence the rollout, then revert its nodes through every channel, in parallel with a bound.
///
/// The intent goes to the journal file first (it needs nothing but the file system), then into the database when
/// there is one, which fences the rollout: from then on `sluiced` carries out nothing for it. Each node's result is
/// appended to the journal as it comes (synced with those around it, every ``journalSyncSeconds``; all of them before
/// the run returns), and the whole run is imported into the database at the end. A node that
/// fails is tried `attempts` times. Running the same break-glass again is safe: channels are idempotent and
/// importing the journal twice changes nothing.
///
/// For the daemon's automatic escalation: build the channels (``SimulatorNodeChannel`` in simulation, else from the
/// `BreakGlass` config with ``BreakGlassChannels/from(config:environment:)``), the targets with
/// ``ClusterTargets/fromJournal(_:spec:clusters:)`` for the failing cluster, and call ``run(rollout:artifact:targets:clusters:reason:actor:host:)``
/// with the daemon's own store.
public struct BreakGlassOperation: Sendable {
    public var channels: [any BreakGlassChannel]
    /// The journal file; nil for an in-memory store (simulation), where the database is the only record.
    public var journal: BreakGlassJournal?
    /// The database, or nil when it cannot be used (locked, missing, corrupt).
    public var store: SluiceStore?
    public var parallelism: Int
    public var attempts: Int
    /// Wall-clock seconds, for the record.
    public var now: @Sendable () -> Double
    /// Pause before retry `n` (1-based) of a failed call.
    public var retryDelay: @Sendable (Int) -> Duration
    /// Told after each call's results are taken in; the run waits for it (so a slow reporter slows intake only).
    public var progress: @Sendable (BreakGlassProgress) async -> Void
    /// Longest a node's result waits in the journal file's buffer before a sync puts it on disk.
    public var journalSyncSeconds: Double = 0.1

    public init(
        channels: [any BreakGlassChannel], journal: BreakGlassJournal?, store: SluiceStore?, parallelism: Int = 32,
        attempts: Int = 3, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        retryDelay: @escaping @Sendable (Int) -> Duration = { .milliseconds(200 * $0) },
        progress: @escaping @Sendable (BreakGlassProgress) async -> Void = { _ in }
    ) {
        self.channels = channels
        self.journal = journal
        self.store = store
        self.parallelism = parallelism
        self.attempts = attempts
        self.now = now
        self.retryDelay = retryDelay
        self.progress = progress
    }

    struct Call: Sendable {
        var cluster: String
        var channel: Int
        var nodeIndices: [Int]
        var nodeNames: [String]
    }

    /// Runs break-glass on `targets` of `rollout`. `clusters` is what the operator asked for (empty: every cluster).
    ///
    /// Throws only when the intent cannot be recorded anywhere (the journal file cannot be written and there is no
    /// database): then nothing was done.
    public func run(
        rollout: String, artifact: ArtifactRef, targets: [ClusterTargets], clusters: [String], reason: String,
        actor: String, host: String
    ) async throws -> BreakGlassReport {
        let runID = "bg-" + UUID().uuidString.lowercased().prefix(8)
        var intent = BreakGlassJournalRecord(type: .intent, runID: runID, rollout: rollout, at: now())
        intent.clusters = clusters
        intent.reason = reason
        intent.actor = actor
        intent.host = host
        let kept = try RunRecords(intent: intent, journal: journal, syncSeconds: journalSyncSeconds, hasStore: store != nil)
        // Fence at once, before any node is touched, so a daemon mid-batch stops at its next driver call.
        var store = store
        if let current = store {
            do { try current.importBreakGlass([intent]) } catch { store = nil }
        }
        let calls = calls(for: targets)
        let total = calls.reduce(0) { $0 + $1.nodeIndices.count }
        var done = 0
        var failedCount = 0
        var results: [BreakGlassNodeResult] = []
        await fanOut(calls, rollout: rollout, artifact: artifact, reason: reason, runID: runID) { call, attempt, result in
            let at = now()
            let channelName = channels[call.channel].name
            let (state, detail, error): (String, String, String?) =
                switch result {
                case .success(let detail): ("reverted", detail, nil)
                case .failure(let failure): ("failed", failure.description, failure.description)
                }
            let due = kept.syncDue
            for (position, node) in call.nodeNames.enumerated() {
                let record = BreakGlassJournalRecord.node(
                    runID: runID, rollout: rollout, at: at, cluster: call.cluster, node: node, channel: channelName,
                    state: state, attempts: attempt, detail: detail)
                kept.keep(record, sync: due && position == call.nodeNames.count - 1)
                results.append(
                    BreakGlassNodeResult(
                        runID: runID, cluster: call.cluster, node: node, channel: channelName, state: state,
                        attempts: attempt, detail: detail, at: at))
            }
            done += call.nodeIndices.count
            if error != nil { failedCount += call.nodeIndices.count }
            await progress(
                BreakGlassProgress(
                    rollout: rollout,
                    nodesDone: done, nodesTotal: total, failed: failedCount, cluster: call.cluster,
                    channel: channelName, nodes: call.nodeNames, error: error))
        }
        results.sort { ($0.cluster, $0.node, $0.channel) < ($1.cluster, $1.node, $1.channel) }
        var report = BreakGlassReport(runID: runID, rollout: rollout, results: results, recordedInDatabase: false)
        var finished = BreakGlassJournalRecord(type: .finished, runID: runID, rollout: rollout, at: now())
        finished.outcome = targets.isEmpty ? "no node had the artifact applied; nothing to revert" : report.outcome
        // Every node's result is on disk before the run says it is done.
        kept.keep(finished, sync: true)
        if let store {
            report.recordedInDatabase = kept.importAll(into: store)
        }
        return report
    }

    /// Splits the nodes of `targets` into channel calls of at most each channel's `maxNodesPerCall` nodes.
    func calls(for targets: [ClusterTargets]) -> [Call] {
        var calls: [Call] = []
        for target in targets {
            for (channelIndex, channel) in channels.enumerated() {
                let size = max(1, channel.maxNodesPerCall)
                for start in stride(from: 0, to: target.nodeIndices.count, by: size) {
                    let end = min(target.nodeIndices.count, start + size)
                    calls.append(
                        Call(
                            cluster: target.cluster, channel: channelIndex,
                            nodeIndices: Array(target.nodeIndices[start..<end]),
                            nodeNames: Array(target.nodeNames[start..<end])))
                }
            }
        }
        return calls
    }

    /// Carries `calls` out at most `parallelism` at once, each tried up to `attempts` times; `finished` sees each
    /// call as it ends, one at a time, with the attempts it took and its outcome.
    ///
    /// Each of `parallelism` workers takes the next call as soon as its last one ends, whether or not `finished` has
    /// seen that one yet: a slow `finished` (a disk sync, a terminal) never holds a slot, so the channel really runs
    /// `parallelism` calls at once.
    func fanOut(
        _ calls: [Call], rollout: String, artifact: ArtifactRef, reason: String, runID: String,
        finished: (Call, Int, Result<String, BreakGlassChannelError>) async -> Void
    ) async {
        guard !calls.isEmpty else { return }
        let queue = CallQueue(calls)
        let (outcomes, sink) = AsyncStream.makeStream(of: (Call, Int, Result<String, BreakGlassChannelError>).self)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(max(1, parallelism), calls.count) {
                group.addTask {
                    while let call = queue.next() {
                        sink.yield(await attempt(call, rollout: rollout, artifact: artifact, reason: reason, runID: runID))
                    }
                }
            }
            var remaining = calls.count
            for await (call, attempts, result) in outcomes {
                await finished(call, attempts, result)
                remaining -= 1
                if remaining == 0 { break }
            }
        }
    }

    /// Carries one call out, trying it up to `attempts` times: the attempts it took and its outcome.
    func attempt(_ call: Call, rollout: String, artifact: ArtifactRef, reason: String, runID: String) async
        -> (Call, Int, Result<String, BreakGlassChannelError>)
    {
        let target = RevertTarget(
            rollout: rollout, artifact: artifact, cluster: call.cluster, nodes: call.nodeNames,
            nodeIndices: call.nodeIndices, reason: reason, runID: runID)
        let attempts = max(1, self.attempts)
        var lastError = ""
        for attempt in 1...attempts {
            do {
                return (call, attempt, .success(try await channels[call.channel].revert(target)))
            } catch {
                lastError = "\(error)"
                if attempt < attempts { try? await Task.sleep(for: retryDelay(attempt)) }
            }
        }
        return (call, attempts, .failure(BreakGlassChannelError(lastError)))
    }
}

/// The calls of a fan-out not yet taken, handed out one at a time to whichever worker asks.
final class CallQueue: Sendable {
    private let calls: [BreakGlassOperation.Call]
    private let taken = Atomic<Int>(0)

    init(_ calls: [BreakGlassOperation.Call]) {
        self.calls = calls
    }

    /// The next call, or nil when every call was taken.
    func next() -> BreakGlassOperation.Call? {
        let index = taken.add(1, ordering: .relaxed).oldValue
        return index < calls.count ? calls[index] : nil
    }
}

/// Where one run's records go: the journal file through one writer, synced at the intent, every `syncSeconds` while
/// nodes finish, and at the end (a run's results cost a few syncs, not one a node); and a copy for the database.
///
/// Used from one task at a time (the run and its fan-out's intake), never concurrently.
final class RunRecords {
    private(set) var records: [BreakGlassJournalRecord]
    private let writer: BreakGlassJournalWriter?
    /// Whether the journal file holds every record of the run, durably.
    private(set) var journalComplete: Bool
    private var lastSync = ContinuousClock.now
    private let syncInterval: Duration

    /// Writes and syncs `intent`. Throws when neither the journal file nor a database (`hasStore`) can keep it.
    init(intent: BreakGlassJournalRecord, journal: BreakGlassJournal?, syncSeconds: Double, hasStore: Bool) throws {
        records = [intent]
        syncInterval = .seconds(syncSeconds)
        do {
            guard let journal else { throw BreakGlassChannelError("no journal file") }
            let opened = try BreakGlassJournalWriter(path: journal.path)
            try opened.append(intent)
            try opened.sync()
            writer = opened
        } catch {
            guard hasStore else {
                throw BreakGlassChannelError("cannot write the break-glass journal \(journal?.path ?? "-"): \(error)")
            }
            writer = nil
        }
        journalComplete = writer != nil
    }

    /// Whether the last sync is older than the interval.
    var syncDue: Bool { ContinuousClock.now - lastSync >= syncInterval }

    /// Keeps `record`, appended to the journal file and synced with it when `sync`.
    func keep(_ record: BreakGlassJournalRecord, sync: Bool) {
        records.append(record)
        guard let writer, journalComplete else { return }
        do {
            try writer.append(record)
            if sync {
                try writer.sync()
                lastSync = .now
            }
        } catch {
            journalComplete = false
        }
    }

    /// Imports the run into `store`: from the journal file when it has it all (which also moves the database's mark
    /// past this run's lines), else from the records kept here. Whether the database has the run.
    func importAll(into store: SluiceStore) -> Bool {
        do {
            let imported = journalComplete ? try store.importBreakGlassJournal().linesRead > 0 : false
            if !imported { try store.importBreakGlass(records) }
            return true
        } catch {
            return false
        }
    }
}
