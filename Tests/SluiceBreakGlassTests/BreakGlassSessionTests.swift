import Foundation
import Logging
import SluiceBreakGlass
import SluiceController
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Synchronization
import Testing

/// A channel that records the nodes it was asked to revert, as `cluster/node`.
final class RecordingChannel: BreakGlassChannel {
    let name = "recording"
    let maxNodesPerCall = 1
    let reverted = Mutex<[String]>([])

    func revert(_ target: RevertTarget) async throws -> String {
        reverted.withLock { $0 += target.nodes.map { "\(target.cluster)/\($0)" } }
        return "reverted"
    }
}

@Suite("A break-glass session in process: which nodes, with or without the database")
struct BreakGlassSessionTests {
    /// A database in `folder` where the daemon applied the first batch of rollout `r` (one node in each cluster).
    static func databaseWithFirstBatch(
        in folder: ScratchFolder
    ) async throws -> (
        path: String, applied: [String]
    ) {
        let path = folder.path("sluice.db")
        let store = try SluiceStore(path: path)
        let spec = try FenceTests.spec()
        try store.submit(spec: spec, planPath: "(test)", actor: "test", now: 0)
        let controller = RolloutController(
            store: store, driver: RecordingDriver(), signals: NoSignals(), clock: FixedClock(seconds: 10),
            owner: "d",
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await controller.reconcileOnce()
        let applied = spec.clustersInOrder.map {
            "\($0.cluster.name)/\($0.cluster.cluster.nodeName(at: 0))"
        }
        return (path, applied)
    }

    static func session(
        _ scope: BreakGlassSession.Scope, database: String, channel: RecordingChannel,
        cluster: String? = nil,
        fallback: BreakGlassSession.Fallback = .init()
    ) -> BreakGlassSession {
        BreakGlassSession(
            scope: scope, cluster: cluster, reason: "test", actor: "oncall", host: "h",
            config: BreakGlassConfig(),
            channels: [channel], databasePath: database, fallback: fallback)
    }

    @Test(
        "With the database: the journal's applied nodes are reverted and fenced; a second session has nothing to do"
    )
    func withDatabase() async throws {
        let folder = try ScratchFolder()
        let (database, applied) = try await Self.databaseWithFirstBatch(in: folder)
        let channel = RecordingChannel()
        let outcomes = try await Self.session(.rollout("r"), database: database, channel: channel).run()
        #expect(channel.reverted.withLock { $0 }.sorted() == applied.sorted())
        guard case .ran(let rollout, let report) = try #require(outcomes.first) else {
            Issue.record("expected a run, got \(outcomes)")
            return
        }
        #expect(rollout == "r" && report.succeeded && report.recordedInDatabase && report.reverted == 2)
        #expect(try SluiceStore(path: database).breakGlassFence(rollout: "r")?.actor == "oncall")

        let again = RecordingChannel()
        let second = try await Self.session(.allActive, database: database, channel: again).run()
        #expect(second.count == 1)
        if case .alreadyDone(let name, _) = second.first {
            #expect(name == "r")
        } else {
            Issue.record("\(second)")
        }
        #expect(again.reverted.withLock { $0 }.isEmpty)
    }

    @Test("One cluster only: its nodes are reverted, the whole rollout is fenced")
    func oneCluster() async throws {
        let folder = try ScratchFolder()
        let (database, applied) = try await Self.databaseWithFirstBatch(in: folder)
        let channel = RecordingChannel()
        _ = try await Self.session(.rollout("r"), database: database, channel: channel, cluster: "beta")
            .run()
        #expect(channel.reverted.withLock { $0 } == applied.filter { $0.hasPrefix("beta/") })
        #expect(try SluiceStore(path: database).breakGlassFence(rollout: "r") != nil)
    }

