import Foundation
import SluiceDrivers
import SluiceManifests
import SluiceTestSupport
import Testing
import SluiceTestSupport

@Suite struct ExecDriverManifestTests {
    @Test func aValidDriverKeepsItsTemplatesAndShellVariables() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              timeout: 1m30s
              maxNodesPerCall: 50
              apply:
                command: [sh, -c, 'mkdir -p "${HOME}/x" && echo "$@"', apply, "{cluster}", "{nodes}", "v={version}"]
              revert:
                command:
                  - kubectl
                  - --context
                  - "{cluster}"
                  - label
                  - "--batch={batch}/{rollout}"
                  - "sluice.dev/{artifact}-"

            """
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let config = try ExecDriverManifest.load(path)
        #expect(config.apply == [
            "sh", "-c", #"mkdir -p "${HOME}/x" && echo "$@""#, "apply", "{cluster}", "{nodes}", "v={version}",
        ])
        #expect(config.revert == [
            "kubectl", "--context", "{cluster}", "label", "--batch={batch}/{rollout}", "sluice.dev/{artifact}-",
        ])
        #expect(config.timeoutSeconds == 90)
        #expect(config.maxNodesPerCall == 50)
    }

    @Test func timeoutAndChunkSizeHaveDefaults() throws {
        let folder = try ScratchFolder()
        let config = try ExecDriverManifest.load(try folder.write("driver.yaml", Self.driverFile()))
        #expect(config == ExecDriverConfig(
            apply: ["/bin/true"], revert: ["/bin/true"], timeoutSeconds: 120, maxNodesPerCall: 200))
    }

    @Test func anUnknownPlaceholderIsRefusedAndTheKnownOnesListed() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              apply:
                command:
                  - ssh
                  - "{node}"
                  - 'echo ${HOME}'
              revert:
                command: [sh, -c, 'echo ${PATH} {nodes}']

            """
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let error = manifestError { _ = try ExecDriverManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "{node}", in: text), field: "spec.apply.command[1]",
            containing: "unknown placeholder {node}; use {cluster}, {nodes}, {artifact}, {version}, {rollout}, {batch}")
        #expect(error?.problems.count == 1)
    }

    @Test func anEmptyCommandIsRefused() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              apply:
                command: []
              revert:
                command: [/bin/true]

            """
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let error = manifestError { _ = try ExecDriverManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "command: []", in: text), field: "spec.apply",
            containing: "command needs at least a program")
    }

    @Test func missingTemplatesAndBadLimitsAreAllReported() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              timeout: 30
              maxNodesPerCall: 0
              apply: {command: [/bin/true]}

            """
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let error = manifestError { _ = try ExecDriverManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "timeout", in: text), field: "spec.revert", containing: "is required")
        expectProblem(
            error, file: path, line: line(of: "timeout", in: text), field: "spec.timeout",
            containing: "'30' is not a duration")
        expectProblem(
            error, file: path, line: line(of: "maxNodesPerCall", in: text), field: "spec.maxNodesPerCall",
            containing: "must be at least 1, found 0")
        #expect(error?.problems.count == 3)
    }

    /// A driver file with `/bin/true` templates and, when given, the lines of a `verify` step (indented by 4).
    static func driverFile(verify: String? = nil) -> String {
        let file = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              apply: {command: [/bin/true]}
              revert: {command: [/bin/true]}

            """
        return verify.map { file + "  verify:\n\($0)\n" } ?? file
    }

    @Test func aVerifyStepKeepsItsCommandTimeoutAndInterval() throws {
        let lines = """
                command: [kubectl, wait, "--context={cluster}", "{nodes}", "v={version}", "${HOME}"]
                timeout: 2m
                interval: 5s
            """
        let folder = try ScratchFolder()
        let config = try ExecDriverManifest.load(try folder.write("driver.yaml", Self.driverFile(verify: lines)))
        let command = ["kubectl", "wait", "--context={cluster}", "{nodes}", "v={version}", "${HOME}"]
        #expect(config.verify == ExecDriverConfig.Verify(command: command, timeoutSeconds: 120, intervalSeconds: 5))
    }

    @Test func aVerifyStepWaitsFiveMinutesTryingEveryTenSecondsByDefault() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", Self.driverFile(verify: "    command: [x]"))
        let config = try ExecDriverManifest.load(path)
        #expect(config.verify?.timeoutSeconds == 300)
        #expect(config.verify?.intervalSeconds == 10)
    }

    /// Checks that a driver file with these `verify` lines fails with exactly the `expected` problems: each the text
    /// that marks its line, its field under `spec.verify` and a part of its message.
    func expectVerifyProblems(
        _ lines: String, _ expected: [(marker: String, field: String, message: String)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let text = Self.driverFile(verify: lines)
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let error = manifestError(sourceLocation: sourceLocation) { _ = try ExecDriverManifest.load(path) }
        for (marker, field, message) in expected {
            expectProblem(
                error, file: path, line: line(of: marker, in: text), field: "spec.verify.\(field)", containing: message,
                sourceLocation: sourceLocation)
        }
        #expect(error?.problems.count == expected.count, sourceLocation: sourceLocation)
    }

    @Test func badVerifyFieldsAreAllReportedWithTheirLines() throws {
        let lines = """
                command: [kubectl, "{node}"]
                timeout: soon
                interval: 0s
                retries: 3
            """
        let expected: [(marker: String, field: String, message: String)] = [
            ("{node}", "command[1]", "unknown placeholder {node}; use {cluster}, {nodes}"),
            ("soon", "timeout", "'soon' is not a duration"),
            ("interval", "interval", "0s would retry without a pause"),
            ("retries", "retries", "unknown field"),
        ]
        try expectVerifyProblems(lines, expected)
    }

    /// Placed at the interval, or at the timeout when the interval is the default.
    @Test(arguments: [
        ("    timeout: 5m\n    interval: 10m", "interval", "interval 10m is longer than the timeout 5m"),
        ("    timeout: 5s", "timeout", "interval 10s is longer than the timeout 5s"),
    ])
    func anIntervalLongerThanTheTimeoutIsRefused(durations: String, field: String, message: String) throws {
        let refusal = message + ", so there would be no second try"
        try expectVerifyProblems("    command: [x]\n" + durations, [("\(field):", field, refusal)])
    }

    @Test func aVerifyStepWithoutACommandIsRefused() throws {
        try expectVerifyProblems("    timeout: 1m", [("timeout: 1m", "command", "is required")])
    }

    /// A driver file with `steps` after its templates; `apply` is the apply template's second word.
    static func driver(_ steps: String, apply: String = "{nodes}") -> String {
        """
        apiVersion: sluice.dev/v1
        kind: ExecDriver
        metadata:
          name: local
        spec:
          apply:
            command: [/bin/true, "\(apply)"]
          revert:
            command: [/bin/true, "{nodes}"]
        \(steps)
        """
    }

    @Test func brakeStepsKeepTheirTemplatesWithTheBrakePlaceholders() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", Self.driver("""
              brake:
                command: [brake.sh, "{cluster}", "{namespace}/{serviceAccount}", "{shares}"]
              release:
                command: [release.sh, "{cluster}", "{artifact}"]

            """))
        let config = try ExecDriverManifest.load(path)
        #expect(config.brake == ["brake.sh", "{cluster}", "{namespace}/{serviceAccount}", "{shares}"])
        #expect(config.release == ["release.sh", "{cluster}", "{artifact}"])
    }

    @Test("A driver file's brake problems are refused at their line", arguments: [
        (driver("  brake:\n    command: [brake.sh, \"{cluster}\"]\n"), "command: [brake.sh", "spec.brake",
         "must also remove it: give both spec.brake and spec.release"),
        (driver("", apply: "{shares}"), "{shares}", "spec.apply.command[1]", "unknown placeholder {shares}"),
    ])
    func badBrakeSteps(text: String, marker: String, field: String, message: String) throws {
        let folder = try ScratchFolder()
        let path = try folder.write("driver.yaml", text)
        let error = manifestError { _ = try ExecDriverManifest.load(path) }
        expectProblem(error, file: path, line: line(of: marker, in: text), field: field, containing: message)
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theKubectlDriverPutsTheContextInOneWordAndNodesAfterDoubleDash() throws {
        let config = try ExecDriverManifest.load(Self.root + "/Examples/kubectl/driver.yaml")
        for template in [config.apply, config.revert] {
            #expect(template.contains("--context={cluster}"))
            let dash = try #require(template.firstIndex(of: "--"))
            #expect(template.firstIndex(of: "{nodes}").map { $0 > dash } == true)
            let options = template.filter { $0.hasPrefix("-") && $0 != "--" }
            #expect(options.allSatisfy { template.firstIndex(of: $0)! < dash })
        }
        _ = try ExecDriverManifest.load(Self.root + "/Examples/local/driver.yaml")
    }
}
