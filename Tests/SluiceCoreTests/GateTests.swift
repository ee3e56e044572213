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
        #expect(harness.status.gateTracks["errors|staging"]?.failing == 3)
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
        #expect(harness.status.baselines["latency|staging"] == 0.2)
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
    static func run(capacity: Double, inUse: Double, seats: @escaping (FleetCluster, Int) -> Double) throws -> DecisionHarness {
        var harness = DecisionHarness(spec: try gatedSpec(gates: [], predictions: [prediction]))
        let fleet = Fixtures.fleet
        var agentNodes: [String: Int] = [:]
        harness.signalValues = { cluster, _ in
            let nodes = agentNodes[cluster] ?? 0
            let agent = seats(fleet.cluster(named: cluster)!, nodes)
            return ["apf_seats_limit": capacity, "apf_seats_in_use": inUse + agent, "agent_api_seats": agent,
                    "agent_nodes": Double(nodes)]
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

    @Test("Before starting a cluster: the cost model fitted on smaller ones refuses it, and nothing is applied to it")
    func projectsBeforeStart() throws {
        // Cheap enough that the small clusters pass, and the 1,000-node cluster's 1% batch would too.
        let harness = try Self.run(capacity: 1200, inUse: 200) {
            agentSeats(cluster: $0, agentNodes: $1, seatsPerPodPerNode: 0.00003)
        }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.contains("before starting large"))
        #expect(!harness.appliedKeys.contains { $0.contains("/large/") })
        #expect(harness.status.costSamples.keys.sorted() == ["small-a", "small-b", "staging"])
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
}

@Suite("Hex digits")
struct HexDigitsTests {
    @Test("Bytes print as two lowercase hex digits each, as sha256sum writes a digest")
    func twoDigitsPerByte() {
        #expect([UInt8]([0x00, 0x0f, 0xa5, 0xff]).hexDigits == "000fa5ff")
        #expect([UInt8]().hexDigits == "")
    }
}
