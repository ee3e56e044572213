public import SluiceStore

/// Virtual time for a daemon: moves by a fixed step after each pass and is kept in the database, so a restarted
/// daemon, or a standby taking over, continues from where the last holder was and no bake is cut short or stretched.
public actor StoredVirtualClock: ControllerClock {
    private let store: SluiceStore
    private let stepSeconds: Double
    private var current: Double

    /// Starts at the time stored by a previous daemon, or at `start`.
    public init(store: SluiceStore, stepSeconds: Double, start: Double = 0) throws {
        self.store = store
        self.stepSeconds = stepSeconds
        current = try store.virtualNow() ?? start
    }

    public func now() -> Double { current }

    /// Re-reads the stored time: a standby that takes over continues from where the last holder moved the clock.
    public func synchronize() throws {
        current = max(current, try store.virtualNow() ?? current)
    }

    /// Moves one step and records it under `lease`.
    public func advance(lease: Lease) throws {
        current = max(current, (try store.virtualNow()) ?? current) + stepSeconds
        try store.saveVirtualNow(current, lease: lease)
    }
}
