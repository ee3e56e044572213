/// The default API Priority and Fairness priority levels of kube-apiserver (kubernetes/apiserver v0.32 bootstrap).
///
/// The order of the cases is the order levels are stored and reported in; `exempt` is first and has no limit.
public enum APFPriorityLevel: String, Sendable, Codable, CaseIterable {
    case exempt
    case system
    case nodeHigh = "node-high"
    case leaderElection = "leader-election"
    case workloadHigh = "workload-high"
    case workloadLow = "workload-low"
    case globalDefault = "global-default"
    case catchAll = "catch-all"

    /// Nominal concurrency shares (`nominalConcurrencyShares`); 0 for `exempt`.
    public var nominalConcurrencyShares: Int {
        switch self {
        case .exempt: 0
        case .system: 30
        case .nodeHigh: 40
        case .leaderElection: 10
        case .workloadHigh: 40
        case .workloadLow: 100
        case .globalDefault: 20
        case .catchAll: 5
        }
    }

    /// Percent of the nominal seats other levels may borrow when this level does not need them.
    public var lendablePercent: Int {
        switch self {
        case .exempt, .leaderElection, .catchAll: 0
        case .system: 33
        case .nodeHigh: 25
        case .workloadHigh: 50
        case .workloadLow: 90
        case .globalDefault: 50
        }
    }

    /// Queues per apiserver (0: the level rejects instead of queueing, or has no limit).
    public var queueCount: Int {
        switch self {
        case .exempt, .catchAll: 0
        case .leaderElection: 16
        case .system, .nodeHigh: 64
        case .workloadHigh, .workloadLow, .globalDefault: 128
        }
    }

    /// Queues one flow is shuffle-sharded onto (its hand).
    public var handSize: Int {
        switch self {
        case .exempt, .catchAll: 0
        case .leaderElection: 4
        default: 6
        }
    }

    /// Sum of the default levels' nominal concurrency shares (245).
    static let defaultShareSum = allCases.reduce(0) { $0 + $1.nominalConcurrencyShares }

    /// Index of the level in `allCases`.
    var index: Int {
        switch self {
        case .exempt: 0
        case .system: 1
        case .nodeHigh: 2
        case .leaderElection: 3
        case .workloadHigh: 4
        case .workloadLow: 5
        case .globalDefault: 6
        case .catchAll: 7
        }
    }

    /// The level an agent with this identity lands in.
    public init(agentIdentity: ClientIdentity) {
        switch agentIdentity {
        case .serviceAccount: self = .workloadLow
        case .nodeCredentials: self = .system
        case .exempt: self = .exempt
        }
    }
}

/// Per-apiserver seat limits of the APF levels, re-divided among them by borrowing as their demand changes.
///
/// Follows kube-apiserver's `computeConcurrencyAllocation`: each non-exempt level gets a concurrency limit between
/// `nominal − lendable` and its maximum (the whole server for the default levels; `nominal + borrowable`, here the
/// nominal seats, for the brake) proportional to its seat demand, with one common proportion chosen so the limits add
/// up to the nominal total. All numbers are seats of one apiserver, one `PoolLanes` lane per level: lane
/// `APFPriorityLevel.index` is that level, lane `PoolLanes.brakeLane` the brake's level when one is installed (else
/// always 0). Lane 0, exempt, is always 0: it has no limit.
struct APFSeatDivision: Sendable, Equatable {
    /// Number of levels including `exempt`, without the brake.
    static let levelCount = APFPriorityLevel.allCases.count
    /// The lane of the brake's level.
    static let brakeLane = PoolLanes.brakeLane

    /// `ceil(serverSeats × shares / Σshares)` per level (Σ includes the brake's shares when it is installed).
    let nominalSeats: PoolLanes
    /// `nominal − round(nominal × lendable%)`: never lent.
    let minimumSeats: PoolLanes
    /// Most seats each level may hold: the nominal total for the default levels, the nominal seats for the brake
    /// (`borrowingLimitPercent: 0`).
    let maximumSeats: PoolLanes
    /// Sum of the nominal seats (slightly above the server seats because of the ceilings, as in kube-apiserver).
    let nominalTotal: Double
    /// The current limits per level.
    private(set) var currentSeats: PoolLanes
    /// The demand `currentSeats` was divided for, if any: the same demand again gives the same seats, and a cluster
    /// at rest asks with the same demand period after period.
    private var dividedForDemand: PoolLanes?

