/// What acts on the fleet. Implementations are idempotent: carrying out an action twice leaves the nodes as once.
public protocol FleetDriver: Sendable {
    /// Carries out `action` on the nodes of `cluster`; throws when it could not be confirmed.
    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String
}
