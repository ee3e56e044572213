/// One pass of every gate and prediction of a policy over the clusters a rollout watches. Pure.
///
/// Touched clusters (with a change in progress or done) get the cluster-scoped gates, and the fleet-scoped ones
/// see them together. Predictions project the cost of the change on clusters in progress from what their batches
/// cost, and on candidates (clusters about to start) from a cost model fitted on the clusters measured so far.
public struct GateRound: Sendable {
    public struct Touched: Sendable {
        public var spec: ClusterSpec
        public var progress: ClusterProgress

        public init(spec: ClusterSpec, progress: ClusterProgress) {
            self.spec = spec
            self.progress = progress
        }
    }

    public var policy: GatePolicy
    public var touched: [Touched]
    public var candidates: [ClusterSpec]
    /// Clusters not reached yet whose signals are the reference of `untouched` comparisons.
    public var untouched: [String]
    public var signals: [String: ClusterSignals]
    public var baselines: [GateOnCluster: Double]
    public var costSamples: [String: CostSample]
    public var now: Double

    /// What the round found.
    public struct Result: Sendable {
        public var evaluations: [GateEvaluation] = []
        /// Cost per node measured in this round, by cluster.
        public var costSamples: [String: CostSample] = [:]
        /// Candidates whose projection exceeded the headroom only as a guess and whose first batch is too large to
        /// be the probe: the nodes of the probe batch each starts with, small enough that even the pessimistic
        /// projection fits.
        public var probes: [String: Int] = [:]
    }

    func signals(of cluster: String) -> ClusterSignals {
        signals[cluster] ?? ClusterSignals(
            cluster: cluster,
            errors: Dictionary(uniqueKeysWithValues: policy.signalNames.map { ($0, "signals were not read") }))
    }

    func measure(_ gate: Gate, cluster: String) -> Measurement {
        GateEvaluator.measure(gate, signals: signals(of: cluster), now: now, maxSampleAgeSeconds: policy.maxSampleAgeSeconds)
    }

    public func run() -> Result {
        var result = Result()
        let untouchedMedians = Dictionary(uniqueKeysWithValues: policy.gates.filter { $0.comparison == .untouched }.map {
            ($0.name, median(of: $0, in: untouched))
        })
        for gate in policy.gates where gate.scope == .cluster {
            // Clusters due to start are checked too (but have no baseline yet): no rollout into a cluster that is
            // already unhealthy, or whose telemetry cannot be read.
            let subjects = touched.map(\.spec.name) + (gate.comparison == .baseline ? [] : candidates.map(\.name))
            for cluster in subjects {
                let reference: Measurement? = switch gate.comparison {
                case .absolute: nil
                case .baseline: baselines[GateOnCluster(gate: gate.name, cluster: cluster)].map(Measurement.value)
                case .untouched: untouchedMedians[gate.name]
                }
                result.evaluations.append(GateEvaluator.judge(
                    gate, cluster: cluster, measured: measure(gate, cluster: cluster), reference: reference, now: now))
            }
        }
        for gate in policy.gates where gate.scope == .fleet && !touched.isEmpty {
            result.evaluations.append(fleetEvaluation(gate, reference: untouchedMedians[gate.name]))
        }
        for prediction in policy.predictions {
            for cluster in touched where cluster.progress.isActive && cluster.progress.appliedBatches > 0 {
                guard let (evaluation, sample) = projectInCluster(prediction, cluster) else { continue }
                result.evaluations.append(evaluation)
                if let sample { result.costSamples[cluster.spec.name] = sample }
            }
            let model = CostModel(fitting: Array(costSamples.merging(result.costSamples) { $1 }.values
                .sorted { ($0.pods, $0.costPerNode) < ($1.pods, $1.costPerNode) }))
            for candidate in candidates {
                guard let model else { break }
                let (evaluation, probe) = projectBeforeStart(prediction, candidate, model: model)
                result.evaluations.append(evaluation)
                if let probe { result.probes[candidate.name] = min(probe, result.probes[candidate.name] ?? probe) }
            }
        }
        return result
    }

