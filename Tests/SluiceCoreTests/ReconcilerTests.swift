import Testing
import SluiceCore

@Suite("The rollout state machine")
struct ReconcilerTests {
    @Test("A healthy rollout goes wave by wave, smallest cluster first, each batch once")
    func healthyRolloutCompletes() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.run { $0.phase == .completed }
        #expect(harness.status.phase == .completed)
        #expect(harness.appliedKeys == [
            "apply/staging/0", "apply/staging/1",
            "apply/small-a/0", "apply/small-b/0", "apply/small-a/1", "apply/small-b/1",
            "apply/large/0", "apply/large/1",
        ])
        #expect(harness.status.clusters.allSatisfy { $0.state == .done && $0.appliedBatches == $0.totalBatches })
    }

    @Test("Bakes are respected: between batches and after each cluster")
    func bakesAreRespected() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.run { $0.phase == .completed }
        let at = harness.carriedOutAt
        #expect(try #require(at["apply/staging/1"]) - at["apply/staging/0"]! >= 300)
        #expect(try #require(at["apply/small-a/0"]) - at["apply/staging/1"]! >= 600)
        #expect(try #require(at["apply/large/0"]) - at["apply/small-b/1"]! >= 600)
        // And not needlessly longer than one pass beyond the bake.
        #expect(at["apply/staging/1"]! - at["apply/staging/0"]! <= 330)
    }

    @Test("Clusters of a wave run at most maxConcurrentClusters at once")
    func concurrencyCap() throws {
        var plan = Fixtures.plan()
        plan.waves[1].maxConcurrentClusters = 1
        let spec = try RolloutSpec.resolve(plan: plan, fleet: Fixtures.fleet, policy: Fixtures.policy()).get()
        var harness = DecisionHarness(spec: spec)
        harness.run { $0.phase == .completed }
        #expect(harness.appliedKeys[2...5] == ["apply/small-a/0", "apply/small-a/1", "apply/small-b/0", "apply/small-b/1"])
    }

    @Test("A manual wave waits for promote, then goes on")
    func manualApproval() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec(manualLarge: true))
        harness.run { $0.phase == .awaitingApproval }
        #expect(harness.status.phase == .awaitingApproval)
        harness.now += 3600
        harness.pass()
        #expect(!harness.appliedKeys.contains("apply/large/0"))
        harness.request(.promote, reason: "small wave looks fine")
        harness.pass()
        #expect(harness.appliedKeys.last == "apply/large/0")
        #expect(harness.status.approvedWaves == [2])
        #expect(harness.events.contains { $0.actor == Reconciler.actor && $0.message.contains("approved by alice") })
    }

    @Test("Promote during a bake ends it early; gates still apply")
    func promoteEndsBake() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.pass()
        harness.now = 30
        harness.pass()
        #expect(harness.status.clusters[0].state == .baking)
        harness.request(.promote)
        harness.now = 60
        harness.pass()
        #expect(harness.appliedKeys == ["apply/staging/0", "apply/staging/1"])
    }

    @Test("A breached gate halts with the gate, cluster and number; nothing more is applied")
    func breachHalts() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.signalValue = { cluster, _ in cluster == "small-a" ? 0.25 : 0 }
        harness.run(limitSeconds: 20_000) { $0.phase == .halted }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("gate 'errors' on small-a"))
        let breach = try #require(harness.evaluations.first { $0.verdict == .breach })
        #expect(breach.cluster == "small-a" && breach.observed == 0.25 && breach.bound == .atMost(0.01))
        let applied = harness.appliedKeys
        harness.now += 7200
        harness.pass()
        #expect(harness.appliedKeys == applied)
        #expect(!applied.contains("apply/small-a/1"))
    }

    @Test("No data, NaN or a stale sample never passes", arguments: ["missing", "nan", "stale", "infinite"])
    func noDataHalts(kind: String) throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.pass()
        harness.now = 30
        let spec = harness.spec
        let watched = Reconciler.clustersToWatch(spec: spec, status: harness.status)
        #expect(watched == ["staging"])
        var signals = ClusterSignals(cluster: "staging")
        switch kind {
        case "nan": signals.samples["apiserver_429_ratio"] = [SignalSample(at: 30, value: .nan)]
        case "stale": signals.samples["apiserver_429_ratio"] = [SignalSample(at: -500, value: 0)]
        case "infinite": signals.samples["apiserver_429_ratio"] = [SignalSample(at: 29, value: .infinity)]
        default: break
        }
        let decision = Reconciler.decide(ReconcileInput(
            spec: spec, status: harness.status, journal: harness.journal, signals: ["staging": signals], now: 30))
        #expect(decision.status.phase == .halted)
        #expect(decision.gateEvaluations.map(\.verdict) == [.noData])
        #expect(decision.actions.isEmpty)
    }

    @Test("A source error is no data, with its reason kept")
    func sourceErrorIsNoData() {
        let signals = ClusterSignals(cluster: "c", errors: ["apiserver_429_ratio": "connection refused"])
        let evaluations = GateEvaluator.evaluate(policy: Fixtures.policy(), signals: signals, now: 10)
        #expect(evaluations.map(\.verdict) == [.noData])
        #expect(evaluations[0].reason.contains("connection refused"))
    }

    @Test("Aggregations over a window")
    func aggregations() {
        let values = [3.0, 1, 4, 1, 5, 9, 2, 6]
        #expect(Aggregation.last.apply(to: values) == 6)
        #expect(Aggregation.max.apply(to: values) == 9)
        #expect(Aggregation.min.apply(to: values) == 1)
        #expect(Aggregation.mean.apply(to: values) == 31.0 / 8)
        #expect(Aggregation.percentile(50).apply(to: values) == 3)
        #expect(Aggregation.percentile(99).apply(to: values) == 9)
    }

    @Test("Pause stops new batches; resume continues; both are refused when they make no sense")
    func pauseAndResume() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.pass()
        harness.request(.pause, reason: "lunch")
        harness.now = 30
        harness.pass()
        #expect(harness.status.phase == .paused)
        harness.now = 5000
        harness.pass()
        #expect(harness.appliedKeys == ["apply/staging/0"])
        #expect(OperatorRequest.refusal(of: .pause, status: harness.status) != nil)
        harness.request(.resume)
        harness.pass()
        #expect(harness.status.phase == .progressing)
        #expect(harness.appliedKeys == ["apply/staging/0", "apply/staging/1"])
        #expect(OperatorRequest.refusal(of: .resume, status: harness.status) != nil)
    }

    @Test("Abort stops where it is and changes nothing; a later rollback still reverts")
    func abortThenRollback() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.run { $0.clusters[0].appliedBatches == 2 }
        harness.request(.abort, reason: "wrong version")
        harness.pass()
        #expect(harness.status.phase == .aborted)
        let before = harness.carriedOut
        harness.now += 10_000
        harness.pass()
        #expect(harness.carriedOut == before)
        harness.request(.rollback)
        harness.run { $0.phase == .rolledBack }
        #expect(Array(harness.appliedKeys.dropFirst(before.count)) == ["revert/staging/1", "revert/staging/0"])
    }

    @Test("Rollback reverts every applied batch once, newest first in each cluster")
    func rollbackNewestFirst() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.run { $0.clusters.first { $0.cluster == "small-a" }?.appliedBatches == 2 }
        let applied = harness.appliedKeys.count
        harness.request(.rollback, reason: "bad metrics")
        harness.run { $0.phase == .rolledBack }
        #expect(harness.status.phase == .rolledBack)
        let reverts = Array(harness.appliedKeys.dropFirst(applied))
        let expected = harness.carriedOut.filter { $0.kind == .apply }.map { "revert/\($0.cluster)/\($0.batch)" }
        #expect(Set(reverts) == Set(expected))
        for cluster in ["staging", "small-a"] {
            let order = reverts.filter { $0.contains("/\(cluster)/") }
            #expect(order == ["revert/\(cluster)/1", "revert/\(cluster)/0"])
        }
        #expect(reverts.count == Set(reverts).count)
        #expect(OperatorRequest.refusal(of: .rollback, status: harness.status) != nil)
    }

    @Test("A gate with rollbackCluster reverts that cluster only, then halts")
    func rollbackClusterAction() throws {
        var gate = Fixtures.gate
        gate.action = .rollbackCluster
        var harness = DecisionHarness(spec: try Fixtures.spec(gates: [gate]))
        harness.signalValue = { cluster, now in cluster == "small-b" && now >= 1500 ? 1 : 0 }
        harness.run(limitSeconds: 20_000) { $0.clusters.first { $0.cluster == "small-b" }?.state == .reverted }
        #expect(harness.status.phase == .halted)
        #expect(harness.appliedKeys.contains("revert/small-b/0"))
        #expect(!harness.appliedKeys.contains { $0.hasPrefix("revert/") && !$0.contains("small-b") })
    }

    @Test("A failing driver call is retried, then the rollout halts; resume tries again")
    func failuresRetryThenHalt() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.driverSucceeds = { $0.key != "apply/staging/1" }
        harness.run(limitSeconds: 5000) { $0.phase == .halted }
        #expect(harness.status.phase == .halted)
        #expect(harness.journal["apply/staging/1"]?.attempts == Reconciler.maxActionFailures)
        #expect(harness.status.message.contains("failed 3 times"))
        harness.driverSucceeds = { _ in true }
        harness.request(.resume)
        harness.pass()
        #expect(harness.appliedKeys == ["apply/staging/0", "apply/staging/1"])
    }

    @Test("A breach in the pass that would retry a failed batch halts without retrying it")
    func breachWinsOverRetry() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.driverSucceeds = { $0.key != "apply/staging/0" }
        harness.pass()
        harness.now = 30
        harness.signalValue = { _, _ in nil }
        let decision = harness.pass()
        #expect(decision.status.phase == .halted)
        #expect(decision.actions.isEmpty)
        #expect(harness.appliedKeys.isEmpty)
    }

    @Test("A cluster whose signals were not read is not started: no data halts")
    func unreadClusterDoesNotStart() throws {
        let spec = try Fixtures.spec()
        let decision = Reconciler.decide(ReconcileInput(spec: spec, status: RolloutStatus(spec: spec, now: 0), now: 0))
        #expect(decision.actions.isEmpty)
        #expect(decision.status.phase == .halted)
        #expect(decision.gateEvaluations.map(\.verdict) == [.noData])
        #expect(decision.gateEvaluations.first?.cluster == "staging")
    }

    @Test("A cluster already out of its SLOs before the rollout reaches it is not started")
    func unhealthyCandidateIsNotStarted() throws {
        var harness = DecisionHarness(spec: try Fixtures.spec())
        harness.signalValue = { cluster, _ in cluster == "small-b" ? 0.3 : 0 }
        harness.run { $0.phase == .halted }
        #expect(harness.status.message.contains("gate 'errors' on small-b"))
        #expect(!harness.appliedKeys.contains { $0.contains("small-b") })
    }

    @Test("Deciding again before the driver confirms repeats no action")
    func levelTriggeredNoRepeat() throws {
        let spec = try Fixtures.spec()
        let status = RolloutStatus(spec: spec, now: 0)
        let first = Reconciler.decide(ReconcileInput(
            spec: spec, status: status, signals: Fixtures.healthy(["staging"], now: 0), now: 0))
        #expect(first.actions.map(\.key) == ["apply/staging/0"])
        let intended = Dictionary(uniqueKeysWithValues: first.actions.map {
            ($0.key, JournalEntry(action: $0, state: .intended, attempts: 1, intendedAt: 0))
        })
        let second = Reconciler.decide(ReconcileInput(
            spec: spec, status: first.status, journal: intended, signals: Fixtures.healthy(["staging"], now: 5),
            now: 5))
        #expect(second.actions.isEmpty)
        #expect(second.status.clusters[0].inFlight == "apply/staging/0")
    }

    @Test("Requests that make no sense are refused with a reason")
    func refusals() throws {
        let spec = try Fixtures.spec()
        var status = RolloutStatus(spec: spec, now: 0)
        status.phase = .completed
        #expect(OperatorRequest.refusal(of: .resume, status: status)?.contains("completed") == true)
        #expect(OperatorRequest.refusal(of: .promote, status: status) != nil)
        #expect(OperatorRequest.refusal(of: .abort, status: status) != nil)
        status.phase = .rolledBack
        #expect(OperatorRequest.refusal(of: .promote, status: status) != nil)
        #expect(OperatorRequest.refusal(of: .rollback, status: status) != nil)
        status.phase = .progressing
        #expect(OperatorRequest.refusal(of: .promote, status: status)?.contains("nothing waits") == true)
        #expect(OperatorRequest.refusal(of: .pause, status: status) == nil)
    }
}

