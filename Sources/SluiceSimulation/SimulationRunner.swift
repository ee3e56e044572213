public import FleetSimulator
import Logging
import SluiceController
public import SluiceCore
import SluiceStore

/// Runs the real controller, or no controller at all, against the simulated fleet in virtual time.
public struct SimulationRunner: Sendable {
    public var fleet: Fleet
    public var parameters: SimulationParameters
    public var seed: UInt64
    /// Virtual seconds between reconcile passes.
    public var passIntervalSeconds: Double
    /// The longest a run may last in virtual time.
    public var horizonSeconds: Double
    /// How long to keep simulating after the rollout stopped, to see the fleet recover (or not).
    public var observeAfterStopSeconds: Double
    /// Threads that step the simulated clusters of each run; the results are the same for any number.
    public var stepWorkers: Int

    public init(
        fleet: Fleet, parameters: SimulationParameters = .default, seed: UInt64 = 1, passIntervalSeconds: Double = 30,
        horizonSeconds: Double = 48 * 3600, observeAfterStopSeconds: Double = 3600, stepWorkers: Int = 1
    ) {
        self.fleet = fleet
        self.parameters = parameters
        self.seed = seed
        self.passIntervalSeconds = passIntervalSeconds
        self.horizonSeconds = horizonSeconds
        self.observeAfterStopSeconds = observeAfterStopSeconds
        self.stepWorkers = stepWorkers
    }

    /// Sluice drives `spec` through its gates; the run ends once the rollout is finished or stopped and the fleet has
    /// been observed for `observeAfterStopSeconds`, or at the horizon.
    public func guarded(_ spec: RolloutSpec, scenario: String? = nil) async throws -> SimulationOutcome {
        try await guarded(spec, on: simulatedFleet(readBy: spec.policy), scenario: scenario)
    }

    /// A guarded run that also returns the scraped samples of `signals` (all signals when nil), of every scrape or
    /// of those at a multiple of `everySeconds`.
    public func guardedRecording(
        _ spec: RolloutSpec, signals: Set<String>?, everySeconds: Double? = nil
    ) async throws -> (SimulationOutcome, [ScrapedSample]) {
        let simulated = simulatedFleet(
            readBy: spec.policy, recording: ScrapeRecording(signals: signals, everySeconds: everySeconds))
        let outcome = try await guarded(spec, on: simulated)
        return (outcome, await simulated.recordedSamples)
    }

    /// A new simulation of the fleet that keeps the samples `policy` reads (none without a policy).
    func simulatedFleet(readBy policy: GatePolicy?, recording: ScrapeRecording? = nil) -> SimulatedFleet {
        SimulatedFleet(
            fleet: fleet, parameters: parameters, seed: seed, readBy: policy, recording: recording,
            stepWorkers: stepWorkers)
    }

    func guarded(_ spec: RolloutSpec, on simulated: SimulatedFleet, scenario: String? = nil) async throws -> SimulationOutcome {
        let store = try SluiceStore()
        try store.submit(spec: spec, planPath: "(simulation)", actor: "simulation", now: 0)
        let clock = SimulationClock(fleet: simulated)
        let controller = RolloutController(
            store: store, driver: SimulatorDriver(fleet: simulated), signals: SimulatorSignalSource(fleet: simulated),
            clock: clock, leaseClock: clock, owner: "simulation", leaseTTLSeconds: .infinity, maxParallelActions: 1,
            logger: Logger(label: "sluice.simulation", factory: { _ in SwiftLogNoOpLogHandler() }),
            nodeDirect: SimulatorDriver(fleet: simulated, path: .nodeDirect))
        var stoppedAt: Double?
        var haltedAt: Double?
        while await simulated.nowSeconds < horizonSeconds {
            _ = try await controller.reconcileOnce()
            let phase = try store.phase(rollout: spec.name) ?? .pending
            let now = await simulated.nowSeconds
            if haltedAt == nil && [.halted, .rollingBack, .rolledBack, .aborted].contains(phase) { haltedAt = now }
            let settled = phase.isFinished || phase == .halted || phase == .awaitingApproval
            if settled && stoppedAt == nil { stoppedAt = now }
            if !settled { stoppedAt = nil }
            if let stoppedAt, now - stoppedAt >= observeAfterStopSeconds { break }
            await simulated.advance(to: now + passIntervalSeconds)
        }
        let timeline = try store.events(rollout: spec.name).map {
            SimulationOutcome.TimelineEntry(atSeconds: $0.event.at, verb: $0.event.verb, message: $0.event.message)
        }
        var outcome = await score(simulated, scenario: scenario ?? "sluice (policy \(spec.policy.name))", timeline: timeline)
        outcome.haltedAtSeconds = haltedAt
        outcome.finalPhase = try store.rollout(named: spec.name)?.status.phase.rawValue
        return outcome
    }

