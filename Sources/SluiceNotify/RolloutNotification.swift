import Foundation
public import SluiceCore
public import SluiceStore

/// What a webhook is told about one event of the log: `kind: RolloutNotification` in the JSON format.
///
/// The field names are an interface (README's "Notifications"): new fields may come, none is renamed or changes unit.
public struct RolloutNotification: Sendable, Equatable, Codable {
    public var apiVersion = "sluice.dev/v1"
    public var kind = "RolloutNotification"
    /// The event's id in the log: increasing, so a receiver can drop a repeat (delivery is at-least-once).
    public var id: Int64
    public var rollout: String
    /// What happened, as a webhook's `on` names it.
    public var event: NotificationKind
    /// The log's own verb (`halted`, `fenced`, `rollingBack`, `break-glass`...), finer than `event`.
    public var verb: String
    /// The clusters the event concerns, in plan order; every cluster of the rollout when it names none.
    public var clusters: [String]
    /// The event's reason as the log words it.
    public var message: String
    /// Who recorded it: `sluiced`, or the operator of a request or break-glass run.
    public var actor: String
    /// Wall-clock time, RFC 3339 UTC.
    public var time: String
    /// The daemon's virtual clock at the event (seconds), only when it ran in virtual time.
    public var controllerSeconds: Double?

    public init(
        id: Int64, rollout: String, event: NotificationKind, verb: String, clusters: [String], message: String,
        actor: String, time: String, controllerSeconds: Double? = nil
    ) {
        self.id = id
        self.rollout = rollout
        self.event = event
        self.verb = verb
        self.clusters = clusters
        self.message = message
        self.actor = actor
        self.time = time
        self.controllerSeconds = controllerSeconds
    }
}

extension NotificationKind {
    /// The kind of a log verb, or nil for the verbs no webhook is told about (`applied`, `requested`...).
    public init?(verb: String) {
        switch EventVerb(rawValue: verb) {
        case .halted, .fenced: self = .halted
        case .rollingBack, .rolledBack: self = .rolledBack
        case .breakGlass, .breakGlassDone, .escalated: self = .breakGlass
        case .awaitingApproval: self = .awaitingApproval
        case .completed: self = .completed
        default: return nil
        }
    }
}

extension RolloutNotification {
    /// The notification of `stored`, or nil when its verb is not one webhooks are told about. Pure.
    ///
    /// `waves` is the rollout's plan (empty if it is unknown): clusters are found by name in the message, a quoted
    /// wave name stands for its clusters. `pass` places the daemon's events on the wall clock when it runs in virtual
    /// time (see ``wallSeconds(of:pass:)``).
    public init?(_ stored: StoredEvent, waves: [WaveClusters], pass: ControllerPass?) {
        guard let kind = NotificationKind(verb: stored.event.verb) else { return nil }
        let (wall, virtual) = Self.wallSeconds(of: stored.event, pass: pass)
        self.init(
            id: stored.id, rollout: stored.rollout, event: kind, verb: stored.event.verb,
            clusters: Self.clusters(named: stored.event.message, waves: waves), message: stored.event.message,
            actor: stored.event.actor, time: ControllerTime.format(wall), controllerSeconds: virtual)
    }

    /// The wall-clock time of `event` and, for the daemon's events in virtual time, its virtual time.
    ///
    /// Every event recorded since v7 carries its wall time. An older virtual one (below
    /// ``ControllerTime/unixThreshold``) is moved by the offset the daemon's last pass recorded (exact for an event of
    /// that pass).
    static func wallSeconds(of event: RolloutEvent, pass: ControllerPass?) -> (wall: Double, virtual: Double?) {
        if let wall = event.wallAt { return (wall, event.virtualTime) }
        guard event.actor == Reconciler.actor, event.at < ControllerTime.unixThreshold, let pass else {
            return (event.at, nil)
        }
        return (event.at + pass.wallAt - pass.controllerNow, event.at)
    }

    /// The clusters of `waves` that `message` names, in plan order: by name, or by a quoted wave name; all of them
    /// when it names none.
    static func clusters(named message: String, waves: [WaveClusters]) -> [String] {
        let words = Set(
            message.split { !($0.isLetter || $0.isNumber || "-._'".contains($0)) }
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) })
        let named = waves.flatMap { wave in
            words.contains("'\(wave.name)'")
                ? wave.clusters : wave.clusters.filter { words.contains($0) || words.contains("'\($0)'") }
        }
        return named.isEmpty ? waves.flatMap(\.clusters) : named
    }
}

/// One wave of a rollout by name, with its clusters' names in plan order.
public struct WaveClusters: Sendable, Equatable {
    public var name: String
    public var clusters: [String]

    public init(name: String, clusters: [String]) {
        self.name = name
        self.clusters = clusters
    }

    /// The waves of `spec`.
    public static func of(_ spec: RolloutSpec) -> [WaveClusters] {
        spec.waves.map { WaveClusters(name: $0.name, clusters: $0.clusters.map(\.name)) }
    }
}