    /// The aggregate of a gate's value over the touched clusters, judged once.
    func fleetEvaluation(_ gate: Gate, reference: Measurement?) -> GateEvaluation {
        let measurements = touched.map { ($0.spec.name, measure(gate, cluster: $0.spec.name)) }
        let values = measurements.compactMap(\.1.value)
        let dark = measurements.filter { $0.1.value == nil }.map(\.0)
        let measured: Measurement = !dark.isEmpty
            ? .noData("\(gate.signal): no data from \(dark.prefix(5).joined(separator: ", "))\(dark.count > 5 ? ", ..." : "")")
            : .value(gate.aggregation == .rate ? values.reduce(0, +) : gate.aggregation.apply(to: values))
        return GateEvaluator.judge(gate, cluster: GateEvaluation.fleetScope, measured: measured, reference: reference, now: now)
    }

    /// The median of a gate's value over `clusters`.
    func median(of gate: Gate, in clusters: [String]) -> Measurement {
        let values = clusters.compactMap { measure(gate, cluster: $0).value }.sorted()
        guard !values.isEmpty else { return .noData("no untouched cluster has data for \(gate.signal)") }
        return .value(values[(values.count - 1) / 2])
    }

    func mean(_ signal: String, _ windowSeconds: Double, cluster: String) -> Measurement {
        GateEvaluator.aggregate(
            signal, .mean, windowSeconds: windowSeconds, signals: signals(of: cluster), now: now,
            maxSampleAgeSeconds: policy.maxSampleAgeSeconds)
    }

    /// Projects the cluster's use at 100% of its nodes from the cost its applied batches show; nil while the
    /// last batch is settling.
    func projectInCluster(_ prediction: PredictionGate, _ cluster: Touched) -> (GateEvaluation, CostSample?)? {
        guard let appliedAt = cluster.progress.lastAppliedAt, now - appliedAt >= prediction.settleSeconds else {
            return nil
        }
        let name = cluster.spec.name
        let appliedNodes = cluster.spec.batchEnds[cluster.progress.appliedBatches - 1]
        let window = prediction.windowSeconds
        let measured = (
            mean(prediction.costSignal, window, cluster: name), mean(prediction.usageSignal, window, cluster: name),
            mean(prediction.capacitySignal, window, cluster: name)
        )
        guard case (.value(let cost), .value(let usage), .value(let capacity)) = measured, capacity > 0 else {
            let reason = [measured.0, measured.1, measured.2].compactMap {
                if case .noData(let reason) = $0 { return reason } else { return nil }
            }.first ?? "\(prediction.capacitySignal) is not positive"
            return (evaluation(prediction, cluster: name, observed: nil, verdict: .noData, reason: reason), nil)
        }
        let running = mean(prediction.agentNodesSignal, window, cluster: name).value.map { max(1, $0) }
            ?? Double(appliedNodes)
        let costPerNode = cost / running
        let nodes = Double(cluster.spec.cluster.nodeCount)
        let projected = max(0, usage - cost) + costPerNode * nodes
        let utilization = projected / capacity
        let reason = "measured \(costPerNode.formatted(maxFractionDigits: 4)) \(prediction.costSignal) per node on "
            + "\(Int(running)) nodes; at all \(Int(nodes)) nodes \(name) would use "
            + "\(Int(projected.rounded())) of \(Int(capacity.rounded())) (\(percent(utilization)))"
        let verdict: GateEvaluation.Verdict = utilization <= prediction.maxProjectedUtilization ? .pass : .breach
        let sample = CostSample(pods: Double(cluster.spec.cluster.nodeCount * cluster.spec.cluster.podsPerNode),
                                costPerNode: costPerNode)
        return (evaluation(prediction, cluster: name, observed: utilization, verdict: verdict, reason: reason), sample)
    }

