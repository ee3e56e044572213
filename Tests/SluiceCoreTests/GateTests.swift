import Testing
import SluiceCore

/// A spec on the fixture fleet with these gates and predictions.
func gatedSpec(
    gates: [Gate], predictions: [PredictionGate] = [], fleet: FleetBreaker? = nil, plan: RolloutPlan = Fixtures.plan()
) throws -> RolloutSpec {
    let policy = GatePolicy(name: "test", gates: gates, predictions: predictions, fleet: fleet, maxSampleAgeSeconds: 120)
    return try RolloutSpec.resolve(plan: plan, fleet: Fixtures.fleet, policy: policy).get()
}

let errorsGate = Gate(name: "errors", signal: "errors", aggregation: .last, windowSeconds: 60, bound: .atMost(0.01))

@Suite("Gates: persistence, hysteresis, references, predictions, the circuit breaker")
struct GateTests {
    @Test("A breach counts only once it held for the persistence; then the rollout halts")
    func persistenceByEvaluations() throws {
        var gate = errorsGate
        gate.persistence = Persistence(evaluations: 3)
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { cluster, now in ["errors": cluster == "staging" && now >= 90 ? 0.5 : 0] }
        harness.run(limitSeconds: 120) { $0.phase == .halted }
        #expect(harness.status.phase == .progressing)
        harness.now = 150
        harness.pass()
        #expect(harness.status.phase == .halted)
        #expect(harness.status.gateTracks[GateOnCluster(gate: "errors", cluster: "staging")]?.failing == 3)
    }

