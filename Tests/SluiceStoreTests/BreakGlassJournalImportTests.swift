import Foundation
import SluiceStore
import Testing
import SluiceTestSupport

/// Importing the break-glass journal file beside the database: every store open and every daemon pass asks for it,
/// so what they cost must not grow with the file once it is imported. Shapes are SQL statements, not time.
@Suite struct BreakGlassJournalImportTests {
    /// A journal of one run: an intent, `nodes` node results, the end.
    static func lines(run: String, nodes: Int) throws -> String {
        var intent = BreakGlassJournalRecord(type: .intent, runID: run, rollout: "r", at: 1)
        intent.reason = "test"
        var finished = BreakGlassJournalRecord(type: .finished, runID: run, rollout: "r", at: 3)
        finished.outcome = "done"
        return try ([intent] + (0..<nodes).map { node(run: run, index: $0) } + [finished]).map(line).joined()
    }

    static func node(run: String, index: Int) -> BreakGlassJournalRecord {
        .node(
            runID: run, rollout: "r", at: 2, cluster: "c", node: "n\(index)", channel: "exec", state: "reverted",
            attempts: 1, detail: "")
    }

    static func line(_ record: BreakGlassJournalRecord) throws -> String {
        String(decoding: try JSONEncoder().encode(record), as: UTF8.self) + "\n"
    }

    /// A database at `path` whose journal file holds `text`, imported once by the store's open.
    static func imported(_ text: String, at path: String) throws -> SluiceStore {
        try text.write(toFile: BreakGlassJournal(forDatabase: path).path, atomically: false, encoding: .utf8)
        return try SluiceStore(path: path)
    }

    /// For a journal of 10 node results and one of 1,000, each imported by a store's open: what `measure` counts.
    static func atTwoSizes(_ measure: (_ nodes: Int, _ path: String, _ store: SluiceStore) throws -> Int) throws
        -> [Int]
    {
        try [10, 1000].map { nodes in
            let folder = try ScratchFolder()
            let path = folder.path("sluice.db")
            return try measure(nodes, path, try imported(try lines(run: "bg-1", nodes: nodes), at: path))
        }
    }

    /// Statements `body` runs on `store`.
    static func statements(on store: SluiceStore, _ body: () throws -> Void) rethrows -> Int {
        let before = store.statementCount
        try body()
        return store.statementCount - before
    }

    @Test("An unchanged journal is not read again: a second open and a pass cost the same at 10 and 1,000 lines")
    func unchangedJournalIsNotReadAgain() throws {
        let opening = try Self.atTwoSizes { nodes, path, first in
            #expect(try first.breakGlassResults(rollout: "r").count == nodes)
            let second = try SluiceStore(path: path)
            let opened = second.statementCount
            // The daemon's pass, on a store that imported the file already: not one statement.
            #expect(try Self.statements(on: second) { try second.importBreakGlassJournal() } == 0)
            #expect(try Self.statements(on: first) { try first.importBreakGlassJournal() } == 0)
            return opened
        }
        #expect(opening[0] == opening[1], "statements of a store open, 10 lines then 1,000: \(opening)")
    }

    @Test("A line appended is imported, and only it is read: the import costs the same after 10 lines as after 1,000")
    func appendedLineIsImportedAlone() throws {
        let importing = try Self.atTwoSizes { nodes, path, store in
            try BreakGlassJournal(forDatabase: path).append(Self.node(run: "bg-1", index: nodes))
            let statements = try Self.statements(on: store) { try store.importBreakGlassJournal() }
            #expect(try store.breakGlassResults(rollout: "r").map(\.node).contains("n\(nodes)"))
            #expect(try Self.statements(on: store) { try store.importBreakGlassJournal() } == 0)
            return statements
        }
        #expect(importing[0] == importing[1], "statements importing one appended line: \(importing)")
    }

    @Test("A journal truncated, or rewritten in place to a longer one, is imported again from its start")
    func rewrittenJournalIsImportedAgain() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let journal = BreakGlassJournal(forDatabase: path).path
        let store = try Self.imported(try Self.lines(run: "bg-long", nodes: 20), at: path)
        let runs = { try Set(store.breakGlassResults(rollout: "r").map(\.runID)) }

        // Shorter than what was imported: read again from the start.
        try Self.lines(run: "bg-short", nodes: 2).write(toFile: journal, atomically: false, encoding: .utf8)
        try store.importBreakGlassJournal()
        #expect(try runs() == ["bg-long", "bg-short"])

        // Longer, same file, another beginning: the imported part is not there any more.
        try Self.lines(run: "bg-other", nodes: 40).write(toFile: journal, atomically: false, encoding: .utf8)
        try store.importBreakGlassJournal()
        #expect(try runs() == ["bg-long", "bg-short", "bg-other"])
        #expect(try store.breakGlassResults(rollout: "r").filter { $0.runID == "bg-other" }.count == 40)

        // A fresh store on it imports nothing more.
        let again = try SluiceStore(path: path)
        #expect(try Self.statements(on: again) { try again.importBreakGlassJournal() } == 0)
    }

    @Test("A line torn by a crash is skipped, and the next record appended is whole on a line of its own")
    func tornLineIsEndedBeforeTheNextRecord() throws {
        let folder = try ScratchFolder()
        let path = folder.path("sluice.db")
        let journal = BreakGlassJournal(forDatabase: path)
        let whole = try Self.lines(run: "bg-1", nodes: 1)
        try (whole + #"{"type":"node","runID":"bg-1","rol"#).write(
            toFile: journal.path, atomically: false, encoding: .utf8)
        let store = try SluiceStore(path: path)
        #expect(try store.breakGlassResults(rollout: "r").map(\.node) == ["n0"])

        try journal.append(Self.node(run: "bg-1", index: 7))
        #expect(journal.records().compactMap(\.node) == ["n0", "n7"])
        try store.importBreakGlassJournal()
        #expect(try store.breakGlassResults(rollout: "r").map(\.node) == ["n0", "n7"])
    }
}
