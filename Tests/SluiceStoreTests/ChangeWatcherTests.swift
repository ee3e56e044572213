import Foundation
import SluiceCore
import SluiceStore
import Testing
import SluiceTestSupport

/// `sluice watch` notices commits by any process through one dedicated read-only connection.
@Suite struct ChangeWatcherTests {
    @Test func theWatcherSeesEveryCommitOfAnotherConnectionAndNothingElse() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let cli = try SluiceStore(path: path)
        let daemon = try SluiceStore(path: path)
        let watcher = try ChangeWatcher(path: path)

        let start = try watcher.dataVersion()
        // Reads, by the watcher or anyone else, are not changes.
        _ = try cli.rollouts()
        _ = try daemon.rollouts()
        #expect(try watcher.dataVersion() == start)

        try cli.submit(spec: try Fixtures.spec(), planPath: "/p.yaml", actor: "alice", now: 1)
        let afterSubmit = try watcher.dataVersion()
        #expect(afterSubmit != start)
        #expect(try watcher.dataVersion() == afterSubmit)

        let lease = try #require(try daemon.acquireLease(owner: "daemon", now: 2, ttlSeconds: 30))
        try daemon.noteControllerTime(120, wallAt: 2, lease: lease)
        #expect(try watcher.dataVersion() != afterSubmit)
        let pass = try #require(try cli.lastControllerPass())
        #expect((pass.controllerNow, pass.wallAt) == (120, 2))
    }

    @Test func theWatcherNeverWritesAndNeedsAnExistingDatabase() throws {
        let folder = try ScratchFolder()
        #expect(throws: StoreError.self) { try ChangeWatcher(path: folder.path("missing/sluice.db")) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing/sluice.db")))
        let path = folder.path("sluice.db")
        let store = try SluiceStore(path: path)
        #expect(try store.lastControllerPass() == nil)
        let watcher = try ChangeWatcher(path: path)
        _ = try watcher.dataVersion()
    }
}
