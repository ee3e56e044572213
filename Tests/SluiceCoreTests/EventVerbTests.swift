import SluiceCore
import Testing

@Suite("Event verbs: the log's one contract")
struct EventVerbTests {
    @Test("Every phase has its verb, so a phase change is always a known verb")
    func everyPhaseHasAVerb() {
        for phase in RolloutPhase.allCases { #expect(EventVerb(phase).rawValue == phase.rawValue) }
    }

    /// Logs already written hold these strings: a renamed case would orphan every old event.
    @Test("The stored spellings never change")
    func storedSpellings() {
        #expect(EventVerb.allCases.map(\.rawValue) == [
            "pending", "progressing", "awaitingApproval", "paused", "halted", "rollingBack", "completed", "aborted",
            "rolledBack", "started", "applied", "reverted", "retry", "promoted", "escalated", "braked", "released",
            "cluster-complete", "wave-complete", "submitted", "requested", "refused", "break-glass", "break-glass-done",
            "fenced", "note",
        ])
        #expect(RolloutEvent(at: 0, actor: "a", verb: "something-newer", message: "").kind == nil)
    }

    @Test("Decisions a report marks: the controller's, break-glass and requests")
    func decisionKinds() {
        #expect(EventVerb.allCases.filter(\.isControllerDecision) == [
            .awaitingApproval, .paused, .halted, .rollingBack, .completed, .aborted, .rolledBack, .retry, .promoted,
            .refused,
        ])
        #expect(EventVerb.allCases.filter(\.isBreakGlass) == [.escalated, .breakGlass, .breakGlassDone, .fenced])
        #expect(EventVerb.allCases.filter(\.isRequest) == [.requested, .refused])
    }
}