    @Test("Persistence by duration")
    func persistenceByDuration() throws {
        var gate = errorsGate
        gate.persistence = Persistence(evaluations: 1, seconds: 120)
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, now in ["errors": now >= 30 ? 0.5 : 0] }
        harness.run(limitSeconds: 600) { $0.phase == .halted }
        #expect(harness.status.phase == .halted)
        #expect(harness.now == 150)
    }

    @Test("A flapping signal neither halts nor stalls the rollout forever")
    func flappingSignal() throws {
        var gate = errorsGate
        gate.persistence = Persistence(evaluations: 2)
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, now in ["errors": Int(now / 30) % 2 == 1 ? 0.5 : 0] }
        harness.run { $0.phase == .completed || $0.phase == .halted }
        #expect(harness.status.phase == .completed)
    }

    @Test("After a counted breach and a resume, a recovered gate must pass recoverAfter times before moving on")
    func recoveryHysteresis() throws {
        var gate = errorsGate
        gate.recoverAfter = 3
        var plan = Fixtures.plan()
        plan.waves[0].bakeBetweenBatchesSeconds = 0
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate], plan: plan))
        harness.signalValues = { _, now in ["errors": now == 30 ? 0.5 : 0] }
        harness.pass()
        harness.now = 30
        harness.pass()
        #expect(harness.status.phase == .halted)
        harness.request(.resume)
        for now in [60.0, 90] {
            harness.now = now
            harness.pass()
            #expect(harness.status.phase == .progressing)
            #expect(harness.appliedKeys == ["apply/staging/0"])
        }
        harness.now = 120
        harness.pass()
        #expect(harness.appliedKeys == ["apply/staging/0", "apply/staging/1"])
    }

    @Test("A gate that breaches again after a resume halts again at once")
    func resumeStillBreaching() throws {
        var harness = DecisionHarness(spec: try gatedSpec(gates: [errorsGate]))
        harness.signalValues = { _, now in ["errors": now > 0 ? 0.5 : 0] }
        harness.run(limitSeconds: 300) { $0.phase == .halted }
        harness.request(.resume)
        harness.now += 30
        harness.pass()
        #expect(harness.status.phase == .halted)
    }

    @Test("onNoData: halt halts even when the gate's action is a rollback")
    func noDataHalts() throws {
        var gate = errorsGate
        gate.onNoData = .halt
        gate.action = .rollbackRollout
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, now in now >= 30 ? [:] : ["errors": 0] }
        harness.run(limitSeconds: 300) { $0.phase != .progressing }
        #expect(harness.status.phase == .halted)
        #expect(!harness.appliedKeys.contains { $0.hasPrefix("revert") })
    }

    @Test("Inconclusive no data (what other tools do) lets the rollout go on without signals")
    func inconclusiveLetsItThrough() throws {
        var gate = errorsGate
        gate.onNoData = .inconclusive
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, _ in [:] }
        harness.run { $0.phase == .completed || $0.phase == .halted }
        #expect(harness.status.phase == .completed)
    }

    @Test("Baseline comparison: the same cluster before the rollout touched it, with a floor for noise")
    func baselineComparison() throws {
        let gate = Gate(name: "latency", signal: "latency", windowSeconds: 60, comparison: .baseline,
                        bound: .atMost(2), floor: 0.05)
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        var latency = 0.2
        harness.signalValues = { _, _ in ["latency": latency] }
        harness.pass()
        #expect(harness.status.baselines[GateOnCluster(gate: "latency", cluster: "staging")] == 0.2)
        latency = 0.35
        harness.now = 30
        harness.pass()
        #expect(harness.status.phase == .progressing)
        latency = 0.5
        harness.now = 60
        harness.pass()
        #expect(harness.status.phase == .halted)
        let breach = try #require(harness.evaluations.last { $0.verdict == .breach })
        #expect(breach.observed == 2.5)
        #expect(breach.reason.contains("baseline"))
    }

    @Test("A baseline gate on a cluster that started without data has nothing to compare with: no data")
    func missingBaseline() throws {
        let gate = Gate(name: "latency", signal: "latency", windowSeconds: 60, comparison: .baseline, bound: .atMost(2))
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, now in now == 0 ? [:] : ["latency": 0.1] }
        harness.pass()
        harness.now = 30
        harness.pass()
        #expect(harness.status.phase == .halted)
        #expect(harness.evaluations.last?.verdict == .noData)
    }

    @Test("Untouched comparison: against the median of clusters not reached yet")
    func untouchedComparison() throws {
        let gate = Gate(name: "dns", signal: "dns", windowSeconds: 60, comparison: .untouched, bound: .atMost(3))
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { cluster, now in ["dns": cluster == "staging" && now >= 30 ? 0.4 : 0.1] }
        harness.pass()
        harness.now = 30
        harness.pass()
        #expect(harness.status.phase == .halted)
        let breach = try #require(harness.evaluations.last { $0.verdict == .breach })
        #expect(breach.observed == 4)
    }

    @Test("dividedBy: the change's cost against the cluster's capacity")
    func dividedBy() throws {
        let gate = Gate(name: "share", signal: "agent_seats", dividedBy: "seat_limit", aggregation: .mean,
                        windowSeconds: 60, bound: .atMost(0.3))
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { _, now in ["agent_seats": now >= 30 ? 400 : 0, "seat_limit": 1000] }
        harness.run(limitSeconds: 300) { $0.phase == .halted }
        #expect(harness.status.phase == .halted)
        #expect(harness.evaluations.last { $0.verdict == .breach }?.observed == 0.4)
    }

    @Test("A fleet-scoped gate sees the touched clusters together")
    func fleetScope() throws {
        let gate = Gate(name: "fleet-errors", signal: "errors", scope: .fleet, aggregation: .max, windowSeconds: 60,
                        bound: .atMost(0.01))
        var harness = DecisionHarness(spec: try gatedSpec(gates: [gate]))
        harness.signalValues = { cluster, now in ["errors": cluster == "staging" && now > 700 ? 0.2 : 0] }
        harness.run { $0.phase != .progressing }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains(GateEvaluation.fleetScope))
    }

    @Test("The circuit breaker halts every wave when several clusters breach at once")
    func circuitBreakerBreaches() throws {
        var harness = DecisionHarness(spec: try gatedSpec(
            gates: [errorsGate], fleet: FleetBreaker(haltWhenClustersBreaching: 2)))
        harness.signalValues = { cluster, now in ["errors": cluster.hasPrefix("small") && now > 2000 ? 0.5 : 0] }
        harness.run { $0.phase != .progressing }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("circuit breaker: 2 clusters breach at once (small-a, small-b)"))
    }

    @Test("The circuit breaker halts when control-plane telemetry disappears fleet-wide")
    func circuitBreakerTelemetry() throws {
        var gate = errorsGate
        gate.onNoData = .inconclusive
        var harness = DecisionHarness(spec: try gatedSpec(
            gates: [gate], fleet: FleetBreaker(haltWhenTelemetryMissingShare: 0.5)))
        harness.signalValues = { _, now in now > 2000 ? [:] : ["errors": 0] }
        harness.run { $0.phase != .progressing }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("telemetry disappeared"))
    }

    @Test("maxClustersInProgress caps clusters in progress on top of the wave's own limit")
    func clustersInProgressCap() throws {
        var harness = DecisionHarness(spec: try gatedSpec(
            gates: [errorsGate], fleet: FleetBreaker(maxClustersInProgress: 1)))
        harness.signalValues = { _, _ in ["errors": 0] }
        harness.run { $0.phase == .completed }
        #expect(harness.appliedKeys[2...5] == ["apply/small-a/0", "apply/small-a/1", "apply/small-b/0", "apply/small-b/1"])
    }
}

