import SluiceCore
import SluiceStore

/// A rollout as `get` shows it: per wave and cluster progress, in words and numbers.
struct RolloutView: Codable, Equatable {
    struct Wave: Codable, Equatable {
        var name: String
        var approval: String
        var state: String
        var clusters: [Cluster]
    }

    struct Cluster: Codable, Equatable {
        var name: String
        var state: String
        var batch: String
        var nodesDone: Int
        var nodes: Int
        var bakeRemainingSeconds: Double?
        var inFlight: String?
    }

    var name: String
    var artifact: String
    var phase: String
    var message: String
    var generation: Int
    var observedGeneration: Int
    var currentWave: String?
    var waves: [Wave]
    var pendingRequests: [String]

    init(_ record: RolloutRecord, pendingRequests: [String], now: Double) {
        let status = record.status
        name = record.spec.name
        artifact = "\(record.spec.artifact.name) \(record.spec.artifact.version)"
        phase = status.phase.rawValue
        message = status.message
        generation = record.generation
        observedGeneration = status.observedGeneration
        currentWave = status.currentWave < record.spec.waves.count ? record.spec.waves[status.currentWave].name : nil
        self.pendingRequests = pendingRequests
        waves = record.spec.waves.enumerated().map { index, wave in
            let state = index < status.currentWave ? "complete" : index == status.currentWave ? "current" : "waiting"
            return Wave(
                name: wave.name, approval: wave.approval.rawValue, state: state,
                clusters: wave.clusters.map { spec in
                    let progress = status.clusters.first { $0.cluster == spec.name }
                        ?? ClusterProgress(cluster: spec.name, wave: index, totalBatches: spec.batchEnds.count)
                    return Cluster(
                        name: spec.name, state: progress.state.rawValue,
                        batch: "\(progress.appliedBatches)/\(progress.totalBatches)",
                        nodesDone: progress.appliedBatches == 0 ? 0 : spec.batchEnds[progress.appliedBatches - 1],
                        nodes: spec.cluster.nodeCount,
                        bakeRemainingSeconds: progress.state == .baking ? progress.bakeUntil.map { max(0, $0 - now) } : nil,
                        inFlight: progress.inFlight)
                })
        }
    }

    var rendered: String {
        var lines = [
            "Rollout:   \(name)",
            "Artifact:  \(artifact)",
            "Phase:     \(phase)",
            "Message:   \(message)",
        ]
        if observedGeneration < generation {
            lines.append("Pending:   \(pendingRequests.joined(separator: ", ")) (sluiced has not acted on it yet; is it running?)")
        }
        lines.append("")
        let rows = waves.flatMap { wave in
            wave.clusters.map { cluster in
                [
                    "\(wave.name) (\(wave.state))", cluster.name, cluster.state, cluster.batch,
                    "\(cluster.nodesDone)/\(cluster.nodes)", short(cluster.bakeRemainingSeconds),
                ]
            }
        }
        lines.append(table(["WAVE", "CLUSTER", "STATE", "BATCH", "NODES", "BAKE LEFT"], rows))
        return lines.joined(separator: "\n")
    }
}
