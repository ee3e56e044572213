import Dispatch
import Synchronization

/// One cluster of a `FleetSimulation` with the changes submitted for it: all that a step of the cluster reads or
/// writes, so the clusters of a fleet can be stepped one after another or on several threads, with the same results.
struct SimulatedCluster: Sendable {
    /// The cluster's model.
    var model: ClusterModel
    /// The changes submitted for the cluster.
    var changes = ClusterChanges()

    /// Runs the steps `steps` (step indices, `[index × dt, (index + 1) × dt)` each) of the cluster: each offers the
    /// step's change requests, steps the model, then credits what succeeded to the changes.
    mutating func run(steps: Range<Int>, seed: UInt64, parameters p: SimulationParameters) {
        for stepIndex in steps {
            let startSeconds = Double(stepIndex) * p.stepSeconds
            let hasChanges = changes.hasActive
            if hasChanges { changes.offerRequests(to: &model, startSeconds: startSeconds, parameters: p) }
            model.step(stepIndex: stepIndex, seed: seed, parameters: p)
            if hasChanges {
                changes.creditProgress(on: &model, endSeconds: startSeconds + p.stepSeconds, parameters: p)
            }
        }
    }
}

/// Steps the clusters of a fleet over a run of steps, on up to `workers` threads.
///
/// Each cluster runs all the steps before the next is taken (its state stays in the core's cache); workers take the
/// next few clusters as they finish theirs. A cluster's step reads nothing of another cluster and draws its random
/// numbers from its own counter-based stream, so the results do not depend on the workers or the order.
enum ClusterStepping {
    /// Clusters a worker takes at a time.
    static let clustersPerClaim = 4

    /// Runs `steps` on every cluster of `clusters`.
    static func run(
        _ clusters: inout [SimulatedCluster], steps: Range<Int>, seed: UInt64, parameters: SimulationParameters,
        workers: Int
    ) {
        guard !steps.isEmpty else { return }
        let workerCount = min(max(1, workers), (clusters.count + clustersPerClaim - 1) / clustersPerClaim)
        guard workerCount > 1 else {
            for index in clusters.indices { clusters[index].run(steps: steps, seed: seed, parameters: parameters) }
            return
        }
        clusters.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedClusters(buffer: buffer)
            let nextClaim = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
                while true {
                    let first = nextClaim.add(clustersPerClaim, ordering: .relaxed).oldValue
                    guard first < shared.buffer.count else { return }
                    for index in first..<min(first + clustersPerClaim, shared.buffer.count) {
                        shared.buffer[index].run(steps: steps, seed: seed, parameters: parameters)
                    }
                }
            }
        }
    }

    /// The clusters' buffer, handed to the workers: each index is claimed by exactly one worker.
    private struct SharedClusters: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<SimulatedCluster>
    }
}
