public import SluiceCore

/// Everything a rollout report shows, read from the store by the caller: the report itself does no I/O.
public struct ReportInput: Sendable, Equatable {
    public var spec: RolloutSpec
    public var status: RolloutStatus
    /// The event log, oldest first. Events by `sluiced` are on the controller's clock; the others are the CLI's.
    public var events: [RolloutEvent]
    /// Stored gate evaluations, oldest first (controller clock).
    public var evaluations: [GateEvaluation]
    /// The action journal in the order actions were intended (controller clock).
    public var journal: [JournalEntry]
    /// When the report was made, as the caller wants it printed (kept out of the report's logic so output is
    /// reproducible).
    public var generatedAt: String
    /// What break-glass did to the rollout, if it ran: the report then shows the nodes as break-glass left them.
    public var breakGlass: BreakGlassState?

    public init(
        spec: RolloutSpec, status: RolloutStatus, events: [RolloutEvent], evaluations: [GateEvaluation],
        journal: [JournalEntry], generatedAt: String, breakGlass: BreakGlassState? = nil
    ) {
        self.breakGlass = breakGlass
        self.spec = spec
        self.status = status
        self.events = events
        self.evaluations = evaluations
        self.journal = journal
        self.generatedAt = generatedAt
    }
}

extension ReportInput {
    /// Every time the input holds on the controller's clock: the journal's, the evaluations', the daemon's events'
    /// and the clusters' finish times (people's events are on the wall clock).
    var controllerClockTimes: [Double] {
        var times = journal.flatMap { [$0.intendedAt] + ($0.completedAt.map { [$0] } ?? []) }
        times += evaluations.map(\.at)
        times += events.filter { $0.actor == Reconciler.actor }.map(\.at)
        times += status.clusters.compactMap(\.finishedAt)
        return times
    }
}