    /// Projects a cluster's use before it is touched, from its size and the fitted cost model.
    ///
    /// A projection over the bound that extrapolates the model beyond the clusters measured is a guess, not a
    /// measurement: instead of a breach it passes with a probe, the most nodes whose cost fits the headroom even at
    /// the steepest growth the model allows (at least 1, at most the first batch), so that the cluster's own cost
    /// decides; the probe is returned when it is smaller than the first batch. A breach stands when the model
    /// interpolates or when the cluster has no headroom at all.
    func projectBeforeStart(
        _ prediction: PredictionGate, _ candidate: ClusterSpec, model: CostModel
    ) -> (GateEvaluation, probe: Int?) {
        let name = candidate.name
        let window = prediction.windowSeconds
        guard case .value(let usage) = mean(prediction.usageSignal, window, cluster: name),
            case .value(let capacity) = mean(prediction.capacitySignal, window, cluster: name), capacity > 0
        else {
            let reason = "\(name): no usable \(prediction.usageSignal) or \(prediction.capacitySignal) "
                + "to project against"
            return (evaluation(prediction, cluster: name, observed: nil, verdict: .noData, reason: reason), nil)
        }
        let nodes = Double(candidate.cluster.nodeCount)
        let pods = Double(candidate.cluster.nodeCount * candidate.cluster.podsPerNode)
        let projected = usage + model.costPerNode(pods: pods) * nodes
        let utilization = projected / capacity
        let extrapolation = model.extrapolation(toPods: pods)
        var reason = "before starting \(name) (\(candidate.cluster.nodeCount) nodes): \(model.description) "
            + "projects \(Int(projected.rounded())) of \(Int(capacity.rounded())) (\(percent(utilization)))"
        if extrapolation > 1 {
            reason += ", extrapolated \(extrapolation.formatted(maxFractionDigits: 1))× "
                + "beyond the cluster sizes measured (\(model.measuredSizes))"
        }
        if utilization <= prediction.maxProjectedUtilization {
            return (evaluation(prediction, cluster: name, observed: utilization, verdict: .pass, reason: reason), nil)
        }
        let headroom = prediction.maxProjectedUtilization * capacity - usage
        guard extrapolation > 1, headroom > 0 else {
            return (evaluation(prediction, cluster: name, observed: utilization, verdict: .breach, reason: reason), nil)
        }
        let pessimistic = model.pessimisticCostPerNode(pods: pods)
        let firstBatch = candidate.batchEnds[0]
        let probe = max(1, min(firstBatch, Int((headroom / pessimistic).rounded(.down))))
        let probeUtilization = (usage + pessimistic * Double(probe)) / capacity
        let probeBatch = probe < firstBatch
        let probeNodes = counted(probe, "node")
        let start = probeBatch
            ? "\(name) starts with a probe of \(probeNodes)" : "its first batch of \(probeNodes) is the probe"
        reason += "; a guess that far out, so \(start), \(percent(probeUtilization)) even at cost ∝ "
            + "pods^\(Int(CostModel.steepestExponent)), and its own measured cost decides the rest"
        if probeUtilization > prediction.maxProjectedUtilization {
            reason += " (one node is the least a rollout can try)"
        }
        let passed = evaluation(prediction, cluster: name, observed: probeUtilization, verdict: .pass, reason: reason)
        return (passed, probeBatch ? probe : nil)
    }

    func evaluation(
        _ prediction: PredictionGate, cluster: String, observed: Double?, verdict: GateEvaluation.Verdict, reason: String
    ) -> GateEvaluation {
        GateEvaluation(
            gate: prediction.name, cluster: cluster, at: now, windowSeconds: prediction.windowSeconds, observed: observed,
            bound: .atMost(prediction.maxProjectedUtilization), verdict: verdict, reason: reason)
    }

    /// The current values of the baseline-compared gates for a cluster about to start.
    public func baselines(for cluster: String) -> [GateOnCluster: Double] {
        var values: [GateOnCluster: Double] = [:]
        for gate in policy.gates where gate.comparison == .baseline {
            if let value = measure(gate, cluster: cluster).value { values[GateOnCluster(gate: gate.name, cluster: cluster)] = value }
        }
        return values
    }
}

func percent(_ share: Double) -> String { "\((share * 100).formatted(maxFractionDigits: 1))%" }
