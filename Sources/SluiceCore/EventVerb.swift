/// What an event of the log records, as its `verb` column holds it: one contract between the writers (the decision
/// function, the store, break-glass) and the readers (views, the report, the notifier) instead of strings on both
/// sides.
public enum EventVerb: String, Sendable, Equatable, Codable, CaseIterable {
    // The rollout's phase changed (`RolloutPhase`): the verb is the new phase.
    case pending
    case progressing
    case awaitingApproval
    case paused
    case halted
    case rollingBack
    case completed
    case aborted
    case rolledBack

    // The daemon's work on clusters.
    case started
    case applied
    case reverted
    case retry
    case promoted
    case escalated
    case braked
    case released
    case clusterComplete = "cluster-complete"
    case waveComplete = "wave-complete"

    // People and tools.
    case submitted
    case requested
    case refused
    case breakGlass = "break-glass"
    case breakGlassDone = "break-glass-done"
    /// The daemon saw a break-glass fence and stopped.
    case fenced
    /// Filler written by the store benchmark.
    case note

    /// The verb of a change to `phase`.
    public init(_ phase: RolloutPhase) {
        self = EventVerb(rawValue: phase.rawValue)!
    }

    /// The decisions of the controller: halts, rollbacks, waits, approvals and refusals, what a report marks.
    public var isControllerDecision: Bool {
        switch self {
        case .halted, .rollingBack, .rolledBack, .aborted, .paused, .awaitingApproval, .completed, .promoted, .refused,
            .retry:
            true
        default:
            false
        }
    }

    /// Break-glass, by whoever ran it, or the daemon seeing its fence or escalating to it.
    public var isBreakGlass: Bool { [.breakGlass, .breakGlassDone, .fenced, .escalated].contains(self) }

    /// A person's request, or a request refused.
    public var isRequest: Bool { self == .requested || self == .refused }
}

extension RolloutEvent {
    public init(at: Double, actor: String, verb: EventVerb, message: String, wallAt: Double? = nil) {
        self.init(at: at, actor: actor, verb: verb.rawValue, message: message, wallAt: wallAt)
    }

    /// The verb as the log's contract knows it; nil for a verb this version does not (a newer writer's).
    public var kind: EventVerb? { EventVerb(rawValue: verb) }
}
