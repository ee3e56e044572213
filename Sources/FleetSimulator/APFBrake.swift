/// An APF brake: a priority level of the agent's own (FlowSchema matching its service account).
///
/// Models a `flowcontrol.apiserver.k8s.io/v1` PriorityLevelConfiguration of `type: Limited` with
/// `lendablePercent: 100` (its idle seats are lent to the other levels) and `borrowingLimitPercent: 0` (it never
/// borrows: its limit is at most its nominal seats), queuing with `queues`, `handSize` and `queueLengthLimit`, plus a
/// FlowSchema that sends the agent's service account to it with distinguisher `ByUser` (all the agent's pods share the
/// account: one flow). Only agents whose identity is `ClientIdentity.serviceAccount` match; node-credential and exempt
/// agents keep their level.
public struct APFBrake: Sendable, Equatable {
    /// The level's `nominalConcurrencyShares`, beside the default levels' 245.
    public let nominalConcurrencyShares: Int
    /// Queues per apiserver (default 64).
    public let queues: Int
    /// Queues one flow is shuffle-sharded onto (default 6); at most `queues`.
    public let handSize: Int
    /// Requests one queue holds (default 50); past it requests get 429 at once.
    public let queueLengthLimit: Int

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
}
