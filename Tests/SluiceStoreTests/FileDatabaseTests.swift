import Foundation
import SluiceCore
import SluiceStore
import Testing
import SluiceTestSupport

/// The database as a file shared by processes: two `SluiceStore` values on one path stand for `sluice` and `sluiced`.
@Suite struct FileDatabaseTests {
    @Test func twoStoresOnOneFileSeeEachOthersWrites() throws {
        let folder = try ScratchFolder()
        let path = folder.path("state/sluice.db")
        let cli = try SluiceStore(path: path)
        let daemon = try SluiceStore(path: path)
        #expect(cli.path == path)
        #expect(FileManager.default.fileExists(atPath: path))

        let spec = try Fixtures.spec()
        try cli.submit(spec: spec, planPath: "/plans/agent.yaml", actor: "alice", now: 1)
        #expect(try daemon.rolloutsToReconcile() == ["agent-2.0"])
        #expect(try daemon.rollout(named: "agent-2.0")?.spec == spec)

        let lease = try #require(try daemon.acquireLease(owner: "daemon", now: 2, ttlSeconds: 30))
        let decision = try Fixtures.decide(daemon, now: 2)
        try daemon.record(decision, rollout: "agent-2.0", now: 2, lease: lease)
        #expect(try cli.rollout(named: "agent-2.0")?.status.phase == .progressing)
        #expect(try cli.intendedActions(rollout: "agent-2.0").map(\.action) == decision.actions)

        try cli.request(.pause, rollout: "agent-2.0", reason: "", actor: "bob", now: 3)
        #expect(try daemon.reconcileInput(rollout: "agent-2.0", now: 4).requests.map(\.verb) == [.pause])
    }

    /// Each store keeps the status it last read or wrote, decoded; what another process writes must still show.
    @Test func aStatusWrittenByAnotherStoreIsReadAnew() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let cli = try SluiceStore(path: path)
        let daemon = try SluiceStore(path: path)
        try cli.submit(spec: try Fixtures.spec(), planPath: "/plans/agent.yaml", actor: "alice", now: 1)
        let lease = try #require(try daemon.acquireLease(owner: "daemon", now: 2, ttlSeconds: 30))
        try daemon.record(try Fixtures.decide(daemon, now: 2), rollout: "agent-2.0", now: 2, lease: lease)
        #expect(try daemon.rollout(named: "agent-2.0")?.status.phase == .progressing)
        #expect(try cli.rollout(named: "agent-2.0")?.status.phase == .progressing)

        // Another process, with a store of its own, writes the next status.
        let other = try SluiceStore(path: path)
        var halt = try Fixtures.decide(other, now: 3)
        halt.status.phase = .halted
        halt.actions = []
        try other.record(halt, rollout: "agent-2.0", now: 3, lease: lease)
        #expect(try daemon.rollout(named: "agent-2.0")?.status.phase == .halted)
        #expect(try cli.rollout(named: "agent-2.0")?.status.phase == .halted)
    }

    @Test func theDataVersionChangesWhenTheOtherStoreWrites() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let cli = try SluiceStore(path: path)
        let daemon = try SluiceStore(path: path)
        let before = try daemon.dataVersion()
        #expect(try daemon.dataVersion() == before)
        try cli.submit(spec: try Fixtures.spec(), planPath: "/p.yaml", actor: "alice", now: 1)
        #expect(try daemon.dataVersion() != before)
    }

    @Test func theLeaseIsSharedThroughTheFile() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let first = try SluiceStore(path: path)
        let second = try SluiceStore(path: path)
        try first.submit(spec: try Fixtures.spec(), planPath: "/p.yaml", actor: "alice", now: 0)

        let a = try #require(try first.acquireLease(owner: "daemon-a", now: 0, ttlSeconds: 10))
        #expect(try second.acquireLease(owner: "daemon-b", now: 5, ttlSeconds: 10) == nil)
        let b = try #require(try second.acquireLease(owner: "daemon-b", now: 11, ttlSeconds: 10))
        #expect(b.fence == 2)

        let decision = try Fixtures.decide(first, now: 12)
        #expect(throws: StoreError.leaseLost(owner: "daemon-b", fence: 2)) {
            try first.record(decision, rollout: "agent-2.0", now: 12, lease: a)
        }
        try second.releaseLease(b)
        let again = try #require(try first.acquireLease(owner: "daemon-a", now: 13, ttlSeconds: 10))
        #expect(again.fence == 3)
    }

    @Test func aStoreReopenedOnTheSameFileKeepsEverything() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        do {
            let store = try SluiceStore(path: path)
            try store.submit(spec: try Fixtures.spec(), planPath: "/p.yaml", actor: "alice", now: 1)
            try store.request(.pause, rollout: "agent-2.0", reason: "", actor: "bob", now: 2)
        }
        let reopened = try SluiceStore(path: path)
        #expect(try reopened.rollout(named: "agent-2.0")?.generation == 1)
        #expect(try reopened.events(rollout: "agent-2.0").map(\.event.verb) == ["submitted", "requested"])
    }

    @Test func aFileThatIsNotADatabaseIsUnusableNotACrash() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let garbage = Data((0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: StoreError.self) { _ = try SluiceStore(path: path) }
        guard case .unusable(let reportedPath, let reason) = try #require(error) else {
            Issue.record("expected unusable, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(!reason.isEmpty)
        #expect(error?.description.hasPrefix("cannot open the database \(path): ") == true)
    }

    @Test func aTextFileIsUnusableToo() throws {
        let folder = try ScratchFolder()
        let path = folder.path("notes.db")
        try Data(String(repeating: "this is not a database\n", count: 500).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try SluiceStore(path: path) }
        guard case .unusable(let reportedPath, _) = try #require(error) else {
            Issue.record("expected unusable, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
    }

    @Test func aPathUnderARegularFileIsUnusable() throws {
        let folder = try ScratchFolder()
        let file = folder.path("plain")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let path = file + "/state/sluice.db"
        let error = #expect(throws: StoreError.self) { _ = try SluiceStore(path: path) }
        guard case .unusable(let reportedPath, _) = try #require(error) else {
            Issue.record("expected unusable, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
    }
}