/// Seats an agent uses in a cluster: `seatsPerPodPerNode × pods × agent nodes` (cost per node grows with size).
func agentSeats(cluster: FleetCluster, agentNodes: Int, seatsPerPodPerNode: Double) -> Double {
    seatsPerPodPerNode * Double(cluster.nodeCount * cluster.podsPerNode) * Double(agentNodes)
}

@Suite("Predictions: project the change's cost before paying it")
struct PredictionTests {
    static let prediction = PredictionGate(name: "projected-seats", maxProjectedUtilization: 0.7, windowSeconds: 60,
                                           settleSeconds: 60)

    /// Runs a rollout under the prediction alone on a fleet whose clusters have `capacity` seats with `inUse` busy,
    /// plus `seats(cluster, agent nodes)` for the agent, until it stops progressing.
    /// `capacityOf` overrides `capacity` for the clusters it names.
    static func run(
        capacity: Double, inUse: Double, plan: RolloutPlan = Fixtures.plan(), capacityOf: [String: Double] = [:],
        seats: @escaping (FleetCluster, Int) -> Double
    ) throws -> DecisionHarness {
        var harness = DecisionHarness(spec: try gatedSpec(gates: [], predictions: [prediction], plan: plan))
        let fleet = Fixtures.fleet
        var agentNodes: [String: Int] = [:]
        harness.signalValues = { cluster, _ in
            let nodes = agentNodes[cluster] ?? 0
            let agent = seats(fleet.cluster(named: cluster)!, nodes)
            return ["apf_seats_limit": capacityOf[cluster] ?? capacity, "apf_seats_in_use": inUse + agent,
                    "agent_api_seats": agent, "agent_nodes": Double(nodes)]
        }
        for _ in 0..<1000 {
            harness.pass()
            for action in harness.carriedOut { agentNodes[action.cluster] = action.nodes.upperBound }
            if harness.status.phase != .progressing { break }
            harness.now += 30
        }
        return harness
    }

