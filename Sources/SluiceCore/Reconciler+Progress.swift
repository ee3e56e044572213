/// The rollout's side of a pass: waves, clusters and batches moved forward, or reverted newest first.
extension Pass {
    mutating func act() {
        if status.phase == .pending { setPhase(.progressing, "started") }
        continueReverts()
        switch status.phase {
        case .progressing, .awaitingApproval:
            if let holds = evaluateGates() { progress(holds: holds) }
        case .rollingBack:
            rollBack()
        default:
            break
        }
        decision.nextCheckAt = status.clusters.compactMap { $0.state == .baking ? $0.bakeUntil : nil }.min()
    }

    mutating func progress(holds: Holds) {
        while status.currentWave < spec.waves.count {
            let waveIndex = status.currentWave
            let wave = spec.waves[waveIndex]
            if wave.approval == .manual && !status.approvedWaves.contains(waveIndex) {
                setPhase(.awaitingApproval, "wave '\(wave.name)' waits for approval: `sluice promote \(spec.name)`")
                return
            }
            if status.phase != .progressing { setPhase(.progressing, "wave '\(wave.name)' in progress") }
            let inWave = status.clusters.indices.filter { status.clusters[$0].wave == waveIndex }
            for index in inWave where holds.allows(status.clusters[index].cluster) { advanceIfBaked(clusterAt: index) }
            let limit = min(wave.maxConcurrentClusters, spec.policy.fleet?.maxClustersInProgress ?? .max)
            var active = status.clusters.filter(\.isActive).count
            for index in inWave where active < limit && status.clusters[index].state == .pending {
                let name = status.clusters[index].cluster
                // A cluster starts only once its signals were read and its predictions passed in this pass.
                guard holds.watched(name), holds.allows(name) else { break }
                status.baselines.merge(holds.round.baselines(for: name)) { $1 }
                status.clusters[index].startedAt = now
                var started = "\(name): cluster started (wave '\(wave.name)')"
                if let probe = holds.probes[name] {
                    status.clusters[index].probeNodes = probe
                    status.clusters[index].totalBatches += 1
                    started += " with a probe batch of \(counted(probe, "node")): its own cost decides the rest"
                }
                record(.started, started)
                if spec.apfBrake == nil { emit(.apply, batch: 0, clusterAt: index) } else { emitBrake(clusterAt: index) }
                active += 1
            }
            let finished = inWave.allSatisfy {
                status.clusters[$0].state == .done || status.clusters[$0].state == .reverted
            }
            guard finished else { return }
            record(.waveComplete, "wave '\(wave.name)' complete")
            status.currentWave += 1
        }
        guard releaseBrakes() else {
            setPhase(.progressing, "every wave complete; removing the APF brakes")
            return
        }
        setPhase(.completed, "every wave complete")
    }

    mutating func advanceIfBaked(clusterAt index: Int) {
        let progress = status.clusters[index]
        guard progress.state == .baking, progress.inFlight == nil, let until = progress.bakeUntil, now >= until else {
            return
        }
        status.clusters[index].bakeUntil = nil
        if progress.appliedBatches == progress.totalBatches {
            status.clusters[index].state = .done
            status.clusters[index].finishedAt = now
            record(.clusterComplete, "\(progress.cluster): every batch applied and baked")
        } else {
            emit(.apply, batch: progress.appliedBatches, clusterAt: index)
        }
    }

    /// Reverts the next (newest) batch of every reverting cluster with nothing in flight.
    ///
    /// An apply that failed may still have reached some of its nodes, so its batch counts as applied and is
    /// reverted too.
    mutating func continueReverts() {
        guard status.phase != .aborted && !status.phase.isFinished else { return }
        for index in status.clusters.indices where status.clusters[index].state == .reverting {
            settleFailedApply(clusterAt: index)
            let progress = status.clusters[index]
            guard progress.inFlight == nil else { continue }
            if progress.appliedBatches == 0 {
                status.clusters[index].state = .reverted
                status.clusters[index].finishedAt = now
            } else {
                emit(.revert, batch: progress.appliedBatches - 1, clusterAt: index)
            }
        }
    }

    /// Takes a failed apply or brake out of flight, counting it as done: it may have reached some nodes, or created
    /// the brake's objects.
    mutating func settleFailedApply(clusterAt index: Int) {
        guard let key = status.clusters[index].inFlight, let entry = input.journal[key], entry.state == .failed,
            entry.action.kind == .apply || entry.action.kind == .brake,
            !decision.actions.contains(where: { $0.key == key })
        else { return }
        if entry.action.kind == .brake {
            status.clusters[index].apfBrake = .on
        } else {
            status.clusters[index].appliedBatches = max(status.clusters[index].appliedBatches, entry.action.batch + 1)
        }
        status.clusters[index].inFlight = nil
        status.clusters[index].failures = 0
        status.clusters[index].failingSince = nil
    }

    mutating func rollBack() {
        for index in status.clusters.indices {
            settleFailedApply(clusterAt: index)
            let progress = status.clusters[index]
            // A braked cluster whose first batch has not gone yet is active, with nothing applied: it ends reverted.
            let touched = progress.appliedBatches > 0 || progress.isActive
                || progress.inFlight != nil && progress.apfBrakeStatus != .removing
            if touched && progress.state != .reverting {
                status.clusters[index].state = progress.inFlight == nil ? .reverting : progress.state
                status.clusters[index].bakeUntil = nil
            }
        }
        continueReverts()
        let settled = status.clusters.allSatisfy { $0.inFlight == nil && $0.appliedBatches == 0 }
        if settled && releaseBrakes() { setPhase(.rolledBack, "every applied batch reverted") }
    }
}
