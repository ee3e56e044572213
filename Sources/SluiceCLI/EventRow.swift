import SluiceCore

/// An event as `events` and `watch` print and encode it: one clock for people, virtual time only as an extra.
///
/// `at` is when it was recorded on the wall clock (RFC 3339 UTC; null only for an event of a virtual-time run recorded
/// before Sluice kept wall times); `virtualSeconds` is its time in a virtual-time run, absent otherwise.
struct EventRow: Codable, Equatable {
    var id: Int64?
    var at: String?
    var virtualSeconds: Double?
    var actor: String
    var verb: String
    var message: String

    init(_ event: RolloutEvent, id: Int64? = nil) {
        self.id = id
        at = ControllerTime.wallText(event.wallTime)
        virtualSeconds = event.virtualTime
        actor = event.actor
        verb = event.verb
        message = event.message
    }

    /// The time to print: the wall time, else (an old virtual-time event) its virtual time.
    var shownTime: String { at ?? virtualSeconds.map(ControllerTime.format) ?? "-" }
}
