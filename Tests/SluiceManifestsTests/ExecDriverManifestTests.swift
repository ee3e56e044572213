import Foundation
import SluiceManifests
import Testing

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
        let text = """
            apiVersion: sluice.dev/v1
            kind: ExecDriver
            metadata:
              name: local
            spec:
              apply: {command: [/bin/true]}
              revert: {command: [/bin/true]}

            """
        let folder = try ScratchFolder()
        let config = try ExecDriverManifest.load(try folder.write("driver.yaml", text))
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
}
