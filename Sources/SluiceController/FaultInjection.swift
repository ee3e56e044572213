/// Named points in a pass where a test can make the daemon die, to prove it resumes correctly.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// The decision and its intents are recorded; no driver call yet (only reached when there is an action to do).
    case afterRecord = "after-record"
    /// The driver carried out an action; the journal does not know yet.
    case afterDriver = "after-driver"
    /// The journal marked the action done.
    case afterComplete = "after-complete"
}

/// Called at each fault point; the daemon's implementation may kill the process there.
public typealias FaultHook = @Sendable (FaultPoint) -> Void
