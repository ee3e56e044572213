/// A priority level of the new agent's own, set up on each cluster before its first batch and removed after the
/// rollout: a FlowSchema matching the agent's service account sends its requests to a PriorityLevelConfiguration that
/// may hold at most a set share of each apiserver's seats (API Priority and Fairness, `flowcontrol.apiserver.k8s.io/v1`).
///
/// The level lends all its idle seats (`lendablePercent: 100`) and borrows none (`borrowingLimitPercent: 0`), so the
/// agent's calls queue and get 429s in their own level while the other levels keep their seats. Seats bound only the
/// requests executing at once: not the apiservers' CPU and memory, etcd, or the watch cache.
public struct APFBrakeSpec: Sendable, Equatable, Codable {
    /// The service account whose requests the FlowSchema matches.
    public var serviceAccount: String
    /// Its namespace.
    public var namespace: String
    /// The most of each apiserver's seats the level may hold, in (0, 1): 0.1 is 10 %.
    public var maxSeatShare: Double

    public init(serviceAccount: String, namespace: String, maxSeatShare: Double = APFBrakeSpec.defaultMaxSeatShare) {
        self.serviceAccount = serviceAccount
        self.namespace = namespace
        self.maxSeatShare = maxSeatShare
    }

    /// The share a plan gets when it turns the brake on without sizing it.
    public static let defaultMaxSeatShare = 0.1

    /// `nominalConcurrencyShares` of kube-apiserver's default limited levels together (system 30, node-high 40,
    /// leader-election 10, workload-high 40, workload-low 100, global-default 20, catch-all 5).
    public static let defaultLevelShares = 245

    /// The level's `nominalConcurrencyShares`: the most that keeps its seats, `shares / (shares + 245)` of a
    /// server's, at or below ``maxSeatShare``; at least 1.
    public var nominalConcurrencyShares: Int {
        let others = Double(Self.defaultLevelShares)
        return max(1, Int((maxSeatShare * others / (1 - maxSeatShare)).rounded(.down)))
    }

    /// The share of each apiserver's seats the level holds at most, beside the default levels.
    public var seatShare: Double {
        Double(nominalConcurrencyShares) / Double(nominalConcurrencyShares + Self.defaultLevelShares)
    }

    /// The brake's one-line description: what it matches, how big it is.
    public var summary: String {
        "FlowSchema and PriorityLevelConfiguration for service account \(namespace)/\(serviceAccount): "
            + "\(nominalConcurrencyShares) nominal shares, at most \(percent(seatShare)) of each apiserver's "
            + "seats beside the default levels; lends its idle seats, borrows none"
    }

    /// What the brake does during a rollout of `artifact`, for `plan validate` and `submit`.
    public func explanation(artifact: String) -> String {
        "APF brake: before each cluster's first batch, \(summary); both named '\(artifact)'. Removed once the "
            + "rollout completes or is rolled back (an aborted or halted rollout keeps it). The driver file needs "
            + "spec.brake and spec.release. Seats bound how many of the agent's requests run at once, not the "
            + "apiservers' CPU and memory, etcd or the watch cache."
    }
}

/// Whether a cluster's APF brake is in place.
public enum APFBrakeState: String, Sendable, Equatable, Codable {
    /// The objects exist (or may: a failed attempt counts, since it may have created them).
    case on
    /// Removed after the rollout.
    case released
}

/// Where a cluster's APF brake stands, as views show it.
public enum APFBrakeStatus: String, Sendable, Equatable, Codable {
    case settingUp = "setting up"
    case on
    case removing
    case removed
}

extension ClusterProgress {
    /// The cluster's APF brake: being set up or removed while that step is in flight, else on or removed; nil before
    /// any.
    public var apfBrakeStatus: APFBrakeStatus? {
        if inFlight == FleetAction.key(.brake, cluster: cluster, batch: 0) { return .settingUp }
        if inFlight == FleetAction.key(.release, cluster: cluster, batch: 0) { return .removing }
        return switch apfBrake {
        case .on: .on
        case .released: .removed
        case nil: nil
        }
    }
}
