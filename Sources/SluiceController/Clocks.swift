import Foundation

/// Where the controller's time comes from. Time is a value read here and passed on, never a global.
public protocol ControllerClock: Sendable {
    /// Seconds on this clock (Unix seconds for the wall clock, virtual seconds otherwise).
    func now() async -> Double

    /// Catches up with time kept outside this process. Called at the start of every pass under the lease, so a daemon
    /// that takes over from another continues the other's clock instead of its own stale reading.
    func synchronize() async throws
}

extension ControllerClock {
    /// A clock of this process alone has nothing to catch up with.
    public func synchronize() async throws {}
}

/// The wall clock.
public struct WallClock: ControllerClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
}

/// A clock that moves only when told to: tests and virtual-time runs.
public actor ManualClock: ControllerClock {
    private var current: Double

    public init(startingAt seconds: Double = 0) {
        current = seconds
    }

    public func now() -> Double { current }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) { current += seconds }

    /// Sets the clock to `seconds`, which must not be in the past.
    public func set(_ seconds: Double) { current = max(current, seconds) }
}
