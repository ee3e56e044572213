/// Where a rollout is. Only the controller writes it.
public enum RolloutPhase: String, Sendable, Equatable, Codable, CaseIterable {
    case pending
    case progressing
    case awaitingApproval
    case paused
    case halted
    case rollingBack
    case completed
    case aborted
    case rolledBack

    /// No further action on the fleet will come from this phase (a rollback may still be requested).
    public var isFinished: Bool { self == .completed || self == .aborted || self == .rolledBack }

    /// The phase in words, for tables and screens: `awaiting approval`, `rolled back`. JSON keeps the raw value.
    public var words: String {
        switch self {
        case .awaitingApproval: "awaiting approval"
        case .rollingBack: "rolling back"
        case .rolledBack: "rolled back"
        default: rawValue
        }
    }
}

/// What the controller knows of one cluster of a rollout.
public struct ClusterProgress: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        case pending
        /// A batch is being applied (see `inFlight`).
        case applying
        /// Waiting out a bake after a batch.
        case baking
        case done
        /// Reverting applied batches, newest first.
        case reverting
        case reverted
    }

    public var cluster: String
    public var wave: Int
    public var state: State
    /// Batches confirmed applied (and not since reverted): batches `0..<appliedBatches`.
    public var appliedBatches: Int
    public var totalBatches: Int
    /// The journal key of the action being carried out on this cluster.
    public var inFlight: String?
    /// When the current bake ends (controller clock seconds).
    public var bakeUntil: Double?
    public var startedAt: Double?
    public var finishedAt: Double?
    /// Failed attempts of the action in flight since it last succeeded or the rollout was resumed.
    public var failures: Int = 0
    /// When the action in flight first failed (escalation counts from here).
    public var failingSince: Double?
    /// When the latest batch was confirmed applied: its cost is measured once it has settled.
    public var lastAppliedAt: Double?
    /// The nodes of a probe batch run before the plan's first one, when the cost projected before the cluster
    /// started was too uncertain to trust (see ``GateRound``); nil when the cluster runs the plan's batches.
    public var probeNodes: Int?
    /// The cluster's APF brake, when the rollout has one and set it up here; nil before.
    public var apfBrake: APFBrakeState?

    public init(cluster: String, wave: Int, totalBatches: Int) {
        self.cluster = cluster
        self.wave = wave
        self.state = .pending
        self.appliedBatches = 0
        self.totalBatches = totalBatches
    }

    /// Started and not yet finished: the cluster carries a partial or baking change.
    public var isActive: Bool { state == .applying || state == .baking }
}

/// The controller's view of a rollout.
public struct RolloutStatus: Sendable, Equatable, Codable {
    public var phase: RolloutPhase
    /// The wave being worked on (equal to the number of waves once all are done).
    public var currentWave: Int
    public var approvedWaves: [Int]
    public var clusters: [ClusterProgress]
    /// Why the rollout is paused, halted, rolling back or finished, in a sentence.
    public var message: String
    /// The last request generation the controller has acted on.
    public var observedGeneration: Int
    public var updatedAt: Double
    /// Each baseline-compared gate's value in a cluster just before the rollout touched it.
    public var baselines: [GateOnCluster: Double] = [:]
    /// What the change cost per node in each cluster measured so far: the prediction's cost model.
    public var costSamples: [String: CostSample] = [:]
    /// Gates that are not passing (or just recovered); a passing gate has no entry.
    public var gateTracks: [GateOnCluster: GateTrack] = [:]

    /// The status of a rollout that has not started.
    public init(spec: RolloutSpec, now: Double) {
        phase = .pending
        currentWave = 0
        approvedWaves = []
        clusters = spec.clustersInOrder.map {
            ClusterProgress(cluster: $0.cluster.name, wave: $0.wave, totalBatches: $0.cluster.batchEnds.count)
        }
        message = "submitted"
        observedGeneration = 0
        updatedAt = now
    }

    /// Whether nothing but a person can move the rollout on: it waits for approval, is paused or halted, and no
    /// action or revert is under way. Time passing changes nothing for it (a virtual clock need not move).
    public var waitsOnlyForPeople: Bool {
        [.awaitingApproval, .paused, .halted].contains(phase)
            && clusters.allSatisfy { $0.inFlight == nil && $0.state != .reverting }
    }

    /// The index in `clusters` of the cluster with this name.
    public func clusterIndex(_ name: String) -> Int? {
        clusters.firstIndex { $0.cluster == name }
    }
}

/// How long a gate has not passed on one cluster, and whether that breach counted.
public struct GateTrack: Sendable, Equatable, Codable {
    /// Evaluations in a row that did not pass.
    public var failing: Int
    /// When the first of them happened.
    public var since: Double
    /// The breach lasted long enough to count; it stays counted until `recoverAfter` passes in a row.
    public var counted: Bool
    /// Passes in a row since the breach counted.
    public var passing: Int

    public init(failing: Int = 0, since: Double, counted: Bool = false, passing: Int = 0) {
        self.failing = failing
        self.since = since
        self.counted = counted
        self.passing = passing
    }
}