    /// Equal when the seats are: what a division was last asked for is a cache, not part of its value.
    static func == (lhs: APFSeatDivision, rhs: APFSeatDivision) -> Bool {
        lhs.nominalSeats == rhs.nominalSeats && lhs.minimumSeats == rhs.minimumSeats
            && lhs.maximumSeats == rhs.maximumSeats && lhs.nominalTotal == rhs.nominalTotal
            && lhs.currentSeats == rhs.currentSeats
    }

    /// The division for a server with `serverSeats` seats (600 by default), every level at its nominal limit.
    init(serverSeats: Int, brake: APFBrake? = nil) {
        let levels = APFPriorityLevel.allCases
        let brakeShares = brake.map { Double($0.nominalConcurrencyShares) } ?? 0
        let shareSum = Double(APFPriorityLevel.defaultShareSum) + brakeShares
        var nominal = PoolLanes(repeating: 0)
        var minimum = PoolLanes(repeating: 0)
        for level in levels where level != .exempt {
            let seats = (Double(serverSeats) * Double(level.nominalConcurrencyShares) / shareSum).rounded(.up)
            nominal[level.index] = seats
            let lendable = (seats * Double(level.lendablePercent) / 100).rounded(.toNearestOrAwayFromZero)
            minimum[level.index] = seats - lendable
        }
        if brake != nil {
            // lendablePercent 100: the minimum stays 0.
            nominal[Self.brakeLane] = (Double(serverSeats) * brakeShares / shareSum).rounded(.up)
        }
        let total = nominal.sum()
        var maximum = PoolLanes(repeating: total)
        maximum[Self.brakeLane] = nominal[Self.brakeLane]
        nominalSeats = nominal
        minimumSeats = minimum
        maximumSeats = maximum
        nominalTotal = total
        currentSeats = nominal
    }

    /// Re-divides the seats for the given per-level seat demand of one apiserver (lane 0 ignored).
    ///
    /// Finds `f` with `Σ clamp(f × target, min, max) = total`, where `target = clamp(demand, min, max)`, by
    /// bisection to a relative precision of about 1e-7.
    mutating func reallocate(demandSeats: PoolLanes) {
        if let previous = dividedForDemand, previous.hasSameBits(as: demandSeats) { return }
        dividedForDemand = demandSeats
        var clampedDemand = demandSeats.clamped(lowerBound: minimumSeats, upperBound: maximumSeats)
        clampedDemand[0] = 0
        let targets = clampedDemand
        var low = 0.0
        var high = 1.0
        while allocated(targets, proportion: high).sum() < nominalTotal && high < 1e9 { high *= 2 }
        for _ in 0..<24 {
            let middle = (low + high) / 2
            if allocated(targets, proportion: middle).sum() < nominalTotal { low = middle } else { high = middle }
        }
        currentSeats = allocated(targets, proportion: high)
    }

    /// The limits for `targets` scaled by `proportion`, each between its level's minimum and maximum.
    ///
    /// A method, not a closure over the targets: a captured variable is boxed, and each read checked for exclusive
    /// access at run time.
    @inline(__always)
    private func allocated(_ targets: PoolLanes, proportion: Double) -> PoolLanes {
        targets.scaled(by: proportion).clamped(lowerBound: minimumSeats, upperBound: maximumSeats)
    }

    /// The most seats one request may occupy in the brake's level: kube-apiserver's per-level cap
    /// `max(1, min(ceil(0.15 × nominal), floor(nominal / handSize)))`, which the work estimator applies before its own
    /// cap of 10. (For the default levels at 600 seats the cap is 10 or more wherever the model has multi-seat
    /// requests, so the model does not apply it to them.)
    func brakeMaximumSeatsPerRequest(handSize: Int) -> Double {
        let nominal = nominalSeats[Self.brakeLane]
        return max(1, min((0.15 * nominal).rounded(.up), (nominal / Double(max(1, handSize))).rounded(.down)))
    }
}
