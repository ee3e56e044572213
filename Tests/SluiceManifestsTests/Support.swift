import Foundation
import SluiceManifests
import Testing

/// A fresh folder under the system's temporary directory, removed when the value is released.
///
/// Tests run in parallel in one process, so every test makes its own and never touches a shared path.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-manifests-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The absolute path of `relativePath` inside the folder.
    func path(_ relativePath: String) -> String {
        url.appendingPathComponent(relativePath).path
    }

    /// Writes `text` at `relativePath` (creating its folders) and returns the file's absolute path.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        try write(relativePath, data: Data(text.utf8))
    }

    /// Writes raw bytes at `relativePath` (creating its folders) and returns the file's absolute path.
    @discardableResult
    func write(_ relativePath: String, data: Data) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }
}

/// The 1-based line of the `occurrence`-th line of `text` that contains `marker`; 0 when there is none.
func line(of marker: String, in text: String, occurrence: Int = 1) -> Int {
    var seen = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where line.contains(marker) {
        seen += 1
        if seen == occurrence { return index + 1 }
    }
    return 0
}

/// The `ManifestError` that `body` throws; records an issue when it throws nothing or something else.
func manifestError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ManifestError? {
    #expect(throws: ManifestError.self, sourceLocation: sourceLocation) { try body() }
}

/// Checks that `error` has a problem at `field` whose message contains `fragment`, in `file` at `line`.
func expectProblem(
    _ error: ManifestError?, file: String, line: Int, field: String, containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let problems = error?.problems ?? []
    guard let problem = problems.first(where: { $0.field == field && $0.message.contains(fragment) }) else {
        Issue.record(
            "no problem at '\(field)' containing \"\(fragment)\"; found:\n\(ManifestError(problems))",
            sourceLocation: sourceLocation)
        return
    }
    #expect(problem.file == file, sourceLocation: sourceLocation)
    #expect(problem.line == line, "\(problem)", sourceLocation: sourceLocation)
}

/// Standard manifests for a plan folder: a fleet, a policy in `Policies/` and a plan whose waves a test supplies.
enum Manifests {
    static let fleet = """
        apiVersion: sluice.dev/v1
        kind: Fleet
        metadata:
          name: demo
        spec:
          clusters:
            - name: staging-1
              labels: {tier: staging}
              nodeNames: [stg-a, stg-b, stg-c, stg-d, stg-e, stg-f, stg-g, stg-h, stg-i, stg-j]
            - name: small-big
              labels: {tier: small}
              nodes: 60
            - name: small-mid
              labels: {tier: small, region: eu}
              nodes: 40
            - name: small-tiny
              labels: {tier: small}
              nodes: 3
            - name: small-mid-2
              labels: {tier: small, region: us}
              nodes: 40
            - name: large-1
              labels: {tier: large}
              nodes: 400
              apiservers: 3

        """

    static let policy = """
        apiVersion: sluice.dev/v1
        kind: GatePolicy
        metadata:
          name: test-policy
        spec:
          maxSampleAge: 90s
          gates:
            - name: mutating-latency
              signal: apiserver_mutating_latency_p99_seconds
              aggregate: p99
              window: 2m
              max: 1.0
              action: rollbackCluster
            - name: availability
              signal: apiserver_availability
              aggregate: min
              min: 0.99
              onNoData: halt

        """

    static let canaryWave = """
            - name: canary
              clusters: [staging-1]
              nodeBatches: [1, 50%, 100%]
              bakeBetweenBatches: 5m
              bakeAfterCluster: 25m
        """

    /// A plan named `agent-2.0` on `fleet.yaml` and `test-policy` with `waves` (indented list items) under spec.waves.
    static func plan(waves: String, policy: String = "test-policy", fleet: String = "fleet.yaml") -> String {
        """
        apiVersion: sluice.dev/v1
        kind: RolloutPlan
        metadata:
          name: agent-2.0
        spec:
          artifact: {name: agent, version: "2.0.0", apiProfile: node-scoped-pod-list}
          fleet: \(fleet)
          policy: \(policy)
          waves:
        \(waves)

        """
    }

    /// Writes the fleet, the policy and `plan` into `folder`; returns the plan's path.
    @discardableResult
    static func writePlanFolder(_ folder: ScratchFolder, plan: String) throws -> String {
        try folder.write("fleet.yaml", fleet)
        try folder.write("Policies/test-policy.yaml", policy)
        return try folder.write("plan.yaml", plan)
    }
}
