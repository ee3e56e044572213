/// A plan resolved against its fleet and policy: exactly which clusters and nodes, in which order.
///
/// This is what `submit` stores and what the controller reads. It never changes after submission.
public struct RolloutSpec: Sendable, Equatable, Codable {
    public var name: String
    public var artifact: ArtifactRef
    public var policy: GatePolicy
    public var waves: [WaveSpec]
    /// The priority level of the agent's own set up on each cluster before its first batch, if the plan asks.
    public var apfBrake: APFBrakeSpec?

    public init(name: String, artifact: ArtifactRef, policy: GatePolicy, waves: [WaveSpec], apfBrake: APFBrakeSpec? = nil) {
        self.name = name
        self.artifact = artifact
        self.policy = policy
        self.waves = waves
        self.apfBrake = apfBrake
    }

    /// Every cluster of the rollout in order, with the index of its wave.
    public var clustersInOrder: [(wave: Int, cluster: ClusterSpec)] {
        waves.enumerated().flatMap { index, wave in wave.clusters.map { (index, $0) } }
    }

    /// The cluster with this name, if the rollout covers it.
    public func cluster(named name: String) -> ClusterSpec? {
        for wave in waves {
            if let cluster = wave.clusters.first(where: { $0.name == name }) { return cluster }
        }
        return nil
    }
}

/// One wave with its clusters resolved.
public struct WaveSpec: Sendable, Equatable, Codable {
    public var name: String
    public var clusters: [ClusterSpec]
    public var maxConcurrentClusters: Int
    public var bakeBetweenBatchesSeconds: Double
    public var bakeAfterClusterSeconds: Double
    public var approval: ApprovalMode

    public init(
        name: String, clusters: [ClusterSpec], maxConcurrentClusters: Int, bakeBetweenBatchesSeconds: Double,
        bakeAfterClusterSeconds: Double, approval: ApprovalMode
    ) {
        self.name = name
        self.clusters = clusters
        self.maxConcurrentClusters = maxConcurrentClusters
        self.bakeBetweenBatchesSeconds = bakeBetweenBatchesSeconds
        self.bakeAfterClusterSeconds = bakeAfterClusterSeconds
        self.approval = approval
    }
}

/// One cluster of a rollout, with its node batches as cumulative node counts.
public struct ClusterSpec: Sendable, Equatable, Codable {
    public var cluster: FleetCluster
    /// Cumulative node counts, strictly increasing, the last equal to the cluster's node count.
    public var batchEnds: [Int]

    public init(cluster: FleetCluster, batchEnds: [Int]) {
        self.cluster = cluster
        self.batchEnds = batchEnds
    }

    public var name: String { cluster.name }

    /// The nodes (0-based indices in rollout order) of batch `index`.
    public func nodes(ofBatch index: Int) -> Range<Int> {
        (index == 0 ? 0 : batchEnds[index - 1])..<batchEnds[index]
    }

    /// The batches as the cluster runs them: with a probe batch of `progress.probeNodes` nodes first, when the
    /// controller started it with one.
    public func batches(as progress: ClusterProgress) -> ClusterSpec {
        guard let probe = progress.probeNodes, probe > 0, probe < batchEnds[0] else { return self }
        return ClusterSpec(cluster: cluster, batchEnds: [probe] + batchEnds)
    }
}

/// A problem found in a plan, placed by the path of the offending field (`waves[1].nodeBatches`).
public struct PlanIssue: Sendable, Equatable, Error, CustomStringConvertible {
    public var fieldPath: String
    public var message: String

    public init(fieldPath: String, message: String) {
        self.fieldPath = fieldPath
        self.message = message
    }

    public var description: String { "\(fieldPath): \(message)" }
}

