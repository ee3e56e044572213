/// An APF brake: a priority level of the agent's own (FlowSchema matching its service account).
///
/// Models a `flowcontrol.apiserver.k8s.io/v1` PriorityLevelConfiguration of `type: Limited` with
/// `lendablePercent: 100` (its idle seats are lent to the other levels) and `borrowingLimitPercent: 0` (it never
/// borrows: its limit is at most its nominal seats), queuing with `queues`, `handSize` and `queueLengthLimit`, plus a
/// FlowSchema that sends the agent's service account to it with distinguisher `ByUser` (all the agent's pods share the
/// account: one flow). Only agents whose identity is `ClientIdentity.serviceAccount` match; node-credential and exempt
/// agents keep their level.
public struct APFBrake: Sendable, Equatable, Codable {
    /// The level's `nominalConcurrencyShares`, beside the default levels' 245.
    public var nominalConcurrencyShares: Int
    /// Queues per apiserver (default 64).
    public var queues: Int
    /// Queues one flow is shuffle-sharded onto (default 6); at most `queues`.
    public var handSize: Int
    /// Requests one queue holds (default 50); past it requests get 429 at once.
    public var queueLengthLimit: Int

    /// Creates a brake; shares must not be negative, the queue numbers positive and `handSize ≤ queues`, as the
    /// apiserver's validation demands.
    public init(nominalConcurrencyShares: Int, queues: Int = 64, handSize: Int = 6, queueLengthLimit: Int = 50) {
        precondition(nominalConcurrencyShares >= 0, "APFBrake.nominalConcurrencyShares must not be negative")
        precondition(queues > 0 && queueLengthLimit > 0, "APFBrake.queues and queueLengthLimit must be positive")
        precondition(handSize > 0 && handSize <= queues, "APFBrake.handSize must be in 1...queues, got \(handSize)")
        self.nominalConcurrencyShares = nominalConcurrencyShares
        self.queues = queues
        self.handSize = handSize
        self.queueLengthLimit = queueLengthLimit
    }

    /// The shares that keep the level at most `fraction` of each apiserver's seats beside the default levels.
    ///
    /// `floor(fraction × 245 / (1 − fraction))`, 245 being the sum of the default levels' shares: the level's share
    /// of the shares, `S / (245 + S)`, is then at most `fraction` (0.1 → 27, 27 / 272 = 9.9 %). kube-apiserver rounds
    /// each level's nominal seats up, so the seats can pass `fraction × seats` by less than one seat (600 seats:
    /// `ceil(600 × 27 / 272) = 60`). `fraction` must be in [0, 1).
    public static func shares(forSeatFraction fraction: Double) -> Int {
        precondition(fraction >= 0 && fraction < 1, "APFBrake seat fraction must be in [0, 1), got \(fraction)")
        let others = Double(APFPriorityLevel.defaultShareSum)
        return Int((fraction * others / (1 - fraction)).rounded(.down))
    }

    /// The values the model uses: a decoded brake bypasses the initializer's checks, so they are clamped to the
    /// ranges the apiserver's validation allows.
    var validated: APFBrake {
        var brake = self
        brake.nominalConcurrencyShares = max(0, nominalConcurrencyShares)
        brake.queues = max(1, queues)
        brake.handSize = min(max(1, handSize), brake.queues)
        brake.queueLengthLimit = max(1, queueLengthLimit)
        return brake
    }
}
