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
/// `nominal − lendable` and `nominal + borrowable` (here: the whole server) proportional to its seat demand, with one
/// common proportion chosen so the limits add up to the nominal total. All numbers are seats of one apiserver; lane
/// `APFPriorityLevel.index` of each vector is that level (lane 0, exempt, is always 0: it has no limit).
struct APFSeatDivision: Sendable, Equatable {
    /// Number of levels including `exempt`.
    static let levelCount = APFPriorityLevel.allCases.count

    /// `ceil(serverSeats × shares / Σshares)` per level.
    let nominalSeats: SIMD8<Double>
    /// `nominal − round(nominal × lendable%)`: never lent.
    let minimumSeats: SIMD8<Double>
    /// Sum of the nominal seats (slightly above the server seats because of the ceilings, as in kube-apiserver).
    let nominalTotal: Double
    /// The current limits per level.
    private(set) var currentSeats: SIMD8<Double>

    /// The division for a server with `serverSeats` seats (600 by default), every level at its nominal limit.
    init(serverSeats: Int) {
        let levels = APFPriorityLevel.allCases
        let shareSum = Double(levels.reduce(0) { $0 + $1.nominalConcurrencyShares })
        var nominal = SIMD8<Double>(repeating: 0)
        var minimum = SIMD8<Double>(repeating: 0)
        for level in levels where level != .exempt {
            let seats = (Double(serverSeats) * Double(level.nominalConcurrencyShares) / shareSum).rounded(.up)
            nominal[level.index] = seats
            let lendable = (seats * Double(level.lendablePercent) / 100).rounded(.toNearestOrAwayFromZero)
            minimum[level.index] = seats - lendable
        }
        nominalSeats = nominal
        minimumSeats = minimum
        nominalTotal = nominal.sum()
        currentSeats = nominal
    }

    /// Re-divides the seats for the given per-level seat demand of one apiserver (lane 0 ignored).
    ///
    /// Finds `f` with `Σ clamp(f × target, min, total) = total`, where `target = clamp(demand, min, total)`, by
    /// bisection to a relative precision of about 1e-7.
    mutating func reallocate(demandSeats: SIMD8<Double>) {
        let total = SIMD8<Double>(repeating: nominalTotal)
        var targets = demandSeats.clamped(lowerBound: minimumSeats, upperBound: total)
        targets[0] = 0
        func allocated(_ proportion: Double) -> SIMD8<Double> {
            (proportion * targets).clamped(lowerBound: minimumSeats, upperBound: total)
        }
        var low = 0.0
        var high = 1.0
        while allocated(high).sum() < nominalTotal && high < 1e9 { high *= 2 }
        for _ in 0..<24 {
            let middle = (low + high) / 2
            if allocated(middle).sum() < nominalTotal { low = middle } else { high = middle }
        }
        currentSeats = allocated(high)
    }
}