    /// What happened on 11 Dec 2024: the agent goes to every node of every cluster within `spreadSeconds`, in a
    /// seeded order, through the control plane, and nobody stops it. Simulated for `durationSeconds`.
    public func unguarded(
        profile: AgentAPIProfile, spreadSeconds: Double = 29 * 60, durationSeconds: Double = 4 * 3600
    ) async -> SimulationOutcome {
        await unguarded(
            profile: profile, spreadSeconds: spreadSeconds, durationSeconds: durationSeconds,
            on: simulatedFleet(readBy: nil))
    }

    /// An unguarded run that also returns the scraped samples of `signals` (all signals when nil), of every scrape
    /// or of those at a multiple of `everySeconds`.
    public func unguardedRecording(
        profile: AgentAPIProfile, durationSeconds: Double, signals: Set<String>?, everySeconds: Double? = nil
    ) async -> (SimulationOutcome, [ScrapedSample]) {
        let simulated = simulatedFleet(
            readBy: nil, recording: ScrapeRecording(signals: signals, everySeconds: everySeconds))
        let outcome = await unguarded(
            profile: profile, spreadSeconds: min(29 * 60, durationSeconds), durationSeconds: durationSeconds,
            on: simulated)
        return (outcome, await simulated.recordedSamples)
    }

    func unguarded(
        profile: AgentAPIProfile, spreadSeconds: Double, durationSeconds: Double, on simulated: SimulatedFleet
    ) async -> SimulationOutcome {
        var generator = SeededOrder(seed: seed)
        let order = generator.shuffled(Array(fleet.clusters.indices))
        var timeline: [SimulationOutcome.TimelineEntry] = []
        for (position, index) in order.enumerated() {
            let cluster = fleet.clusters[index]
            let at = spreadSeconds * Double(position) / Double(max(1, order.count))
            await simulated.advance(to: at)
            _ = await simulated.submit(
                cluster: cluster.name, nodes: 0..<cluster.nodeCount, enable: true, profile: profile,
                path: .controlPlane, deadlineSeconds: durationSeconds)
            timeline.append(.init(atSeconds: at, verb: EventVerb.applied.rawValue, message: "\(cluster.name): all \(cluster.nodeCount) nodes"))
        }
        await simulated.advance(to: durationSeconds)
        return await score(simulated, scenario: "unguarded, all clusters in \(DurationText.format(spreadSeconds))", timeline: timeline)
    }

    func score(_ simulated: SimulatedFleet, scenario: String, timeline: [SimulationOutcome.TimelineEntry]) async -> SimulationOutcome {
        var clusters: [SimulationOutcome.ClusterOutcome] = []
        for cluster in fleet.clusters {
            clusters.append(SimulationOutcome.clusterOutcome(
                await simulated.groundTruth(cluster: cluster.name), cluster: cluster,
                agentNodes: await simulated.agentNodeCount(cluster: cluster.name)))
        }
        return SimulationOutcome(
            scenario: scenario, simulatedSeconds: await simulated.nowSeconds, clusters: clusters, timeline: timeline,
            peakAgentNodes: await simulated.peakAgentNodes, haltedAtSeconds: nil, finalPhase: nil)
    }
}

/// A seeded shuffle, so the unguarded order is the same for the same seed on every platform: the simulator's
/// SplitMix64 drawn by its own Fisher–Yates (the standard library's `shuffled(using:)` may change between releases).
struct SeededOrder {
    var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed ^ 0x5EED_0F_0DE5)
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var result = elements
        guard result.count > 1 else { return result }
        for index in stride(from: result.count - 1, to: 0, by: -1) {
            let other = Int(next() % UInt64(index + 1))
            result.swapAt(index, other)
        }
        return result
    }
}
