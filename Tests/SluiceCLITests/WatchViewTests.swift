import ArgumentParser
import Foundation
import Testing
@testable import SluiceCLI
import SluiceCore
import SluiceStore

/// Fixed inputs for `watch` frames: a three-wave rollout mid-way, with a gate history.
enum WatchFixture {
    static let latency = Gate(
        name: "mutating-latency", signal: "apiserver_mutating_latency_p99_seconds", aggregation: .max,
        windowSeconds: 120, bound: .atMost(1.0), onNoData: .fail, action: .rollbackCluster)
    static let throttled = Gate(
        name: "throttled-requests", signal: "apiserver_429_ratio", aggregation: .max, windowSeconds: 120,
        bound: .atMost(0.01), onNoData: .fail, action: .rollbackCluster)
    static let availability = Gate(
        name: "availability", signal: "apiserver_availability", aggregation: .min, windowSeconds: 120,
        bound: .atLeast(0.99), onNoData: .fail, action: .rollbackCluster)

    static func spec() throws -> RolloutSpec {
        let fleet = Fleet(name: "f", clusters: [
            FleetCluster(name: "staging-1", nodeCount: 10),
            FleetCluster(name: "prod-eu-1", labels: ["tier": "prod"], nodeCount: 40),
            FleetCluster(name: "prod-eu-2", labels: ["tier": "prod"], nodeCount: 200),
            FleetCluster(name: "prod-large-1", labels: ["tier": "large"], nodeCount: 400),
        ])
        let plan = RolloutPlan(
            name: "telemetry-agent-2.0", artifact: ArtifactRef(name: "telemetry-agent", version: "2.0.0"),
            fleetPath: "f", policyName: "p",
            waves: [
                WavePlan(name: "canary", clusters: .names(["staging-1"]), nodeBatches: [.count(1), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
                WavePlan(name: "prod", clusters: .matchLabels(["tier": "prod"]), maxConcurrentClusters: 2,
                         nodeBatches: [.count(1), .percent(10), .percent(50), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
                WavePlan(name: "large", clusters: .names(["prod-large-1"]), nodeBatches: [.percent(5), .percent(100)],
                         bakeBetweenBatchesSeconds: 600, bakeAfterClusterSeconds: 1800, approval: .manual),
            ])
        let policy = GatePolicy(name: "control-plane-safe", gates: [latency, throttled, availability])
        return try RolloutSpec.resolve(plan: plan, fleet: fleet, policy: policy).get()
    }

    /// At T+1h: canary done, prod-eu-1 baking after batch 2 of 4 until T+1h4m10s, prod-eu-2 baking after batch 3.
    static func record(phase: RolloutPhase = .progressing) throws -> RolloutRecord {
        let spec = try spec()
        var status = RolloutStatus(spec: spec, now: 0)
        status.phase = phase
        status.message = "wave 'prod' in progress"
        status.currentWave = 1
        status.observedGeneration = 0
        status.clusters[0].state = .done
        status.clusters[0].appliedBatches = 2
        status.clusters[1].state = .baking
        status.clusters[1].appliedBatches = 2
        status.clusters[1].bakeUntil = 3850
        status.clusters[2].state = .baking
        status.clusters[2].appliedBatches = 3
        status.clusters[2].bakeUntil = 3900
        return RolloutRecord(spec: spec, status: status, generation: 0, planPath: "plan.yaml", submittedAt: 0, submittedBy: "ana")
    }

    /// Wall seconds at virtual time 0: the daemon runs virtual time at the wall's pace, T+1h40s is 1_800_000_000.
    static let wallAtZero = 1_800_000_000 - 3640.0

    /// Six passes a minute apart ending at T+1h, on both prod clusters; throttling creeps up on prod-eu-2.
    static var evaluations: [GateEvaluation] {
        var out: [GateEvaluation] = []
        for (step, at) in stride(from: 3300.0, through: 3600, by: 60).enumerated() {
            for cluster in ["prod-eu-1", "prod-eu-2"] {
                let eu2 = cluster == "prod-eu-2"
                let values: [(Gate, Double)] = [
                    (latency, 0.2 + 0.05 * Double(step)), (throttled, eu2 ? 0.001 * Double(step + 1) : 0),
                    (availability, 0.999),
                ]
                for (gate, value) in values {
                    out.append(GateEvaluation(
                        gate: gate.name, cluster: cluster, at: at, windowSeconds: 120, observed: value, bound: gate.bound,
                        verdict: gate.bound.isHealthy(value) ? .pass : .breach, reason: "\(gate.signal) = \(value)",
                        wallAt: wallAtZero + at))
                }
            }
        }
        return out
    }

    static let events = [
        RolloutEvent(at: 0, actor: "sluiced", verb: "progressing", message: "started"),
        RolloutEvent(at: 0, actor: "sluiced", verb: "started", message: "staging-1: cluster started (wave 'canary')"),
        RolloutEvent(at: 1500, actor: "sluiced", verb: "cluster-complete", message: "staging-1: every batch applied and baked"),
        RolloutEvent(at: 1500, actor: "sluiced", verb: "wave-complete", message: "wave 'canary' complete"),
        RolloutEvent(at: 3000, actor: "sluiced", verb: "applied", message: "prod-eu-2: batch 3/4 applied (nodes 21–100)"),
        RolloutEvent(at: 3550, actor: "sluiced", verb: "applied", message: "prod-eu-1: batch 2/4 applied (nodes 2–4)"),
    ].map { event in
        var event = event
        event.wallAt = wallAtZero + event.at
        return event
    }

    static let liveLease = LeaseSeen(owner: "sluiced@host", expiresAt: 1_800_000_060)

    static func input(
        phase: RolloutPhase = .progressing, evaluations: [GateEvaluation] = evaluations, lease: LeaseSeen? = liveLease,
        breakGlass: BreakGlassState? = nil
    ) throws -> WatchInput {
        WatchInput(
            record: try record(phase: phase), events: events,
            daemonEvents: EventSpan(
                first: events.first { $0.actor == "sluiced" }!.wallTime!,
                last: events.last { $0.actor == "sluiced" }!.wallTime!),
            evaluations: evaluations, pendingRequests: [],
            controllerNow: 3640, wallNow: 1_800_000_000, lease: lease, breakGlass: breakGlass)
    }
}

@Suite("sluice watch: the view model and its renderings")
struct WatchViewTests {
    @Test("The terminal frame, without colour, is exactly this")
    func screenSnapshot() throws {
        let model = WatchModel(try WatchFixture.input())
        let text = WatchRender.screen(model, style: .init(color: false)).joined(separator: "\n")
        #expect(text == """
            telemetry-agent-2.0  telemetry-agent 2.0.0  PROGRESSING  elapsed 1h40s  virtual clock T+1h40s
            Next:     batch 3/4 of prod-eu-1 if gates pass, in 3m30s
            Message:  wave 'prod' in progress
            Progress: 1/4 clusters, 114/650 nodes

              CLUSTER       STATE    NODES                            BATCH  BAKE LEFT
            canary (complete)
              staging-1     done     [████████████████████]  10/10    2/2    -
            prod (current)
              prod-eu-1     baking   [██░░░░░░░░░░░░░░░░░░]  4/40     2/4    3m30s
              prod-eu-2     baking   [██████████░░░░░░░░░░]  100/200  3/4    4m20s
            large (waiting, manual approval)
              prod-large-1  pending  [░░░░░░░░░░░░░░░░░░░░]  0/400    0/2    -

            GATE                CLUSTER    VALUE  THRESHOLD  RECENT  VERDICT  AT
            mutating-latency    prod-eu-1  450ms  <= 1s      ▁▁▂▂▃▃  pass     2027-01-15T07:59:20Z
            throttled-requests  prod-eu-2  0.6%   <= 1%      ▁▂▃▃▄▅  pass     2027-01-15T07:59:20Z
            availability        prod-eu-1  99.9%  >= 99%     ██████  pass     2027-01-15T07:59:20Z

            LAST EVENTS
            2027-01-15T06:59:20Z  sluiced  progressing       started
            2027-01-15T06:59:20Z  sluiced  started           staging-1: cluster started (wave 'canary')
            2027-01-15T07:24:20Z  sluiced  cluster-complete  staging-1: every batch applied and baked
            2027-01-15T07:24:20Z  sluiced  wave-complete     wave 'canary' complete
            2027-01-15T07:49:20Z  sluiced  applied           prod-eu-2: batch 3/4 applied (nodes 21–100)
            2027-01-15T07:58:30Z  sluiced  applied           prod-eu-1: batch 2/4 applied (nodes 2–4)
            """)
    }

    @Test("The plain line for pipes is exactly this, and has no countdown in it")
    func lineSnapshot() throws {
        let model = WatchModel(try WatchFixture.input())
        #expect(WatchRender.line(model) == """
            2027-01-15T07:58:30Z  progressing  clusters 1/4  nodes 114/650  next: batch 3/4 of prod-eu-1 if gates pass at T+1h4m10s  gates: 3 pass  last: applied prod-eu-1: batch 2/4 applied (nodes 2–4)
            """)
        var later = try WatchFixture.input()
        later.controllerNow += 30
        later.wallNow += 30
        #expect(WatchRender.line(WatchModel(later)) == WatchRender.line(model))
    }

    @Test("What comes next and when: the earliest bake end among the wave's clusters")
    func nextStep() throws {
        let model = WatchModel(try WatchFixture.input())
        #expect(model.next.at == "T+1h4m10s")
        #expect(model.next.inSeconds == 210)
        #expect(model.next.text.hasPrefix("batch 3/4 of prod-eu-1"))
        #expect(model.elapsedSeconds == 3640)
        #expect((model.clustersDone, model.clusters, model.nodesDone, model.nodes) == (1, 4, 114, 650))
    }

    @Test("A wave waiting for approval says so, with the command")
    func awaitingApproval() throws {
        var input = try WatchFixture.input(phase: .awaitingApproval)
        input.record.status.currentWave = 2
        let model = WatchModel(input)
        #expect(model.next.at == nil)
        #expect(model.next.text.contains("approval of wave 'large'"))
        #expect(model.next.text.contains("sluice promote telemetry-agent-2.0"))
        #expect(WatchRender.phase(model.rollout.phase, style: .init(color: false)) == "AWAITING APPROVAL")
    }

    @Test("With an APF brake, what comes next says when a brake is being set up or removed")
    func brakeSteps() throws {
        var input = try WatchFixture.input()
        input.record.status.clusters[3].state = .applying
        input.record.status.clusters[3].inFlight = "brake/prod-large-1/0"
        #expect(WatchModel(input).next.text == "setting up the APF brake on prod-large-1, then its first batch")
        input.record.status.currentWave = 3
        for index in input.record.status.clusters.indices {
            input.record.status.clusters[index].state = .done
            input.record.status.clusters[index].apfBrake = .on
            input.record.status.clusters[index].inFlight = "release/\(input.record.status.clusters[index].cluster)/0"
        }
        input.record.status.clusters[0].apfBrake = .released
        input.record.status.clusters[0].inFlight = nil
        #expect(WatchModel(input).next.text == "removing the APF brake from 3 clusters, then complete")
    }

    @Test("Each gate shows its latest value on the worst cluster, and its recent history there")
    func gateRows() throws {
        let model = WatchModel(try WatchFixture.input())
        #expect(model.gates.map(\.gate) == ["mutating-latency", "throttled-requests", "availability"])
        let throttled = model.gates[1]
        #expect(throttled.cluster == "prod-eu-2")
        #expect(throttled.observed == 0.006)
        #expect(throttled.verdict == .pass)
        #expect(throttled.history.count == 6)
        #expect(WatchRender.sparkline(throttled.history, threshold: throttled.threshold) == "▁▂▃▃▄▅")
        #expect(WatchRender.sparkline([0, nil, 1], threshold: 0.5) == "▁·█")
    }

    @Test("A breach puts that cluster on the gate's row")
    func breachShown() throws {
        var evaluations = WatchFixture.evaluations
        evaluations.append(GateEvaluation(
            gate: "throttled-requests", cluster: "prod-eu-1", at: 3660, windowSeconds: 120, observed: 0.05,
            bound: .atMost(0.01), verdict: .breach, reason: "max = 0.05"))
        let model = WatchModel(try WatchFixture.input(evaluations: evaluations))
        #expect(model.gates[1].cluster == "prod-eu-1")
        #expect(model.gates[1].verdict == .breach)
        #expect(WatchRender.line(model).contains("gates: 2 pass, 1 breach"))
    }

    @Test("Banners: daemon not running (lease expired, or never ran), with since when")
    func daemonDown() throws {
        #expect(WatchModel(try WatchFixture.input()).banners.isEmpty)
        let expired = LeaseSeen(owner: "sluiced@host", expiresAt: 1_799_999_000)
        let down = WatchModel(try WatchFixture.input(lease: expired)).banners
        #expect(down.map(\.kind) == ["daemonDown"])
        #expect(down.first?.since == ControllerTime.format(1_799_999_000))
        let never = WatchModel(try WatchFixture.input(lease: nil)).banners
        #expect(never.map(\.kind) == ["daemonDown"])
        #expect(never.first?.since == nil)
        // A daemon that stopped cleanly gave the lease up: its last pass says since when.
        var released = try WatchFixture.input(lease: LeaseSeen(owner: "sluiced@host", expiresAt: 0))
        released.lastPassWallAt = 1_799_999_500
        #expect(WatchModel(released).banners.first?.since == ControllerTime.format(1_799_999_500))
        // A finished rollout needs no daemon.
        #expect(WatchModel(try WatchFixture.input(phase: .completed, lease: nil)).banners.isEmpty)
    }

    @Test("Banners: signals missing or stale since the first pass of the unbroken no-data run")
    func staleSignals() throws {
        var evaluations = WatchFixture.evaluations
        for at in [3660.0, 3720] {
            evaluations.append(GateEvaluation(
                gate: "availability", cluster: "prod-eu-2", at: at, windowSeconds: 120, observed: nil,
                bound: .atLeast(0.99), verdict: .noData, reason: "apiserver_availability: newest sample is 300s old (stale)"))
        }
        let banners = WatchModel(try WatchFixture.input(evaluations: evaluations)).banners
        #expect(banners.map(\.kind) == ["signalsStale"])
        #expect(banners.first?.since == ControllerTime.format(3660))
        #expect(banners.first?.message.contains("prod-eu-2") == true)
    }

    @Test("Banners: a break-glass fence says the rollout is fenced, by whom and since when")
    func fenced() throws {
        let glass = BreakGlassState(
            fencedAt: 1_799_990_000, actor: "ana", reason: "apiservers saturated", runs: 1,
            clusters: [.init(cluster: "prod-eu-2", reverted: [], failed: ["prod-eu-2-node-3"])])
        let model = WatchModel(try WatchFixture.input(breakGlass: glass))
        #expect(model.banners.map(\.kind) == ["fenced"])
        #expect(model.banners.first?.since == ControllerTime.format(1_799_990_000))
        #expect(model.banners.first?.message.contains("by ana: apiservers saturated") == true)
        #expect(model.banners.first?.message.contains("0 nodes reverted node-direct, 1 failed") == true)
        #expect(model.rollout.phase == .halted)
        #expect(model.next.text == "1 nodes failed to revert: run `sluice break-glass \(model.rollout.name)` again")
    }

    @Test("Exit codes: 0 completed, 10 rolled back, 11 aborted, 12 halted only with --exit-on-halt")
    func outcomes() {
        #expect(Watch.Outcome.of(.completed, exitOnHalt: false)?.rawValue == 0)
        #expect(Watch.Outcome.of(.rolledBack, exitOnHalt: false)?.rawValue == 10)
        #expect(Watch.Outcome.of(.aborted, exitOnHalt: false)?.rawValue == 11)
        #expect(Watch.Outcome.of(.halted, exitOnHalt: false) == nil)
        #expect(Watch.Outcome.of(.halted, exitOnHalt: true)?.rawValue == 12)
        #expect(Watch.Outcome.of(.halted, reverting: true, exitOnHalt: true) == nil)
        for phase in [RolloutPhase.pending, .progressing, .awaitingApproval, .paused, .rollingBack] {
            #expect(Watch.Outcome.of(phase, exitOnHalt: true) == nil)
        }
    }

    @Test("-o json is one object per line that decodes back to the model")
    func json() throws {
        let model = WatchModel(try WatchFixture.input())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(model)
        #expect(!String(decoding: data, as: UTF8.self).contains("\n"))
        #expect(try JSONDecoder().decode(WatchModel.self, from: data) == model)
    }

    @Test("watch and report parse; report needs --html", arguments: [
        ["watch", "r"], ["watch", "r", "-o", "json", "--exit-on-halt"], ["watch", "r", "--poll-interval", "1"],
        ["report", "r", "--html", "out.html"],
    ])
    func parse(arguments: [String]) throws {
        _ = try SluiceCommand.parseAsRoot(arguments)
    }

    @Test("Bad watch and report invocations are refused", arguments: [
        ["watch"], ["watch", "r", "-o", "yaml"], ["watch", "r", "--poll-interval", "0"], ["report", "r"],
    ])
    func badParse(arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try SluiceCommand.parseAsRoot(arguments) }
    }
}
