import SluiceCore
import SluiceStore
import Testing

@Suite("Rollouts counted by phase, for /metrics")
struct PhaseCountTests {
    @Test("Every phase is counted, 0 where there is none; a rollout break-glass fenced counts as halted")
    func countsByPhase() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        try store.submit(spec: try Fixtures.spec(name: "other"), planPath: "/p.yaml", actor: "alice", now: 1)
        var expected = Dictionary(uniqueKeysWithValues: RolloutPhase.allCases.map { ($0, 0) })
        expected[.pending] = 2
        #expect(try store.rolloutCountByPhase() == expected)

        var intent = BreakGlassJournalRecord(type: .intent, runID: "bg-1", rollout: "other", at: 1_800_000_000)
        intent.actor = "oncall"
        intent.reason = "apiserver down"
        try store.importBreakGlass([intent])
        expected[.pending] = 1
        expected[.halted] = 1
        #expect(try store.rolloutCountByPhase() == expected)
    }
}