    @Test("Inside a cluster: the first batch's cost projected to all nodes refuses to go on, naming cluster and number")
    func projectsInsideCluster() throws {
        let harness = try Self.run(capacity: 3000, inUse: 300) {
            agentSeats(cluster: $0, agentNodes: $1, seatsPerPodPerNode: 0.0001)
        }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("gate 'projected-seats' on large"))
        #expect(!harness.appliedKeys.contains("apply/large/1"))
        let breach = try #require(harness.evaluations.last { $0.verdict == .breach })
        // 0.0001 × 30,000 pods = 3 seats per node; 300 + 3 × 1000 nodes = 3,300 of 3,000.
        #expect(abs(breach.observed! - 1.1) < 0.001)
        #expect(breach.reason.contains("3300 of 3000"))
    }

    /// The fixture plan with its large wave's batches replaced.
    static func plan(largeBatches: [BatchStep]) -> RolloutPlan {
        var plan = Fixtures.plan()
        plan.waves[2].nodeBatches = largeBatches
        return plan
    }

    /// Staging, then the 1,000-node cluster: a cost model fitted on one 300-pod cluster, extrapolated 100×.
    static let stagingThenLarge: RolloutPlan = {
        var plan = Fixtures.plan()
        plan.waves.remove(at: 1)
        return plan
    }()

    @Test("Before starting a cluster: a projection beyond the sizes measured starts it with a probe; its own cost halts it")
    func probesThenHaltsOnMeasuredCost() throws {
        // Cost per node grows with the cluster's pods: 0.9 seats per node on the 1,000-node cluster, 1,100 of 1,200.
        let harness = try Self.run(capacity: 1200, inUse: 200, plan: Self.plan(largeBatches: [.percent(10), .percent(100)])) {
            agentSeats(cluster: $0, agentNodes: $1, seatsPerPodPerNode: 0.00003)
        }
        // Fitted on small-b (1,800 pods, 0.054 per node), the large cluster is 16.7× further out: at pods² growth
        // 15 seats per node, and 640 seats of headroom hold 42 nodes, fewer than the plan's 100.
        let before = try #require(harness.evaluations.first { $0.cluster == "large" })
        #expect(before.verdict == .pass)
        #expect(before.reason.contains("extrapolated 16.7×"))
        #expect(before.reason.contains("probe of 42 nodes"))
        let probe = try #require(harness.carriedOut.first { $0.cluster == "large" })
        #expect(probe.nodes == 0..<42)
        #expect(harness.status.clusters.first { $0.cluster == "large" }?.totalBatches == 3)
        // Measured in the cluster, 0.9 per node projects 1,100 of 1,200: halted with the probe's nodes only.
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("gate 'projected-seats' on large: measured 0.9"))
        #expect(harness.carriedOut.filter { $0.cluster == "large" }.map(\.key) == ["apply/large/0"])
    }

    @Test("A probe no smaller than the plan's first batch changes nothing: the cluster runs the plan's batches")
    func probeAsLargeAsFirstBatch() throws {
        let harness = try Self.run(capacity: 1200, inUse: 200) {
            agentSeats(cluster: $0, agentNodes: $1, seatsPerPodPerNode: 0.00003)
        }
        #expect(harness.carriedOut.first { $0.cluster == "large" }?.nodes == 0..<10)
        #expect(harness.evaluations.first { $0.cluster == "large" }?.reason.contains("its first batch of 10 nodes is the probe") == true)
        #expect(harness.status.clusters.first { $0.cluster == "large" }?.probeNodes == nil)
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("gate 'projected-seats' on large: measured"))
    }

    @Test("A good change that a one-point fit would stop starts with one node and completes on its measured cost")
    func goodChangeCompletesAfterProbe() throws {
        // Half a seat per node whatever the cluster's size; the fit on staging alone (b = 1) says 50 per node at 100×.
        let harness = try Self.run(capacity: 3000, inUse: 300, plan: Self.stagingThenLarge) { _, nodes in 0.5 * Double(nodes) }
        #expect(harness.status.phase == .completed)
        let large = harness.carriedOut.filter { $0.cluster == "large" && $0.kind == .apply }.map(\.nodes)
        #expect(large == [0..<1, 1..<10, 10..<1000])
        let before = try #require(harness.evaluations.first { $0.cluster == "large" })
        #expect(before.reason.contains("probe of 1 node"))
        #expect(before.reason.contains("one node is the least a rollout can try"))
    }

    @Test("Inside the sizes measured the projection is no guess: a breach before starting stands")
    func interpolatedBreachStands() throws {
        // Measured on staging (300 pods) and the large cluster (30,000): small-a (1,200) lies between, with 20 seats.
        var plan = Self.stagingThenLarge
        plan.waves.append(WavePlan(name: "last", clusters: .names(["small-a"]), nodeBatches: [.percent(10), .percent(100)],
                                   bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600))
        let harness = try Self.run(capacity: 3000, inUse: 5, plan: plan, capacityOf: ["small-a": 20]) { _, nodes in
            0.5 * Double(nodes)
        }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("before starting small-a"))
        #expect(!harness.status.message.contains("extrapolated"))
        #expect(!harness.carriedOut.contains { $0.cluster == "small-a" })
    }

    @Test("A cheap agent is projected under the headroom everywhere and goes through")
    func cheapAgentPasses() throws {
        let harness = try Self.run(capacity: 3000, inUse: 300) { _, nodes in 0.01 * Double(nodes) }
        #expect(harness.status.phase == .completed)
    }

    @Test("The cost model: one sample scales with cluster size; two recover a power law")
    func costModel() throws {
        let one = try #require(CostModel(fitting: [CostSample(pods: 1000, costPerNode: 0.1)]))
        #expect(abs(one.costPerNode(pods: 10_000) - 1.0) < 1e-9)
        let two = try #require(CostModel(fitting: [
            CostSample(pods: 1000, costPerNode: 0.1), CostSample(pods: 4000, costPerNode: 1.6),
        ]))
        #expect(abs(two.exponent - 2) < 1e-9)
        #expect(abs(two.costPerNode(pods: 2000) - 0.4) < 1e-9)
        #expect(CostModel(fitting: []) == nil)
    }

    @Test("The cost model's uncertainty: how far a size lies outside the measured ones, and the steepest cost it allows")
    func costModelUncertainty() throws {
        let model = try #require(CostModel(fitting: [
            CostSample(pods: 1000, costPerNode: 0.1), CostSample(pods: 4000, costPerNode: 0.4),
        ]))
        #expect(model.measuredPods == 1000...4000)
        #expect(model.measuredSizes == "1000–4000 pods")
        #expect(model.extrapolation(toPods: 2000) == 1)
        #expect(model.extrapolation(toPods: 40_000) == 10)
        #expect(model.extrapolation(toPods: 250) == 4)
        // Inside: the fit itself. Above: from the largest measured, as pods². Below: what the smallest cost.
        #expect(abs(model.pessimisticCostPerNode(pods: 2000) - 0.2) < 1e-9)
        #expect(abs(model.pessimisticCostPerNode(pods: 40_000) - 40) < 1e-9)
        #expect(abs(model.pessimisticCostPerNode(pods: 250) - 0.1) < 1e-9)
    }
}

@Suite("Hex digits")
struct HexDigitsTests {
    @Test("Bytes print as two lowercase hex digits each, as sha256sum writes a digest")
    func twoDigitsPerByte() {
        #expect([UInt8]([0x00, 0x0f, 0xa5, 0xff]).hexDigits == "000fa5ff")
        #expect([UInt8]().hexDigits == "")
    }
}
