/// Identifies one change submitted to a `FleetSimulation` (and to its copies made after the submission).
public struct ChangeTicket: Sendable, Hashable {
    /// Position in the simulation's change log, from 0; unique within one simulation.
    public let id: Int
    /// The cluster the change was submitted for, as given.
    public let cluster: String

    /// Rebuilds a ticket from its stored parts (for a driver that journals its tickets); only tickets the simulation
    /// issued have a status other than `.failed`.
    public init(id: Int, cluster: String) {
        self.id = id
        self.cluster = cluster
    }
}

/// Where a change stands.
public enum ChangeStatus: Sendable, Equatable {
    /// Still working: `done` of `total` nodes run (or no longer run) the agent as asked.
    case inProgress(done: Int, total: Int)
    /// Every node of the change is as asked.
    case succeeded
    /// The change missed its deadline or could not start; `reason` says what happened, in a sentence.
    case failed(reason: String)
}

/// The simulation's record of one change.
struct ChangeRecord: Sendable {
    /// How the change is carried out.
    enum Path: Sendable {
        /// Through the apiserver: driver label patches, then DaemonSet controller, scheduler and kubelet.
        case controlPlane
        /// Break-glass on the nodes themselves, independent of the apiserver.
        case nodeDirect
    }

    /// The ticket's id (its position in the simulation's change log).
    let id: Int
    let path: Path
    let nodes: Range<Int>
    let enable: Bool
    /// Profile slot on the cluster when enabling.
    let profileSlot: Int?
    let submittedAtSeconds: Double
    /// Control-plane path: when the driver gives up.
    let deadlineAtSeconds: Double
    /// Node-direct path: when the nodes have changed.
    let effectiveAtSeconds: Double
    /// Driver requests that succeeded.
    var driverRequestsDone = 0.0
    /// Pod lifecycle requests that succeeded.
    var lifecycleRequestsDone = 0.0
    /// Driver requests offered in the current step.
    var driverOffered = 0.0
    /// Pod lifecycle requests offered in the current step.
    var lifecycleOffered = 0.0
    /// Nodes changed.
    var nodesDone = 0
    /// The driver stopped sending (deadline passed).
    var driverGaveUp = false
    var status: ChangeStatus
}
