import ArgumentParser
import SluiceCore
import SluiceStore

/// `sluice explain ROLLOUT`
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say why a rollout is where it is: which gate, which number, compared with what.")

    @Argument(help: "The rollout.") var rollout: String
    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: OutputOptions

    /// What `explain` shows.
    struct Explanation: Codable {
        struct Gate: Codable {
            var gate: String
            var cluster: String
            /// When it was evaluated: RFC 3339 UTC (`T+…` only for an old virtual-time evaluation).
            var at: String
            /// Its virtual time, when the daemon runs in virtual time.
            var virtualSeconds: Double?
            var verdict: GateEvaluation.Verdict
            var observed: Double?
            /// What `observed` and the bound measure: share (a fraction), seconds, perSecond, timesReference, count.
            var unit: ValueUnit
            /// The bound with its unit: `<= 1%`.
            var bound: String
            var reason: String
            /// Not passing for this many evaluations in a row, since when (on the controller's clock: RFC 3339 UTC, or
            /// `T+…` in virtual time), and whether it counted.
            var failing: Int?
            var failingSince: String?
            var counted: Bool?
        }

        struct Cost: Codable {
            var cluster: String
            var pods: Double
            var costPerNode: Double
        }

        var rollout: String
        var phase: RolloutPhase
        var message: String
        var gates: [Gate]
        var costSamples: [Cost]
        var costModel: String?
        /// What break-glass did, when it ran: the fence overrides every gate.
        var breakGlass: RolloutView.BreakGlass?
    }

    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            guard let record = try store.rollout(named: rollout) else { throw StoreError.unknownRollout(rollout) }
            let explanation = Self.explain(
                record, evaluations: try store.gateEvaluations(rollout: rollout, limit: 5000),
                breakGlass: try store.breakGlassState(rollout: rollout))
            if let encoded = try format.output.encode(explanation, kind: "Explanation") { return print(encoded) }
            print(Self.render(explanation))
        }
    }

    /// The latest evaluation of each gate on each cluster, grouped by cluster (fleet-wide first, then clusters with
    /// a failing gate), failing gates first in each, with what the controller tracks; a break-glass fence comes before
    /// all of it.
    static func explain(
        _ record: RolloutRecord, evaluations: [GateEvaluation], breakGlass: BreakGlassState? = nil
    ) -> Explanation {
        let view = RolloutView(record, pendingRequests: [], now: 0, breakGlass: breakGlass)
        var latest: [GateOnCluster: GateEvaluation] = [:]
        for evaluation in evaluations { latest[evaluation.subject] = evaluation }
        let order: [GateEvaluation.Verdict: Int] = [.breach: 0, .noData: 1, .pass: 2]
        var worstOfCluster: [String: Int] = [:]
        for evaluation in latest.values {
            worstOfCluster[evaluation.cluster] = min(worstOfCluster[evaluation.cluster] ?? 2, order[evaluation.verdict]!)
        }
        func rank(_ evaluation: GateEvaluation) -> (Int, Int, String, Int, String) {
            let fleet = evaluation.cluster == GateEvaluation.fleetScope ? 0 : 1
            return (fleet, worstOfCluster[evaluation.cluster]!, evaluation.cluster, order[evaluation.verdict]!, evaluation.gate)
        }
        let gates = latest.values.sorted { rank($0) < rank($1) }.map { evaluation in
            let track = record.status.gateTracks[evaluation.subject]
            let unit = ValueUnit(gate: evaluation.gate, in: record.spec.policy)
            return Explanation.Gate(
                gate: evaluation.gate, cluster: evaluation.cluster,
                at: ControllerTime.format(evaluation.wallTime ?? evaluation.at),
                virtualSeconds: ControllerTime.virtualTime(evaluation.at), verdict: evaluation.verdict,
                observed: evaluation.observed, unit: unit, bound: unit.format(evaluation.bound),
                reason: evaluation.reason, failing: track?.failing, failingSince: track.map { ControllerTime.format($0.since) },
                counted: track?.counted)
        }
        let samples = record.status.costSamples.sorted { $0.key < $1.key }
        return Explanation(
            rollout: record.spec.name, phase: view.phase, message: view.message, gates: gates,
            costSamples: samples.map { Explanation.Cost(cluster: $0.key, pods: $0.value.pods, costPerNode: $0.value.costPerNode) },
            costModel: CostModel(fitting: samples.map(\.value)).map {
                "\($0.description), fitted on clusters of \($0.measuredSizes) "
                    + "(a projection further out is a guess: the cluster starts with a probe batch)"
            }, breakGlass: view.breakGlass)
    }

    static func render(_ explanation: Explanation) -> String {
        var lines = ["Rollout:  \(explanation.rollout)", "Phase:    \(explanation.phase.words)", "Why:      \(explanation.message)"]
        if let glass = explanation.breakGlass {
            lines.append(
                "Glass:    \(glass.nodesReverted) nodes reverted node-direct, \(glass.nodesFailed) failed, in "
                    + "\(counted(glass.runs, "run")); the gates below no longer decide anything")
        }
        lines.append("")
        if explanation.gates.isEmpty {
            lines.append("No gate has been evaluated yet.")
        } else {
            // One block per cluster: its name on its first row only.
            lines.append(table(
                ["CLUSTER", "GATE", "VERDICT", "VALUE", "BOUND", "FAILING", "REASON"],
                explanation.gates.enumerated().map { index, gate in
                    let failing = gate.failing.map { "\($0)x" + (gate.counted == true ? " (counted)" : "") } ?? "-"
                    let first = index == 0 || explanation.gates[index - 1].cluster != gate.cluster
                    return [
                        first ? gate.cluster : "", gate.gate, gate.verdict.rawValue, gate.observed.map(gate.unit.format) ?? "-",
                        gate.bound, failing, gate.reason,
                    ]
                }))
        }
        if !explanation.costSamples.isEmpty {
            lines.append("")
            lines.append("Cost of the change per node, measured: "
                + explanation.costSamples.map { "\($0.cluster) \($0.costPerNode.formatted(maxFractionDigits: 4))" }.joined(separator: ", "))
            if let model = explanation.costModel { lines.append("Fitted: \(model)") }
        }
        return lines.joined(separator: "\n")
    }
}