extension RolloutSpec {
    /// Resolves `plan` against `fleet` and `policy`, or returns every problem found.
    ///
    /// Checks: waves and names not empty or duplicated, batches increasing and ending at 100%, every cluster known to
    /// the fleet and in one wave only, bakes not negative, concurrency at least one.
    public static func resolve(
        plan: RolloutPlan, fleet: Fleet, policy: GatePolicy
    ) -> Result<RolloutSpec, PlanValidationFailure> {
        var issues: [PlanIssue] = []
        if plan.waves.isEmpty {
            issues.append(PlanIssue(fieldPath: "spec.waves", message: "a plan needs at least one wave"))
        }
        var waveOfCluster: [String: String] = [:]
        var waveNames: Set<String> = []
        var waves: [WaveSpec] = []
        for (index, wave) in plan.waves.enumerated() {
            let path = "spec.waves[\(index)]"
            if !waveNames.insert(wave.name).inserted {
                issues.append(PlanIssue(fieldPath: "\(path).name", message: "wave name '\(wave.name)' is used twice"))
            }
            issues += batchIssues(wave.nodeBatches, path: "\(path).nodeBatches")
            if wave.maxConcurrentClusters < 1 {
                issues.append(PlanIssue(fieldPath: "\(path).maxConcurrentClusters", message: "must be at least 1"))
            }
            let clusters = selectClusters(wave.clusters, in: fleet, path: "\(path).clusters", issues: &issues)
            if clusters.isEmpty {
                issues.append(PlanIssue(fieldPath: "\(path).clusters", message: "selects no cluster of the fleet"))
            }
            for cluster in clusters {
                if let other = waveOfCluster[cluster.name] {
                    issues.append(PlanIssue(
                        fieldPath: "\(path).clusters",
                        message: "cluster '\(cluster.name)' is already in wave '\(other)'; a cluster belongs to one wave"
                    ))
                }
                waveOfCluster[cluster.name] = wave.name
            }
            let resolved = clusters.map { cluster in
                ClusterSpec(cluster: cluster, batchEnds: batchEnds(wave.nodeBatches, nodeCount: cluster.nodeCount))
            }
            waves.append(WaveSpec(
                name: wave.name, clusters: resolved, maxConcurrentClusters: wave.maxConcurrentClusters,
                bakeBetweenBatchesSeconds: wave.bakeBetweenBatchesSeconds,
                bakeAfterClusterSeconds: wave.bakeAfterClusterSeconds, approval: wave.approval))
        }
        guard issues.isEmpty else { return .failure(PlanValidationFailure(issues: issues)) }
        return .success(
            RolloutSpec(name: plan.name, artifact: plan.artifact, policy: policy, waves: waves, apfBrake: plan.apfBrake))
    }

    private static func selectClusters(
        _ selector: ClusterSelector, in fleet: Fleet, path: String, issues: inout [PlanIssue]
    ) -> [FleetCluster] {
        switch selector {
        case .names(let names):
            var seen: Set<String> = []
            return names.enumerated().compactMap { index, name in
                guard seen.insert(name).inserted else {
                    issues.append(PlanIssue(fieldPath: "\(path)[\(index)]", message: "cluster '\(name)' is listed twice"))
                    return nil
                }
                guard let cluster = fleet.cluster(named: name) else {
                    issues.append(PlanIssue(
                        fieldPath: "\(path)[\(index)]",
                        message: "cluster '\(name)' is not in fleet '\(fleet.name)'; add it to the fleet file or fix the name"
                    ))
                    return nil
                }
                return cluster
            }
        case .matchLabels(let labels):
            // Smallest clusters first: the cheapest place to learn what the change costs.
            return fleet.clusters.filter { $0.matches(labels: labels) }
                .enumerated().sorted { ($0.element.nodeCount, $0.offset) < ($1.element.nodeCount, $1.offset) }
                .map(\.element)
        }
    }

    private static func batchIssues(_ steps: [BatchStep], path: String) -> [PlanIssue] {
        guard let last = steps.last else {
            return [PlanIssue(fieldPath: path, message: "needs at least one batch, ending at 100%")]
        }
        var issues: [PlanIssue] = []
        for (index, step) in steps.enumerated() {
            switch step {
            case .count(let count) where count < 1:
                issues.append(PlanIssue(fieldPath: "\(path)[\(index)]", message: "a node count must be at least 1"))
            case .percent(let percent) where percent > 100:
                issues.append(PlanIssue(fieldPath: "\(path)[\(index)]", message: "\(step) is over 100%"))
            case .percent(let percent) where percent <= 0:
                issues.append(PlanIssue(fieldPath: "\(path)[\(index)]", message: "\(step) must be above 0%"))
            default:
                break
            }
            if index > 0, case .percent(let previous) = steps[index - 1], case .percent(let current) = step,
                current <= previous
            {
                issues.append(PlanIssue(
                    fieldPath: "\(path)[\(index)]",
                    message: "batches are cumulative and must increase: \(step) follows \(steps[index - 1])"))
            }
            if index > 0, case .count(let previous) = steps[index - 1], case .count(let current) = step,
                current <= previous
            {
                issues.append(PlanIssue(
                    fieldPath: "\(path)[\(index)]",
                    message: "batches are cumulative and must increase: \(step) follows \(steps[index - 1])"))
            }
        }
        if last != .percent(100) {
            issues.append(PlanIssue(
                fieldPath: "\(path)[\(steps.count - 1)]",
                message: "the last batch must be 100% so that every node is reached (found \(last))"))
        }
        return issues
    }

    /// Cumulative node counts for `steps` in a cluster; steps that reach no new node (small clusters) are merged.
    static func batchEnds(_ steps: [BatchStep], nodeCount: Int) -> [Int] {
        var ends: [Int] = []
        for step in steps {
            let end = step.cumulativeNodes(of: nodeCount)
            if end > (ends.last ?? 0) { ends.append(end) }
        }
        return ends
    }
}

/// Every problem found in a plan; plans are checked whole so a user fixes them in one go.
public struct PlanValidationFailure: Error, Sendable, Equatable {
    public var issues: [PlanIssue]

    public init(issues: [PlanIssue]) {
        self.issues = issues
    }
}
