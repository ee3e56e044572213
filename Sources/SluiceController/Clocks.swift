import Foundation

/// Where the controller's time comes from. Time is a value read here and passed on, never a global.
public protocol ControllerClock: Sendable {
    /// Seconds on this clock (Unix seconds for the wall clock, virtual seconds otherwise).
    func now() async -> Double
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
