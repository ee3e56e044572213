/// What an operator asks of a rollout through the CLI. The controller grants or refuses it with a reason.
public struct OperatorRequest: Sendable, Equatable, Codable {
    public enum Verb: String, Sendable, Equatable, Codable, CaseIterable {
        case pause
        case resume
        case promote
        case abort
        case rollback
    }

    public var id: Int64
    public var verb: Verb
    public var reason: String
    public var actor: String
    public var generation: Int

    public init(id: Int64, verb: Verb, reason: String, actor: String, generation: Int) {
        self.id = id
        self.verb = verb
        self.reason = reason
        self.actor = actor
        self.generation = generation
    }

    /// Why `verb` makes no sense for a rollout in `status`, or nil when it may go ahead.
    ///
    /// The CLI asks this to refuse at once; the controller asks it again when it acts, since status may have moved.
    public static func refusal(of verb: Verb, status: RolloutStatus) -> String? {
        let phase = status.phase
        switch verb {
        case .pause:
            if phase == .paused { return "the rollout is already paused" }
            if phase == .halted { return "the rollout is halted: \(status.message)" }
            if phase == .rollingBack { return "the rollout is rolling back; a rollback does not pause" }
            if phase.isFinished { return "the rollout is \(phase.rawValue); there is nothing to pause" }
        case .resume:
            if phase != .paused && phase != .halted {
                return "the rollout is \(phase.rawValue), not paused or halted; there is nothing to resume"
            }
        case .promote:
            let baking = status.clusters.contains { $0.state == .baking && $0.wave == status.currentWave }
            if phase == .awaitingApproval || (phase == .progressing && baking) { return nil }
            if phase == .progressing { return "nothing waits for approval and no bake is running" }
            return "the rollout is \(phase.rawValue); promote approves a waiting wave or ends a running bake"
        case .abort:
            if phase.isFinished { return "the rollout is already \(phase.rawValue)" }
        case .rollback:
            if phase == .rollingBack || phase == .rolledBack { return "the rollout is already \(phase.rawValue)" }
            if !status.clusters.contains(where: { $0.appliedBatches > 0 || $0.inFlight != nil }) {
                if phase.isFinished { return "the rollout is \(phase.rawValue) and no batch was applied" }
            }
        }
        return nil
    }
}

/// The controller's answer to a request.
public struct RequestOutcome: Sendable, Equatable {
    public var requestID: Int64
    public var accepted: Bool
    public var message: String

    public init(requestID: Int64, accepted: Bool, message: String) {
        self.requestID = requestID
        self.accepted = accepted
        self.message = message
    }
}

/// One line of a rollout's history: who did what, and why.
public struct RolloutEvent: Sendable, Equatable, Codable {
    /// On the controller's clock: Unix seconds, or virtual seconds when the daemon runs in virtual time.
    public var at: Double
    public var actor: String
    public var verb: String
    public var message: String
    /// Unix seconds when the event was recorded; nil for events recorded before Sluice kept it (see ``wallTime``).
    public var wallAt: Double?

    public init(at: Double, actor: String, verb: String, message: String, wallAt: Double? = nil) {
        self.at = at
        self.actor = actor
        self.verb = verb
        self.message = message
        self.wallAt = wallAt
    }

    /// When it happened on the wall clock, if known: the recorded wall time, else `at` when that is Unix seconds.
    public var wallTime: Double? { ControllerTime.wallTime(at: at, recorded: wallAt) }

    /// When it happened in virtual time, when the controller ran in virtual time.
    public var virtualTime: Double? { ControllerTime.virtualTime(at) }
}
