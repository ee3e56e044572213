/// Something done to one cluster: apply or revert the artifact on one batch, or set up or remove its APF brake.
public struct FleetAction: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case apply
        case revert
        /// Revert every node of the cluster that may run the artifact through the break-glass (node-direct)
        /// channel, because the control-plane path could not.
        case escalate
        /// Create the cluster's APF brake (``APFBrakeSpec``) before its first batch.
        case brake
        /// Remove it after the rollout.
        case release
    }

    public var rollout: String
    public var kind: Kind
    public var cluster: String
    public var batch: Int
    /// Node indices of the batch, in the cluster's rollout order (none for a brake or its release).
    public var nodes: Range<Int>
    /// The brake to set up or remove (brake and release only): the rollout spec's, filled in by the controller when
    /// it carries the action out, since the spec never changes after submission.
    public var brake: APFBrakeSpec?

    public init(
        rollout: String, kind: Kind, cluster: String, batch: Int, nodes: Range<Int>, brake: APFBrakeSpec? = nil
    ) {
        self.rollout = rollout
        self.kind = kind
        self.cluster = cluster
        self.batch = batch
        self.nodes = nodes
        self.brake = brake
    }

    /// Unique within a rollout: a batch is applied at most once and reverted at most once; a cluster escalates,
    /// brakes and releases once.
    public var key: String { Self.key(kind, cluster: cluster, batch: batch) }

    /// The journal key of the action `kind` on `batch` of `cluster`.
    public static func key(_ kind: Kind, cluster: String, batch: Int) -> String { "\(kind.rawValue)/\(cluster)/\(batch)" }

    /// The step `kind` (`.brake` or `.release`) of `cluster`'s APF brake: batch 0, no nodes.
    public static func brakeStep(_ kind: Kind, rollout: String, cluster: String) -> FleetAction {
        FleetAction(rollout: rollout, kind: kind, cluster: cluster, batch: 0, nodes: 0..<0)
    }
}

/// An action as the journal records it: intended before the driver is called, done or failed after.
public struct JournalEntry: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        case intended
        case done
        case failed
    }

    public var action: FleetAction
    public var state: State
    public var attempts: Int
    public var intendedAt: Double
    public var completedAt: Double?
    /// The driver's output or error, for the record.
    public var detail: String

    public init(
        action: FleetAction, state: State, attempts: Int, intendedAt: Double, completedAt: Double? = nil,
        detail: String = ""
    ) {
        self.action = action
        self.state = state
        self.attempts = attempts
        self.intendedAt = intendedAt
        self.completedAt = completedAt
        self.detail = detail
    }
}
