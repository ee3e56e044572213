import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

/// Gate policies beyond thresholds: references, persistence, predictions, lags and the circuit breaker.
@Suite struct PolicyFeatureTests {
    static let full = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata: {name: full}
        spec:
          requireBakeCoveringLag: true
          lags:
            - {signal: dns_servfail_ratio, hidesFailureFor: 20m}
          fleet: {maxClustersInProgress: 4, haltWhenClustersBreaching: 2, haltWhenTelemetryMissing: 50%}
          predictions:
            - {name: projected, maxProjectedUtilization: 70%, window: 3m, settle: 90s}
          gates:
            - {name: dns, signal: dns_servfail_ratio, aggregate: mean, window: 2m, max: 0.01, for: 3, recoverAfter: 2}
            - {name: queued, signal: apf_queued_requests, compare: baseline, max: 3, floor: 50, for: 2m}
            - {name: share, signal: agent_api_seats, dividedBy: apf_seats_limit, scope: fleet, aggregate: rate, max: 0.5}
            - {name: peers, signal: apiserver_429_ratio, compare: untouched, max: 2, action: rollbackRollout}

        """

    @Test func everyFeatureDecodes() throws {
        let folder = try ScratchFolder()
        let policy = try PolicyManifest.load(try folder.write("p.yaml", Self.full))
        #expect(policy.requireBakeCoveringLag)
        #expect(policy.lags == [SignalLag(signal: "dns_servfail_ratio", hidesFailureForSeconds: 1200)])
        #expect(policy.fleet == FleetBreaker(maxClustersInProgress: 4, haltWhenClustersBreaching: 2,
                                             haltWhenTelemetryMissingShare: 0.5))
        #expect(policy.predictions == [PredictionGate(name: "projected", maxProjectedUtilization: 0.7,
                                                      windowSeconds: 180, settleSeconds: 90)])
        #expect(policy.gates[0].persistence == Persistence(evaluations: 3))
        #expect(policy.gates[0].recoverAfter == 2)
        #expect(policy.gates[1].comparison == .baseline)
        #expect(policy.gates[1].floor == 50)
        #expect(policy.gates[1].persistence == Persistence(evaluations: 1, seconds: 120))
        #expect(policy.gates[2].dividedBy == "apf_seats_limit")
        #expect(policy.gates[2].scope == .fleet)
        #expect(policy.gates[2].aggregation == .rate)
        #expect(policy.gates[3].comparison == .untouched)
        #expect(policy.gates[3].action == .rollbackRollout)
        #expect(policy.longestLag?.hidesFailureForSeconds == 1200)
    }

    @Test func aFloorOnAnAbsoluteGateIsRefused() throws {
        let text = Self.full.replacingOccurrences(of: "max: 0.01, for: 3", with: "max: 0.01, floor: 1, for: 3")
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        expectProblem(error, file: path, line: line(of: "name: dns,", in: text), field: "spec.gates[0].floor",
                      containing: "only applies to compare")
    }

    @Test(arguments: [("for: 0", "at least 1"), ("for: soon", "not a duration"),
                      ("maxProjectedUtilization: 170", "not a share"), ("compare: yesterday", "not one of")])
    func badValuesAreRefused(edit: (String, String)) throws {
        let (replacement, message) = edit
        var text = Self.full
        for original in ["for: 3", "maxProjectedUtilization: 70%", "compare: baseline"]
        where replacement.hasPrefix(String(original.prefix(while: { $0 != ":" }))) {
            text = text.replacingOccurrences(of: original, with: replacement)
        }
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let error = manifestError { _ = try PolicyManifest.load(path) }
        #expect(error?.problems.contains { $0.message.contains(message) } == true, "\(String(describing: error))")
    }

    /// A plan folder whose policy declares the DNS lag, with the wave's bake after each cluster set to `bake`.
    func planWithLag(in folder: ScratchFolder, bake: String, require: Bool) throws -> (String, String) {
        let policy = Manifests.policy.replacingOccurrences(
            of: "  maxSampleAge: 90s\n",
            with: "  maxSampleAge: 90s\n  requireBakeCoveringLag: \(require)\n"
                + "  lags: [{signal: apiserver_mutating_latency_p99_seconds, hidesFailureFor: 20m}]\n")
        try folder.write("fleet.yaml", Manifests.fleet)
        try folder.write("Policies/test-policy.yaml", policy)
        let plan = Manifests.plan(waves: Manifests.canaryWave.replacingOccurrences(of: "25m", with: bake))
        return (try folder.write("plan.yaml", plan), plan)
    }

    @Test func aBakeShorterThanALagIsRefusedWhenThePolicySaysSo() throws {
        let folder = try ScratchFolder()
        let (path, plan) = try planWithLag(in: folder, bake: "10m", require: true)
        let error = manifestError { _ = try PlanLoader().load(path) }
        expectProblem(error, file: path, line: line(of: "bakeAfterCluster", in: plan),
                      field: "spec.waves[0].bakeAfterCluster", containing: "10m is shorter than the 20m")
    }

    @Test func aBakeShorterThanALagIsAWarningOtherwise() throws {
        let folder = try ScratchFolder()
        let (path, plan) = try planWithLag(in: folder, bake: "10m", require: false)
        let loaded = try PlanLoader().load(path)
        #expect(loaded.warnings.map(\.line) == [line(of: "bakeAfterCluster", in: plan)])
        #expect(loaded.warnings.first?.message.contains("bake at least 20m") == true)
    }

    @Test func aBakeCoveringTheLagPasses() throws {
        let folder = try ScratchFolder()
        let (path, _) = try planWithLag(in: folder, bake: "20m", require: true)
        #expect(try PlanLoader().load(path).warnings.isEmpty)
    }

    @Test(arguments: ["control-plane-safe", "control-plane-strict", "control-plane-permissive"])
    func shippedPoliciesLoad(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let policy = try PolicyManifest.load(root + "/Policies/\(name).yaml")
        #expect(policy.name == name)
        #expect(!policy.predictions.isEmpty)
        #expect(policy.requireBakeCoveringLag)
        #expect(policy.gates.allSatisfy { $0.onNoData != .inconclusive })
    }
}
