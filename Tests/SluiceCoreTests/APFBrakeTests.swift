import SluiceCore
import Testing

@Suite("The APF brake: set up before a cluster's first batch, removed after the rollout")
struct APFBrakeTests {
    static let brake = APFBrakeSpec(serviceAccount: "telemetry-agent", namespace: "observability")

    static func spec(gates: [Gate] = [Fixtures.gate]) throws -> RolloutSpec {
        var plan = Fixtures.plan()
        plan.apfBrake = brake
        return try RolloutSpec.resolve(plan: plan, fleet: Fixtures.fleet, policy: Fixtures.policy(gates)).get()
    }

    @Test("Shares are sized so the level never holds more than the share of a server's seats", arguments: [
        (0.1, 27), (0.01, 2), (0.25, 81), (0.5, 245), (0.001, 1),
    ])
    func sharesForSeatShare(share: Double, expected: Int) {
        let brake = APFBrakeSpec(serviceAccount: "a", namespace: "b", maxSeatShare: share)
        #expect(brake.nominalConcurrencyShares == expected)
        #expect(brake.seatShare == Double(expected) / Double(expected + 245))
        if expected > 1 { #expect(brake.seatShare <= share) }
    }

    @Test("Each cluster is braked before its first batch; every brake is removed after the last batch")
    func brakeBeforeFirstBatchReleaseAfterLast() throws {
        var harness = DecisionHarness(spec: try Self.spec())
        harness.run { $0.phase == .completed }
        let keys = harness.appliedKeys
        for cluster in ["staging", "small-a", "small-b", "large"] {
            let brake = try #require(keys.firstIndex(of: "brake/\(cluster)/0"))
            let firstBatch = try #require(keys.firstIndex(of: "apply/\(cluster)/0"))
            #expect(brake < firstBatch)
            let release = try #require(keys.firstIndex(of: "release/\(cluster)/0"))
            #expect(release > keys.lastIndex { $0.hasPrefix("apply/") }!)
        }
        #expect(keys.filter { $0.hasPrefix("brake/") }.count == 4)
        #expect(keys.filter { $0.hasPrefix("release/") }.count == 4)
        #expect(harness.status.clusters.allSatisfy { $0.apfBrake == .released && $0.state == .done })
        #expect(harness.carriedOut.allSatisfy { $0.kind == .apply || $0.nodes.isEmpty })
    }

    @Test("A rollout is not completed while a brake could not be removed; it halts and completes once it is")
    func failingReleaseHoldsCompletion() throws {
        var harness = DecisionHarness(spec: try Self.spec())
        harness.driverSucceeds = { !($0.kind == .release && $0.cluster == "large") }
        harness.run { $0.phase == .halted || $0.phase == .completed }
        #expect(harness.status.phase == .halted)
        #expect(harness.status.message.hasPrefix("APF brake removal on large failed 3 times"))
        #expect(harness.status.clusters.first { $0.cluster == "large" }?.apfBrake == .on)
        #expect(harness.status.clusters.filter { $0.apfBrake == .released }.count == 3)
        harness.driverSucceeds = { _ in true }
        harness.request(.resume)
        harness.run { $0.phase == .completed }
        #expect(harness.status.phase == .completed)
        #expect(harness.status.clusters.allSatisfy { $0.apfBrake == .released })
    }

    @Test("A brake that cannot be set up stops the cluster before any of its nodes; a rollback removes every brake")
    func failingBrakeHaltsBeforeTheCluster() throws {
        var harness = DecisionHarness(spec: try Self.spec())
        harness.driverSucceeds = { !($0.kind == .brake && $0.cluster == "small-a") }
        harness.run { $0.phase == .halted }
        #expect(harness.status.message.hasPrefix("APF brake on small-a failed 3 times"))
        #expect(!harness.appliedKeys.contains("apply/small-a/0"))
        harness.request(.rollback)
        harness.run { $0.phase == .rolledBack }
        #expect(harness.status.phase == .rolledBack)
        // The failed brake may have created its objects: it is removed like the others.
        let releases = Set(harness.appliedKeys.filter { $0.hasPrefix("release/") })
        #expect(releases == ["release/staging/0", "release/small-a/0", "release/small-b/0"])
        #expect(harness.status.clusters.allSatisfy { $0.appliedBatches == 0 && $0.inFlight == nil })
        #expect(harness.status.clusters.first { $0.cluster == "small-a" }?.state == .reverted)
    }

    @Test("A rollback requested while a brake is being set up ends with the cluster reverted and the brake removed")
    func rollbackDuringBrake() throws {
        var harness = DecisionHarness(spec: try Self.spec())
        harness.pass()
        #expect(harness.status.clusters[0].inFlight == "brake/staging/0")
        harness.request(.rollback)
        harness.now += 30
        harness.run { $0.phase == .rolledBack }
        #expect(harness.appliedKeys == ["brake/staging/0", "release/staging/0"])
        #expect(harness.status.clusters[0].state == .reverted && harness.status.clusters[0].apfBrake == .released)
    }

    @Test("A halted rollout keeps its brakes: they protect the clusters while people look")
    func haltKeepsBrakes() throws {
        var harness = DecisionHarness(spec: try Self.spec())
        harness.signalValue = { cluster, _ in cluster == "small-a" ? 0.25 : 0 }
        harness.run(limitSeconds: 20_000) { $0.phase == .halted }
        // small-a breached as the next cluster to start: it never started, the clusters before it keep their brakes.
        let braked = harness.status.clusters.filter { $0.apfBrake == .on }.map(\.cluster)
        #expect(braked == ["staging"])
        harness.now += 7200
        harness.pass()
        #expect(!harness.appliedKeys.contains { $0.hasPrefix("release/") })
    }
}
