import SluiceCore
import SluiceStore

/// A rollout as `get` shows it: per wave and cluster progress, in words and numbers.
struct RolloutView: Codable, Equatable {
    struct Wave: Codable, Equatable {
        /// Where the rollout stands with a wave.
        enum State: String, Codable, Equatable {
            case complete, current, waiting
        }

        var name: String
        var approval: String
        var state: State
        var clusters: [Cluster]
    }

    struct Cluster: Codable, Equatable {
        var name: String
        var state: ClusterState
        var batch: String
        /// Nodes the batches confirmed applied cover.
        var nodesDone: Int
        /// Nodes that run the change now: `nodesDone` less those break-glass reverted.
        var nodesCarrying: Int
        var nodes: Int
        var bakeRemainingSeconds: Double?
        var inFlight: String?
        /// Nodes break-glass reverted node-direct, and those it failed to revert (may still run the change).
        var nodesRevertedByBreakGlass: Int?
        var nodesBreakGlassFailed: Int?
        /// The cluster's APF brake (`setting up`, `on`, `removing`, `removed`); nil before any or without one.
        var apfBrake: APFBrakeStatus?
    }

    /// Who broke the glass, when and why, and how many nodes it reverted: shown whenever break-glass ran.
    struct BreakGlass: Codable, Equatable {
        var fencedAt: String
        var actor: String
        var reason: String
        var runs: Int
        var nodesReverted: Int
        var nodesFailed: Int
    }

    var name: String
    var artifact: String
    var phase: RolloutPhase
    var message: String
    var generation: Int
    var observedGeneration: Int
    var currentWave: String?
    var waves: [Wave]
    var pendingRequests: [String]
    var breakGlass: BreakGlass?
    /// What the rollout's APF brake is, when its plan has one.
    var apfBrake: String?

    /// The view of `record` at controller time `now`; with `breakGlass`, what break-glass did overrides the
    /// controller's status, so the view says what runs on the nodes even before `sluiced` saw the fence.
    init(_ record: RolloutRecord, pendingRequests: [String], now: Double, breakGlass: BreakGlassState? = nil) {
        let status = record.status.fenced(by: breakGlass)
        name = record.spec.name
        artifact = "\(record.spec.artifact.name) \(record.spec.artifact.version)"
        phase = status.phase
        message = status.message
        generation = record.generation
        observedGeneration = status.observedGeneration
        currentWave = status.currentWave < record.spec.waves.count ? record.spec.waves[status.currentWave].name : nil
        self.pendingRequests = pendingRequests
        apfBrake = record.spec.apfBrake?.summary
        self.breakGlass = breakGlass.map {
            BreakGlass(
                fencedAt: ControllerTime.format($0.fencedAt), actor: $0.actor, reason: $0.reason, runs: $0.runs,
                nodesReverted: $0.nodesReverted, nodesFailed: $0.nodesFailed)
        }
        waves = record.spec.waves.enumerated().map { index, wave in
            let state: Wave.State =
                index < status.currentWave ? .complete : index == status.currentWave ? .current : .waiting
            return Wave(
                name: wave.name, approval: wave.approval.rawValue, state: state,
                clusters: wave.clusters.map { spec in
                    let progress = status.clusters.first { $0.cluster == spec.name }
                        ?? ClusterProgress(cluster: spec.name, wave: index, totalBatches: spec.batchEnds.count)
                    var cluster = Self.cluster(spec, progress: progress, breakGlass: breakGlass, now: now)
                    cluster.apfBrake = progress.apfBrakeStatus
                    return cluster
                })
        }
    }

    static func cluster(
        _ spec: ClusterSpec, progress: ClusterProgress, breakGlass: BreakGlassState?, now: Double
    ) -> Cluster {
        let done = spec.batches(as: progress).nodesApplied(batches: progress.appliedBatches)
        let carrying = breakGlass?.nodesCarrying(spec.cluster, applied: done) ?? done
        let glass = breakGlass?.result(for: spec.name)
        var state = ClusterState.progress(progress.state)
        if let glass {
            state = glass.failed.isEmpty && carrying == 0 ? .revertedByBreakGlass : .breakGlassFailed(nodes: glass.failed.count)
        }
        return Cluster(
            name: spec.name, state: state, batch: "\(progress.appliedBatches)/\(progress.totalBatches)",
            nodesDone: done, nodesCarrying: carrying, nodes: spec.cluster.nodeCount,
            bakeRemainingSeconds: progress.state == .baking && glass == nil
                ? progress.bakeUntil.map { max(0, $0 - now) } : nil,
            inFlight: progress.inFlight, nodesRevertedByBreakGlass: glass?.reverted.count,
            nodesBreakGlassFailed: glass?.failed.count)
    }

    var rendered: String {
        var lines = [
            "Rollout:   \(name)",
            "Artifact:  \(artifact)",
            "Phase:     \(phase.words)",
            "Message:   \(message)",
        ]
        if let breakGlass {
            lines.append(
                "Glass:     broken by \(breakGlass.actor) at \(breakGlass.fencedAt) ("
                    + "\(counted(breakGlass.runs, "run"))): \(breakGlass.nodesReverted) nodes reverted node-direct, "
                    + "\(breakGlass.nodesFailed) failed; reason: \(breakGlass.reason)")
        }
        if let apfBrake { lines.append("APF brake: \(apfBrake)") }
        if observedGeneration < generation {
            lines.append("Pending:   \(pendingRequests.joined(separator: ", ")) (sluiced has not acted on it yet; is it running?)")
        }
        lines.append("")
        let rows = waves.flatMap { wave in
            wave.clusters.map { cluster in
                [
                    "\(wave.name) (\(wave.state.rawValue))", cluster.name, cluster.state.text, cluster.batch,
                    "\(cluster.nodesCarrying)/\(cluster.nodes)", short(cluster.bakeRemainingSeconds),
                ] + (apfBrake == nil ? [] : [cluster.apfBrake?.rawValue ?? "-"])
            }
        }
        let header = ["WAVE", "CLUSTER", "STATE", "BATCH", "NODES WITH CHANGE", "BAKE LEFT"]
        lines.append(table(header + (apfBrake == nil ? [] : ["APF BRAKE"]), rows))
        return lines.joined(separator: "\n")
    }
}

/// A cluster's state as the views show it: the controller's, unless break-glass reverted the cluster node-direct.
///
/// Written as one word in text and JSON (`baking`, `revertedByBreakGlass`, `breakGlassFailed(3 nodes)`).
enum ClusterState: Equatable, Codable {
    case progress(ClusterProgress.State)
    /// Break-glass reverted every node that had the change.
    case revertedByBreakGlass
    /// Break-glass could not revert `nodes` nodes: they may still run the change.
    case breakGlassFailed(nodes: Int)

    var text: String {
        switch self {
        case .progress(let state): state.rawValue
        case .revertedByBreakGlass: "revertedByBreakGlass"
        case .breakGlassFailed(let nodes): "breakGlassFailed(\(nodes) nodes)"
        }
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let state = ClusterProgress.State(rawValue: text) {
            self = .progress(state)
        } else if text == "revertedByBreakGlass" {
            self = .revertedByBreakGlass
        } else if text.hasPrefix("breakGlassFailed("), let nodes = Int(text.dropFirst(17).prefix { $0.isNumber }) {
            self = .breakGlassFailed(nodes: nodes)
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a cluster state"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
