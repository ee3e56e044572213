import SluiceCore
import SluiceSimulation

/// Text renderings of simulated outcomes.
enum OutcomeReport {
    /// The scenarios side by side, one row per measure.
    static func summary(_ outcomes: [SimulationOutcome]) -> String {
        func minutes(_ value: Double) -> String { Int(value.rounded()).formatted() }
        let rows: [(String, (SimulationOutcome) -> String)] = [
            ("clusters with a degraded control plane", { "\($0.clustersDegraded)" }),
            ("clusters whose control plane went down", { "\($0.clustersDown)" }),
            ("DNS-failure cluster-minutes", { minutes($0.dnsFailureClusterMinutes) }),
            ("peak nodes running the new agent", { $0.peakAgentNodes.formatted() }),
            ("time from first harm to halt", { outcome in
                guard outcome.firstHarmAtSeconds != nil else { return "no harm" }
                return outcome.firstHarmToHaltSeconds.map(DurationText.format) ?? "never halted"
            }),
            ("clusters still degraded at the end", { "\($0.clustersDegradedAtEnd)" }),
            ("simulated time", { DurationText.format($0.simulatedSeconds) }),
        ]
        return table(
            ["MEASURE"] + outcomes.map(\.scenario),
            rows.map { name, value in [name] + outcomes.map(value) })
    }

    /// The run's events, or the last `last` of them.
    static func timeline(_ outcome: SimulationOutcome, last: Int? = nil) -> String {
        let entries = last.map { Array(outcome.timeline.suffix($0)) } ?? outcome.timeline
        return table(
            ["AT", "VERB", "MESSAGE"],
            entries.map { ["T+" + DurationText.format($0.atSeconds), $0.verb, $0.message] })
    }

    /// Per-cluster harm; by default only clusters the rollout touched or harmed.
    static func clusters(_ outcome: SimulationOutcome, all: Bool) -> String {
        let shown = outcome.clusters.filter {
            all || $0.peakAgentNodes > 0 || $0.degradedMinutes > 0 || $0.dnsFailureMinutes > 0
        }
        return table(
            ["CLUSTER", "NODES", "PEAK AGENTS", "AGENTS AT END", "DEGRADED MIN", "DOWN MIN", "DNS FAIL MIN"],
            shown.map {
                [
                    $0.cluster, "\($0.nodes)", "\($0.peakAgentNodes)", "\($0.agentNodesAtEnd)",
                    "\(Int($0.degradedMinutes.rounded()))", "\(Int($0.downMinutes.rounded()))",
                    "\(Int($0.dnsFailureMinutes.rounded()))",
                ]
            })
    }
}

extension Int {
    /// With thousands separators: 206,050.
    func formatted() -> String {
        let digits = String(Swift.abs(self))
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (self < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
