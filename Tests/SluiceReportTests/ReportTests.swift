import Foundation
import SluiceCore
import SluiceReport
import Testing

/// A rollout run through the real decision function with a perfect driver, for report inputs.
struct ReportScenario {
    static let errors = Gate(
        name: "throttled-requests", signal: "apiserver_429_ratio", aggregation: .max, windowSeconds: 120,
        bound: .atMost(0.01), onNoData: .fail, action: .rollbackCluster)
    static let availability = Gate(
        name: "availability", signal: "apiserver_availability", aggregation: .min, windowSeconds: 120,
        bound: .atLeast(0.99), onNoData: .fail, action: .rollbackCluster)

    static func spec() throws -> RolloutSpec {
        let fleet = Fleet(name: "test", clusters: [
            FleetCluster(name: "staging-1", nodeCount: 10),
            FleetCluster(name: "prod-a", labels: ["tier": "prod"], nodeCount: 40),
            FleetCluster(name: "prod-b", labels: ["tier": "prod"], nodeCount: 80),
        ])
        let plan = RolloutPlan(
            name: "agent-2.0", artifact: ArtifactRef(name: "agent", version: "2.0.0"), fleetPath: "fleet.yaml",
            policyName: "safe",
            waves: [
                WavePlan(name: "canary", clusters: .names(["staging-1"]), nodeBatches: [.count(1), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
                WavePlan(name: "prod", clusters: .matchLabels(["tier": "prod"]), maxConcurrentClusters: 2, nodeBatches: [.percent(10), .percent(50), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
            ])
        let policy = GatePolicy(name: "safe <&>", gates: [errors, availability], maxSampleAgeSeconds: 120)
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: policy).get()
    }

    /// Runs passes every 60 s from controller time `start` (0: virtual time; Unix seconds: the wall clock);
    /// `prod-a` starts throttling once it has half its nodes and `prod-b`'s signals go missing then, which rolls both
    /// back and halts. `wallAt` gives the wall time each event and evaluation is recorded at, from its controller time.
    static func run(start: Double = 0, wallAt: (Double) -> Double? = { _ in nil }) throws -> ReportInput {
        let spec = try spec()
        var status = RolloutStatus(spec: spec, now: start)
        var journal: [String: JournalEntry] = [:]
        var order: [String] = []
        var events: [RolloutEvent] = [
            RolloutEvent(at: start, actor: "alice", verb: "submitted", message: "<b>x</b>", wallAt: wallAt(start))
        ]
        var evaluations: [GateEvaluation] = []
        var now = start
        // Until finished, or halted with every revert done.
        while now < start + 20_000 && !status.phase.isFinished
            && !(status.phase == .halted && !status.clusters.contains { $0.state == .reverting })
        {
            var signals: [String: ClusterSignals] = [:]
            for cluster in Reconciler.clustersToWatch(spec: spec, status: status) {
                let applied = status.clusters.first { $0.cluster == cluster }?.appliedBatches ?? 0
                let ratio = cluster == "prod-a" && applied >= 2 ? 0.04 : 0.001 * Double(applied)
                let prodA = status.clusters.first { $0.cluster == "prod-a" }?.appliedBatches ?? 0
                let missing = cluster == "prod-b" && prodA >= 2
                signals[cluster] = ClusterSignals(cluster: cluster, samples: missing ? [:] : [
                    "apiserver_429_ratio": [SignalSample(at: now, value: ratio)],
                    "apiserver_availability": [SignalSample(at: now, value: 0.999 - ratio / 10)],
                ])
            }
            let decision = Reconciler.decide(ReconcileInput(
                spec: spec, status: status, journal: journal, signals: signals, now: now))
            status = decision.status
            events += decision.events.map {
                var event = $0
                event.wallAt = wallAt(event.at)
                return event
            }
            evaluations += decision.gateEvaluations.map {
                var evaluation = $0
                evaluation.wallAt = wallAt(evaluation.at)
                return evaluation
            }
            for action in decision.actions {
                if journal[action.key] == nil { order.append(action.key) }
                journal[action.key] = JournalEntry(
                    action: action, state: .done, attempts: 1, intendedAt: now, completedAt: now + 20, detail: "ok")
            }
            now += 60
        }
        return ReportInput(
            spec: spec, status: status, events: events, evaluations: evaluations,
            journal: order.map { journal[$0]! }, generatedAt: "2026-11-25T00:00:00Z")
    }
}

@Suite("The HTML rollout report")
struct ReportTests {
    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("After break-glass the summary counts the nodes it left with the change and lists who, why and where")
    func breakGlassTruth() throws {
        var input = try ReportScenario.run()
        let stagingNodes = (0..<10).map { "staging-1-node-\($0)" }
        input.breakGlass = BreakGlassState(
            fencedAt: 1_800_000_000, actor: "ana", reason: "apiservers <saturated>", runs: 2,
            clusters: [.init(cluster: "staging-1", reverted: stagingNodes, failed: [])])
        let html = RolloutReport.html(input)
        // staging-1's 10 nodes are reverted; prod-a and prod-b were rolled back by the gates: nothing carries it.
        #expect(html.contains("0 clusters done") || html.contains("0 of 3 clusters done"))
        #expect(html.contains("0 of 130 nodes carry the change"))
        #expect(html.contains("<h2>Break-glass</h2>"))
        #expect(html.contains("by ana: apiservers &lt;saturated&gt;. 2 runs, 10 nodes reverted node-direct, 0 failed."))
        #expect(html.contains("<title>Rollout agent-2.0: halted</title>"))
        #expect(html.contains(">reverted by break-glass</span>"))
    }

    @Test("One chart per gate, with its threshold, and a timeline row per cluster")
    func chartsPerGate() throws {
        let input = try ReportScenario.run()
        #expect(input.status.clusters.contains { $0.cluster == "prod-a" && $0.state == .reverted })
        let html = RolloutReport.html(input)
        #expect(count("<svg class=\"gate-chart\" data-gate=\"throttled-requests\"", in: html) == 1)
        #expect(count("<svg class=\"gate-chart\" data-gate=\"availability\"", in: html) == 1)
        #expect(count("data-gate=", in: html) == input.spec.policy.gates.count)
        #expect(count("<svg class=\"timeline\"", in: html) == 1)
        #expect(count("class=\"threshold\"", in: html) == 2)
        for cluster in ["staging-1", "prod-a", "prod-b"] {
            #expect(html.contains("<text class=\"label\" x=\"4\" y=\"") && html.contains(">\(cluster)</text>"))
        }
        // Breaches of the throttling gate on prod-a are drawn as breach points; prod-b's gaps as no-data ticks.
        #expect(count("class=\"point breach\"", in: html) == input.evaluations.filter { $0.verdict == .breach }.count)
        #expect(count("class=\"nodata\"", in: html) == input.evaluations.filter { $0.verdict == .noData }.count)
        #expect(input.evaluations.contains { $0.verdict == .noData })
        // Applied and reverted batches and bakes on the timeline.
        #expect(count("<rect class=\"apply\"", in: html) == input.journal.filter { $0.action.kind == .apply }.count)
        #expect(count("<rect class=\"revert\"", in: html) == input.journal.filter { $0.action.kind == .revert }.count)
        #expect(count("<rect class=\"bake\"", in: html) > 0)
    }

    @Test("Decisions are listed with their reasons; the audit trail has every event")
    func decisionsAndEvents() throws {
        let input = try ReportScenario.run()
        let html = RolloutReport.html(input)
        let halt = try #require(input.events.first { $0.verb == "halted" })
        #expect(html.contains("<td>halted</td><td>\(RolloutReport.escape(halt.message))</td>"))
        // Marked on the timeline and on every gate chart.
        #expect(count("<g class=\"decision ", in: html) == (1 + input.spec.policy.gates.count) * input.events.filter {
            $0.actor == "sluiced" && $0.kind?.isControllerDecision == true
        }.count)
        let audit = try #require(html.components(separatedBy: "<table class=\"events\">").last)
        #expect(count("<tr><td>", in: audit) == input.events.count)
    }

    @Test("Self-contained: nothing loaded from the network, no script, and text is escaped")
    func selfContained() throws {
        let html = RolloutReport.html(try ReportScenario.run())
        for forbidden in ["<script", "src=", "href=", "@import", "url(", "<link"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http") == false)
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(html.contains("safe &lt;&amp;&gt;"))
        #expect(!html.contains("<b>x</b>"))
    }

    @Test("The same input gives the same page")
    func deterministic() throws {
        let input = try ReportScenario.run()
        #expect(RolloutReport.html(input) == RolloutReport.html(input))
    }

    @Test("A rollout with no evaluation yet still gets a chart per gate, saying so")
    func emptyRollout() throws {
        let spec = try ReportScenario.spec()
        let html = RolloutReport.html(ReportInput(
            spec: spec, status: RolloutStatus(spec: spec, now: 0), events: [], evaluations: [], journal: [],
            generatedAt: "now"))
        #expect(count("data-gate=", in: html) == 2)
        #expect(count("no evaluation recorded for this gate", in: html) == 2)
    }

    @Test("Times: virtual as T+, Unix as ISO 8601 UTC")
    func times() {
        #expect(ControllerTime.format(3723) == "T+1h2m3s")
        #expect(ControllerTime.format(1_764_028_800) == "2025-11-25T00:00:00Z")
        #expect(ControllerTime.format(951_782_400 + 86_400 * 10_000) == "2027-07-17T00:00:00Z")
    }
}
