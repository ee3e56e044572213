/// The journal's side of a pass: confirmed actions move the status on; failed ones are retried, escalated or halt.
extension Pass {
    /// Folds confirmed and failed actions into the status, whatever the phase.
    mutating func foldJournal() {
        for index in status.clusters.indices {
            guard let key = status.clusters[index].inFlight, let entry = input.journal[key] else { continue }
            switch entry.state {
            case .intended:
                continue
            case .done:
                confirm(entry, clusterAt: index)
            case .failed:
                fail(entry, clusterAt: index)
            }
        }
    }

    mutating func confirm(_ entry: JournalEntry, clusterAt index: Int) {
        let action = entry.action
        let completedAt = entry.completedAt ?? now
        var progress = status.clusters[index]
        progress.inFlight = nil
        progress.failures = 0
        progress.failingSince = nil
        switch action.kind {
        case .apply:
            progress.appliedBatches = action.batch + 1
            progress.lastAppliedAt = completedAt
            if progress.state == .applying {
                let wave = spec.waves[progress.wave]
                let isLast = progress.appliedBatches == progress.totalBatches
                progress.state = .baking
                progress.bakeUntil = completedAt + (isLast ? wave.bakeAfterClusterSeconds : wave.bakeBetweenBatchesSeconds)
            }
            record(.applied, "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) applied "
                + "(\(nodesText(action.nodes)))")
        case .revert:
            progress.appliedBatches = action.batch
            if progress.appliedBatches == 0 {
                progress.state = .reverted
                progress.finishedAt = completedAt
            }
            record(.reverted, "\(action.cluster): batch \(action.batch + 1)/\(progress.totalBatches) reverted "
                + "(\(nodesText(action.nodes)))")
        case .escalate:
            progress.appliedBatches = 0
            progress.state = .reverted
            progress.finishedAt = completedAt
            record(.reverted, "\(action.cluster): \(nodesText(action.nodes)) "
                + "reverted through the break-glass channel: \(entry.detail)")
        case .brake:
            progress.apfBrake = .on
            if progress.state == .applying {
                // No bake: the first batch goes as soon as the cluster's gates pass.
                progress.state = .baking
                progress.bakeUntil = completedAt
            }
            record(.braked, "\(action.cluster): APF brake on (\(spec.apfBrake?.summary ?? "no brake in the spec"))")
        case .release:
            progress.apfBrake = .released
            record(.released, "\(action.cluster): APF brake removed")
        }
        status.clusters[index] = progress
        status.updatedAt = now
    }

    mutating func fail(_ entry: JournalEntry, clusterAt index: Int) {
        // What moves a cluster forward is retried only while the rollout moves forward; once it is being reverted,
        // `settleFailedApply` counts the failed step as done so that it is undone.
        let forward = entry.action.kind == .apply || entry.action.kind == .brake
        let canRetry = forward
            ? status.phase == .progressing && status.clusters[index].state != .reverting
            : status.phase == .progressing || status.phase == .rollingBack
                || status.clusters[index].state == .reverting && status.phase != .aborted
        guard canRetry else { return }
        status.clusters[index].failures += 1
        status.clusters[index].failingSince = status.clusters[index].failingSince ?? (entry.completedAt ?? now)
        let failures = status.clusters[index].failures
        let action = entry.action
        let what = switch action.kind {
        case .escalate: "break-glass revert of \(action.cluster)"
        case .brake: "APF brake on \(action.cluster)"
        case .release: "APF brake removal on \(action.cluster)"
        case .apply, .revert: "\(action.kind.rawValue) of \(action.cluster) batch \(action.batch + 1)"
        }
        if action.kind == .revert, let after = spec.policy.escalateAfterSeconds,
            failures >= Reconciler.maxActionFailures || now - status.clusters[index].failingSince! >= after
        {
            escalate(clusterAt: index, because: "\(what) through the control plane failing for "
                + "\(DurationText.format(now - status.clusters[index].failingSince!)): \(entry.detail)")
        } else if failures < Reconciler.maxActionFailures {
            record(.retry, "\(what) failed (\(failures)/\(Reconciler.maxActionFailures)): \(entry.detail)")
            decision.actions.append(action)
        } else {
            let hint = action.kind == .apply ? ""
                : "; the control plane may be saturated: run `sluice break-glass \(spec.name) --cluster \(action.cluster)`"
            setPhase(.halted, "\(what) failed \(failures) times: \(entry.detail)\(hint)")
        }
    }

    /// Reverts every node of the cluster that may run the artifact through the break-glass channel.
    mutating func escalate(clusterAt index: Int, because reason: String) {
        let progress = status.clusters[index]
        let cluster = clusterSpec(progress)
        let reach = progress.inFlight.flatMap { input.journal[$0]?.action.nodes.upperBound } ?? 0
        let applied = progress.appliedBatches > 0 ? cluster.batchEnds[progress.appliedBatches - 1] : 0
        let action = FleetAction(
            rollout: spec.name, kind: .escalate, cluster: progress.cluster, batch: 0, nodes: 0..<max(reach, applied))
        status.clusters[index].inFlight = action.key
        status.clusters[index].state = .reverting
        status.clusters[index].failures = 0
        status.clusters[index].failingSince = nil
        decision.actions.append(action)
        record(.escalated, "\(progress.cluster): \(reason); reverting node-direct through the break-glass channel")
    }
}
