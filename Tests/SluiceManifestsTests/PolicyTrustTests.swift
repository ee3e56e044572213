import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

/// Policies that would gate nothing, judge nothing, or judge a value that cannot occur are refused; gates on signals no
/// source knows are warned about.
@Suite struct PolicyTrustTests {
    /// A policy with `spec` (indented under `spec:`).
    static func policy(spec: String) -> String {
        """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata:
          name: p
        spec:
        \(spec)

        """
    }

    /// A policy whose only gate is on `signal` with the lines of `gate` (indented as list-item fields).
    static func policy(signal: String = "apiserver_429_ratio", gate: String) -> String {
        policy(spec: """
              gates:
                - name: g
                  signal: \(signal)
            \(gate)
            """)
    }

    func load(_ text: String) throws -> (ManifestError?, String) {
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        return (manifestError { _ = try PolicyManifest.load(path) }, path)
    }

    @Test func aPolicyWithNoGatesAndNoPredictionsIsRefused() throws {
        let text = Self.policy(spec: "  gates: []")
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "gates: []", in: text), field: "spec.gates",
            containing: "the policy has no gates and no predictions, so it would let every change through unchecked; "
                + "add a gate, or write `ungated: true` under spec if this policy is meant to gate nothing")
    }

    @Test func aPolicyWithoutGatesIsRefusedOnceWithTheWayOut() throws {
        let text = Self.policy(spec: "  maxSampleAge: 1m")
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "maxSampleAge", in: text), field: "spec",
            containing: "the policy has no gates and no predictions")
        #expect(error?.problems.count == 1)
    }

    @Test func aBrokenGateIsNotAlsoReportedAsNoGates() throws {
        let (error, _) = try load(Self.policy(spec: "  gates:\n    - {name: g, signal: apiserver_429_ratio}"))
        #expect(error?.problems.map(\.message) == [
            "a gate needs a bound: max (healthy at or below) or min (healthy at or above)",
        ])
    }

    @Test(arguments: ["  ungated: true", "  ungated: true\n  gates: []"])
    func aPolicyThatSaysItGatesNothingLoads(spec: String) throws {
        let folder = try ScratchFolder()
        let policy = try PolicyManifest.load(try folder.write("p.yaml", Self.policy(spec: spec)))
        #expect(policy.gates.isEmpty && policy.predictions.isEmpty)
    }

    @Test func ungatedWithGatesIsRefused() throws {
        let text = Self.policy(spec: """
              ungated: true
              gates:
                - {name: g, signal: apiserver_429_ratio, max: 0.01}
            """)
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "ungated", in: text), field: "spec.ungated",
            containing: "says the policy gates nothing, but it has 1 gate(s) and 0 prediction(s)")
    }

    @Test func predictionsAloneAreEnough() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", Self.policy(spec: """
              gates: []
              predictions:
                - {name: projected-api-seats}
            """))
        #expect(try PolicyManifest.load(path).predictions.count == 1)
    }

    @Test(arguments: ["0s", "0m", "0ms"])
    func aMaxSampleAgeOfZeroIsRefused(age: String) throws {
        let text = Self.policy(spec: """
              maxSampleAge: \(age)
              gates:
                - {name: g, signal: apiserver_429_ratio, max: 0.01}
            """)
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "maxSampleAge", in: text), field: "spec.maxSampleAge",
            containing: "0s would make every sample stale, so every gate would have no data; give the age")
    }

    @Test(arguments: [
        ("gates", "    - {name: g, signal: apiserver_429_ratio, max: 0.01, window: 0s}"),
        ("predictions", "    - {name: projected-api-seats, window: 0m}"),
    ])
    func aWindowOfZeroIsRefused(list: String, item: String) throws {
        let text = Self.policy(spec: "  \(list):\n\(item)")
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "window", in: text), field: "spec.\(list)[0].window",
            containing: "is an empty window: it holds no sample, so the gate would never have data")
    }

    @Test(arguments: [
        ("      max: -1", "max", "-1 is negative, but apiserver_429_ratio is a ratio, never negative, so the gate "
            + "would always breach; give 0 or more"),
        ("      min: -0.5", "min", "-0.5 is negative, but apiserver_429_ratio is a ratio, never negative, so the gate "
            + "would always pass"),
        ("      compare: baseline\n      max: 3\n      floor: -1", "floor", "so the floor would never apply"),
        ("      compare: untouched\n      max: -2", "max", "would always breach"),
        ("      dividedBy: apf_seats_limit\n      max: -0.1", "max",
         "apiserver_429_ratio / apf_seats_limit (a ratio over a number of seats) is never negative"),
    ])
    func aNegativeBoundOnASignalThatCannotBeNegativeIsRefused(gate: String, field: String, fragment: String) throws {
        let text = Self.policy(gate: gate)
        let (error, path) = try load(text)
        expectProblem(
            error, file: path, line: line(of: "\(field): -", in: text), field: "spec.gates[0].\(field)",
            containing: fragment)
        #expect(error?.problems.count == 1)
    }

    @Test(arguments: [
        "apiserver_list_latency_p99_seconds", "apf_queued_requests", "apf_seats_in_use", "apf_rejected_per_second",
    ])
    func everyKnownSignalRefusesANegativeMax(signal: String) throws {
        let (error, _) = try load(Self.policy(signal: signal, gate: "      max: -1"))
        #expect(error?.problems.first?.message.contains("is negative, but \(signal) is") == true)
    }

    @Test func aNegativeBoundOnASignalNoSourceKnowsIsOnlyWarnedAbout() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", Self.policy(signal: "clock_skew_seconds", gate: "      min: -0.5"))
        let (policy, warnings) = try PolicyManifest.read(path)
        #expect(policy.gates.first?.bound == .atLeast(-0.5))
        #expect(warnings.map(\.field) == ["spec.gates[0].signal"])
    }

    @Test func aGateOnAnUnknownSignalWarnsWithTheKnownNames() throws {
        let text = Self.policy(signal: "apiserver_429_ratoi", gate: "      max: 0.01")
        let folder = try ScratchFolder()
        let path = try folder.write("p.yaml", text)
        let (policy, warnings) = try PolicyManifest.read(path)
        #expect(policy.gates.count == 1)
        let warning = try #require(warnings.first)
        #expect(warnings.count == 1)
        #expect(warning.file == path)
        #expect(warning.line == line(of: "signal:", in: text))
        #expect(warning.field == "spec.gates[0].signal")
        #expect(warning.message.contains("no source knows the signal 'apiserver_429_ratoi'"))
        #expect(warning.message.contains("did you mean 'apiserver_429_ratio'?"))
        #expect(warning.message.contains("known signals: " + KnownSignals.names.joined(separator: ", ")))
    }

    @Test func unknownDivisorsAndPredictionSignalsWarnToo() throws {
        let text = Self.policy(spec: """
              gates:
                - {name: g, signal: apf_seats_in_use, dividedBy: seat_limit, max: 0.8}
              predictions:
                - {name: projected, costSignal: my_agent_seats}
            """)
        let folder = try ScratchFolder()
        let (_, warnings) = try PolicyManifest.read(try folder.write("p.yaml", text))
        #expect(warnings.map(\.field) == ["spec.gates[0].dividedBy", "spec.predictions[0].costSignal"])
    }

    @Test func planValidationCarriesThePolicyWarnings() throws {
        let folder = try ScratchFolder()
        let planPath = try Manifests.writePlanFolder(folder, plan: Manifests.plan(waves: Manifests.canaryWave))
        let policy = Manifests.policy.replacingOccurrences(
            of: "signal: apiserver_availability", with: "signal: apiserver_availabilty")
        let policyPath = try folder.write("Policies/test-policy.yaml", policy)
        let loaded = try PlanLoader().load(planPath)
        #expect(loaded.warnings.map(\.file) == [policyPath])
        #expect(loaded.warnings.map(\.line) == [line(of: "apiserver_availabilty", in: policy)])
        #expect(loaded.warnings.first?.description.hasPrefix(
            "\(policyPath):\(line(of: "apiserver_availabilty", in: policy)): spec.gates[1].signal: no source knows")
            == true)
    }

    @Test func everyPredictionDefaultSignalIsKnown() {
        let known = Set(KnownSignals.names)
        let prediction = PredictionGate(name: "p")
        #expect(Set([
            prediction.costSignal, prediction.capacitySignal, prediction.usageSignal, prediction.agentNodesSignal,
        ]).isSubset(of: known))
        #expect(known.count == KnownSignals.names.count)
    }
}