    @Test(
        "An unknown rollout or cluster is refused before anything is fenced",
        arguments: [
            (BreakGlassSession.Scope.rollout("nope"), nil, BreakGlassSessionError.unknownRollout("nope")),
            (.rollout("r"), "gamma", .unknownCluster(rollout: "r", cluster: "gamma")),
        ] as [(BreakGlassSession.Scope, String?, BreakGlassSessionError)])
    func unknownNames(
        scope: BreakGlassSession.Scope, cluster: String?, expected: BreakGlassSessionError
    ) async throws {
        let folder = try ScratchFolder()
        let (database, _) = try await Self.databaseWithFirstBatch(in: folder)
        let channel = RecordingChannel()
        let error = await #expect(throws: BreakGlassSessionError.self) {
            _ = try await Self.session(scope, database: database, channel: channel, cluster: cluster)
                .run()
        }
        #expect(error == expected)
        #expect(channel.reverted.withLock { $0 }.isEmpty)
        #expect(try SluiceStore(path: database).breakGlassFence(rollout: "r") == nil)
    }

    @Test(
        "Without a database, the operator's node list names the nodes and the journal file keeps the run"
    )
    func withoutDatabase() async throws {
        let folder = try ScratchFolder()
        let database = folder.path("missing.db")
        let nodes = try folder.write("nodes.txt", "alpha a-1\nalpha a-2\nbeta b-1\n")
        let channel = RecordingChannel()
        let outcomes = try await Self.session(
            .rollout("r"), database: database, channel: channel,
            fallback: .init(artifact: "agent:2", nodeListFile: nodes)
        ).run()
        #expect(channel.reverted.withLock { $0 }.sorted() == ["alpha/a-1", "alpha/a-2", "beta/b-1"])
        guard case .ran(_, let report) = try #require(outcomes.first) else {
            Issue.record("expected a run, got \(outcomes)")
            return
        }
        #expect(!report.recordedInDatabase)
        #expect(!FileManager.default.fileExists(atPath: database))
        let records = BreakGlassJournal(forDatabase: database).records()
        #expect(records.filter { $0.type == .intent }.map(\.rollout) == ["r"])
        #expect(records.filter { $0.type == .node }.count == 3)
    }

    @Test(
        "Without a database, what the operator must give is said",
        arguments: [
            (
                BreakGlassSession.Scope.allActive, BreakGlassSession.Fallback(),
                BreakGlassSessionError.allNeedsDatabase
            ),
            (.rollout("r"), .init(fleetFile: "fleet.yaml"), .artifactNeeded),
            (.rollout("r"), .init(artifact: "agent"), .nodesNeeded),
            (
                .rollout("r"), .init(artifact: "agent", nodeListFile: "/no/such/file"),
                .unusableNodeFile("cannot read /no/such/file")
            ),
        ] as [(BreakGlassSession.Scope, BreakGlassSession.Fallback, BreakGlassSessionError)])
    func fallbackNeeds(
        scope: BreakGlassSession.Scope, fallback: BreakGlassSession.Fallback,
        expected: BreakGlassSessionError
    ) async throws {
        let folder = try ScratchFolder()
        let error = await #expect(throws: BreakGlassSessionError.self) {
            _ = try await Self.session(
                scope, database: folder.path("missing.db"), channel: RecordingChannel(), fallback: fallback
            ).run()
        }
        #expect(error == expected)
    }

    @Test("A refusal is recorded on the rollout, and never creates a database")
    func refusal() async throws {
        let folder = try ScratchFolder()
        let (database, _) = try await Self.databaseWithFirstBatch(in: folder)
        let problem = BreakGlassSession.recordRefusal(
            scope: .allActive, why: "no reason", reason: "", actor: "oncall", now: 5,
            databasePath: database,
            busyTimeoutSeconds: 1)
        #expect(problem == nil)
        let refused = try SluiceStore(path: database).events(rollout: "r").filter {
            $0.event.verb == "refused"
        }
        #expect(refused.count == 1)
        _ = BreakGlassSession.recordRefusal(
            scope: .rollout("r"), why: "x", reason: "", actor: "a", now: 5,
            databasePath: folder.path("none.db"),
            busyTimeoutSeconds: 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path("none.db")))
    }
}
