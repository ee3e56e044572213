import SluiceCore

/// One decision the report lists and marks on its charts: the daemon's, or a person's (a request, a refusal, a
/// break-glass run).
struct ReportDecision {
    /// Its number in the decisions table and on the charts, from 1.
    var number: Int
    var event: RolloutEvent
    /// Where it goes on the controller's clock; nil when it cannot be placed (see ``ClockAlignment``).
    var controllerAt: Double?

    /// Whether a person made it rather than the daemon.
    var byPerson: Bool { event.actor != Reconciler.actor }

    /// The decisions in `input`'s event log, oldest first, each placed on the controller's clock.
    static func all(in input: ReportInput) -> [ReportDecision] {
        let alignment = ClockAlignment(input)
        return input.events.filter(RolloutReport.isDecision).enumerated().map { index, event in
            ReportDecision(number: index + 1, event: event, controllerAt: alignment.controllerTime(of: event))
        }
    }
}

/// Places events recorded on the wall clock (people's requests and refusals, break-glass runs) on the controller's
/// clock, for charts whose axis is the controller's.
///
/// On the wall clock the two are the same. In a virtual-time run the daemon's events and gate evaluations carry both
/// their virtual time (`at`) and the wall time they were recorded at (`wallAt`); a person's event at wall time `w` is
/// put at the virtual time interpolated between the daemon's records just before and just after `w`, or at the first
/// (last) one's virtual time when `w` is before (after) all of them. Without any such record (a virtual-time run
/// stored before Sluice kept wall times) a wall-clock event cannot be placed.
struct ClockAlignment {
    /// Whether the controller ran in virtual time.
    var isVirtual: Bool
    /// (wall time, virtual time) of the daemon's records, by wall time.
    var anchors: [(wall: Double, virtual: Double)]

    init(_ input: ReportInput) {
        isVirtual = input.controllerClockTimes.contains { $0 < ControllerTime.unixThreshold }
        var anchors: [(wall: Double, virtual: Double)] = []
        if isVirtual {
            for event in input.events where event.actor == Reconciler.actor {
                if let wall = event.wallAt, let virtual = event.virtualTime { anchors.append((wall, virtual)) }
            }
            for evaluation in input.evaluations {
                if let wall = evaluation.wallAt, let virtual = ControllerTime.virtualTime(evaluation.at) {
                    anchors.append((wall, virtual))
                }
            }
        }
        // Sorted by wall time, then virtual time, so equal wall times keep a deterministic order.
        self.anchors = anchors.sorted { ($0.wall, $0.virtual) < ($1.wall, $1.virtual) }
    }

    /// `event`'s time on the controller's clock, or nil when it cannot be placed.
    func controllerTime(of event: RolloutEvent) -> Double? {
        guard isVirtual, event.at >= ControllerTime.unixThreshold else { return event.at }
        guard let wall = event.wallTime else { return nil }
        return controllerTime(wall: wall)
    }

    /// The virtual time the controller's clock read at wall time `wall`; nil without anchors.
    func controllerTime(wall: Double) -> Double? {
        guard let first = anchors.first, let last = anchors.last else { return nil }
        if wall <= first.wall { return first.virtual }
        if wall >= last.wall { return last.virtual }
        // The first anchor after `wall` (binary search), and the one before it.
        var low = 0
        var high = anchors.count - 1
        while low < high {
            let middle = (low + high) / 2
            if anchors[middle].wall > wall { high = middle } else { low = middle + 1 }
        }
        let after = anchors[low]
        let before = anchors[low - 1]
        guard after.wall > before.wall else { return before.virtual }
        return before.virtual + (wall - before.wall) / (after.wall - before.wall) * (after.virtual - before.virtual)
    }
}
