import FleetSimulator
import SluiceCore
import SluiceSimulation
import Testing

/// The APF brake end to end: the controller's brake and release actions through the simulator driver.
@Suite("The APF brake on the simulated fleet")
struct APFBrakeScenarioTests {
    static let brake = APFBrakeSpec(serviceAccount: "agent", namespace: "observability")

    /// The small incident fleet under the reactive gates, with the agent braked at `maxSeatShare` on every cluster.
    static func run(
        profile: String, maxSeatShare: Double = APFBrakeSpec.defaultMaxSeatShare, observeAfterStopSeconds: Double = 0
    ) async throws -> SimulationOutcome {
        var spec = try incidentSpec(profile: profile, gates: reactiveGates)
        spec.apfBrake = APFBrakeSpec(serviceAccount: "agent", namespace: "observability", maxSeatShare: maxSeatShare)
        let runner = SimulationRunner(
            fleet: smallIncidentFleet, seed: 7, horizonSeconds: 6 * 3600, observeAfterStopSeconds: observeAfterStopSeconds)
        return try await runner.guarded(spec)
    }

    @Test("The core sizes brakes against the same default levels the simulator divides seats among")
    func sizingMatchesTheModel() {
        #expect(APFBrakeSpec.defaultLevelShares == APFPriorityLevel.allCases.map(\.nominalConcurrencyShares).reduce(0, +))
    }

    @Test("The driver sets the brake up with the spec's shares and removes it; an action without a brake fails")
    func driverSetsAndRemovesTheLevel() async throws {
        let fleet = SimulatedFleet(fleet: smallIncidentFleet, seed: 1)
        let driver = SimulatorDriver(fleet: fleet)
        let cluster = smallIncidentFleet.clusters[1]
        let artifact = ArtifactRef(name: "agent", version: "1", apiProfile: "cluster-wide-pod-list")
        func action(_ kind: FleetAction.Kind, brake: APFBrakeSpec? = Self.brake) -> FleetAction {
            FleetAction(rollout: "r", kind: kind, cluster: cluster.name, batch: 0, nodes: 0..<0, brake: brake)
        }
        _ = try await driver.execute(action(.brake), on: cluster, artifact: artifact)
        #expect(await fleet.apfBrake(cluster: "medium")?.nominalConcurrencyShares == 27)
        #expect(await fleet.apfBrake(cluster: "huge") == nil)
        _ = try await driver.execute(action(.release), on: cluster, artifact: artifact)
        #expect(await fleet.apfBrake(cluster: "medium") == nil)
        await #expect(throws: SimulationError.self) {
            _ = try await driver.execute(action(.brake, brake: nil), on: cluster, artifact: artifact)
        }
    }

    @Test("The fixed agent, braked at 25%, completes: each cluster braked before its first batch, released after the last")
    func fixedAgentCompletesBraked() async throws {
        let outcome = try await Self.run(profile: "node-scoped-pod-list", maxSeatShare: 0.25)
        #expect(outcome.finalPhase == "completed", "\(outcome.timeline.suffix(6).map { "\($0.verb) \($0.message)" })")
        #expect(outcome.clustersDegraded == 0)
        #expect(outcome.clusters.map(\.agentNodesAtEnd) == [50, 600, 7500])
        for cluster in ["staging", "medium", "huge"] {
            let braked = try #require(outcome.timeline.firstIndex { $0.verb == "braked" && $0.message.hasPrefix(cluster) })
            let applied = try #require(outcome.timeline.firstIndex { $0.verb == "applied" && $0.message.hasPrefix(cluster) })
            #expect(braked < applied)
        }
        let lastApplied = try #require(outcome.timeline.lastIndex { $0.verb == "applied" })
        let released = outcome.timeline.indices.filter { outcome.timeline[$0].verb == "released" }
        #expect(released.count == 3 && released.allSatisfy { $0 > lastApplied })
    }

    @Test("A brake smaller than the fixed agent needs (10% of 7,500 nodes' seats) halts it on its own 429s, unharmed")
    func undersizedBrakeHaltsAGoodAgent() async throws {
        let outcome = try await Self.run(profile: "node-scoped-pod-list")
        #expect(outcome.finalPhase == "halted")
        let halt = try #require(outcome.timeline.last { $0.verb == "halted" })
        #expect(halt.message.hasPrefix("halted by gate 'throttled' on huge"))
        #expect(outcome.clustersDegraded == 0)
    }

    @Test("The Dec 2024 agent, braked, is stopped by its own 429s with no harm to the huge cluster")
    func incidentAgentBraked() async throws {
        let outcome = try await Self.run(profile: "cluster-wide-pod-list", observeAfterStopSeconds: 1800)
        #expect(outcome.finalPhase == "halted")
        #expect(outcome.clustersDegraded == 0)
        #expect(outcome.dnsFailureClusterMinutes == 0)
        // A halted rollout keeps its brakes: nothing was released.
        #expect(!outcome.timeline.contains { $0.verb == "released" })
    }
}
