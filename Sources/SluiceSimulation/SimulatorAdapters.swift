import FleetSimulator
public import SluiceController
public import SluiceCore

/// The simulated fleet as a Sluice driver: through the control plane (what a Kubernetes driver does), or node-direct
/// (the break-glass path escalations use).
///
/// In virtual time (`pacing == .virtual`) the call itself moves the simulation forward until the change is done or
/// its deadline passes, as a real call takes time; live, it waits for the simulation's own clock.
public struct SimulatorDriver: FleetDriver {
    public enum Pacing: Sendable {
        /// Advance the simulation by this many virtual seconds at a time while waiting.
        case virtual(stepSeconds: Double)
        /// Poll the simulation, which a background task moves, every this many wall seconds.
        case live(pollSeconds: Double)
    }

    public let fleet: SimulatedFleet
    public var pacing: Pacing
    /// How long one batch may take before it counts as failed.
    public var deadlineSeconds: Double
    public var path: ChangePath

    public init(
        fleet: SimulatedFleet, pacing: Pacing = .virtual(stepSeconds: 5), deadlineSeconds: Double = 600,
        path: ChangePath = .controlPlane
    ) {
        self.fleet = fleet
        self.pacing = pacing
        self.deadlineSeconds = deadlineSeconds
        self.path = path
    }

    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        if action.kind == .brake || action.kind == .release { return try await brake(action, on: cluster) }
        guard let profile = AgentAPIProfile.forArtifact(artifact) else {
            throw SimulationError.unknownProfile(artifact.apiProfile ?? "")
        }
        let started = await fleet.nowSeconds
        let ticket = await fleet.submit(
            cluster: cluster.name, nodes: action.nodes, enable: action.kind == .apply, profile: profile,
            path: path, deadlineSeconds: deadlineSeconds)
        while true {
            switch await fleet.status(ticket) {
            case .succeeded:
                let took = await fleet.nowSeconds - started
                let how = path == .controlPlane ? "via the control plane" : "node-direct"
                return "\(action.nodes.count) nodes \(how) in \(DurationText.format(took))"
            case .failed(let reason):
                throw SimulationError.changeFailed(reason)
            case .inProgress:
                switch pacing {
                case .virtual(let step): await fleet.advance(by: step)
                case .live(let poll): try await Task.sleep(for: .milliseconds(Int(poll * 1000)))
                }
            }
        }
    }
}

extension SimulatorDriver {
    /// Creates or deletes the cluster's brake objects: one API call, which needs a serving apiserver.
    func brake(_ action: FleetAction, on cluster: FleetCluster) async throws -> String {
        guard let spec = action.brake else { throw SimulationError.changeFailed("the action carries no APF brake") }
        let brake = APFBrake(nominalConcurrencyShares: spec.nominalConcurrencyShares)
        guard await fleet.setAPFBrake(action.kind == .brake ? brake : nil, cluster: cluster.name) else {
            throw SimulationError.changeFailed("no apiserver of \(cluster.name) serves")
        }
        return action.kind == .brake
            ? "priority level with \(brake.nominalConcurrencyShares) shares set up" : "priority level removed"
    }
}

/// The simulated fleet's scraped metrics as a signal source.
public struct SimulatorSignalSource: SignalSource {
    public let fleet: SimulatedFleet

    public init(fleet: SimulatedFleet) {
        self.fleet = fleet
    }

    public func samples(cluster: String, signal: String, from: Double, through: Double) async -> [SignalSample] {
        await fleet.samples(cluster: cluster, signal: signal, from: from, through: through)
    }

    /// Every read in one call to the simulation (rather than one per signal): what `readEach` gives.
    public func read(_ reads: [SignalRead], cluster: String, artifact: String, now: Double) async -> ClusterSignals {
        await fleet.signals(reads, cluster: cluster, now: now)
    }
}

/// The simulation's virtual time as the controller's clock.
public struct SimulationClock: ControllerClock {
    public let fleet: SimulatedFleet

    public init(fleet: SimulatedFleet) {
        self.fleet = fleet
    }

    public func now() async -> Double { await fleet.nowSeconds }
}

/// Why a simulated action failed.
public enum SimulationError: Error, CustomStringConvertible {
    case unknownProfile(String)
    case changeFailed(String)

    public var description: String {
        switch self {
        case .unknownProfile(let name):
            "the simulator has no API profile '\(name)'; use one of "
                + AgentAPIProfile.builtIn.map(\.name).joined(separator: ", ")
        case .changeFailed(let reason): "the control plane did not carry the change out: \(reason)"
        }
    }
}