@Suite("Resolving plans")
struct ResolutionTests {
    @Test("matchLabels orders clusters smallest first; batch ends are cumulative node counts")
    func resolution() throws {
        let spec = try Fixtures.spec()
        #expect(spec.waves[1].clusters.map(\.name) == ["small-a", "small-b"])
        #expect(spec.waves[1].clusters[0].batchEnds == [4, 40])
        #expect(spec.waves[2].clusters[0].batchEnds == [10, 1000])
        #expect(spec.waves[2].clusters[0].nodes(ofBatch: 1) == 10..<1000)
    }

    @Test("Steps that reach no new node on a small cluster are merged")
    func tinyClusterMergesSteps() throws {
        let cluster = FleetCluster(name: "tiny", nodeCount: 3)
        let fleet = Fleet(name: "f", clusters: [cluster])
        let plan = RolloutPlan(
            name: "p", artifact: ArtifactRef(name: "a", version: "1"), fleetPath: "f", policyName: "p",
            waves: [WavePlan(name: "w", clusters: .names(["tiny"]), nodeBatches: [.percent(1), .percent(5), .percent(50), .percent(100)],
                             bakeBetweenBatchesSeconds: 0, bakeAfterClusterSeconds: 0)])
        let spec = try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: Fixtures.policy()).get()
        #expect(spec.waves[0].clusters[0].batchEnds == [1, 2, 3])
    }

    @Test("Durations parse with units and format back")
    func durations() {
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("250ms") == 0.25)
        #expect(DurationText.seconds("90") == nil)
        #expect(DurationText.seconds("5x") == nil)
        #expect(DurationText.seconds("") == nil)
        #expect(DurationText.format(5400) == "1h30m")
        #expect(DurationText.format(0) == "0s")
    }

    @Test("A rollout waits only for people when approval, a pause or a halt holds it and nothing is under way")
    func waitsOnlyForPeople() throws {
        var status = RolloutStatus(spec: try Fixtures.spec(), now: 0)
        status.phase = .progressing
        #expect(!status.waitsOnlyForPeople)
        for phase in [RolloutPhase.awaitingApproval, .paused, .halted] {
            status.phase = phase
            #expect(status.waitsOnlyForPeople)
        }
        // A halt that rolls a cluster back still has reverts to carry out, and escalation counts time.
        status.clusters[0].state = .reverting
        #expect(!status.waitsOnlyForPeople)
        status.clusters[0].state = .baking
        status.clusters[0].inFlight = "apply/staging/1"
        #expect(!status.waitsOnlyForPeople)
    }
}
