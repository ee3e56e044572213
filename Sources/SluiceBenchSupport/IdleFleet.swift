public import SluiceCore

/// A fleet for benchmarks of the controller's own cost: every driver call succeeds at once, and every signal reads
/// healthy (0) at the time asked, so a pass does only its own work.
public struct IdleFleet: FleetDriver, SignalSource {
    public init() {}

    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        "ok"
    }

    public func samples(cluster: String, signal: String, from: Double, through: Double) -> [SignalSample] {
        [SignalSample(at: through, value: 0)]
    }
}
