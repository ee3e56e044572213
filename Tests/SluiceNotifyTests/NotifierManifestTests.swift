import Foundation
import SluiceManifests
import SluiceNotify
import Testing
import SluiceTestSupport

@Suite struct NotifierManifestTests {
    /// The lines above a file's `spec` fields.
    static let header = """
        apiVersion: sluice.dev/v1
        kind: Notifier
        metadata: {name: oncall}
        spec:

        """

    @Test func aValidFileKeepsEveryWebhookAndItsDefaults() throws {
        let text = Self.header + """
              webhooks:
                - url: https://hooks.slack.com/services/T000/B000/XXXX
                  format: slack
                  on: [completed, halted]
                  timeout: 3s
                  attempts: 2
                - url: http://127.0.0.1:9000/sluice

            """
        let folder = try ScratchFolder()
        let config = try NotifierManifest.load(try folder.write("notifier.yaml", text))
        #expect(config == NotifierConfig(name: "oncall", webhooks: [
            WebhookConfig(
                url: "https://hooks.slack.com/services/T000/B000/XXXX", format: .slack, kinds: [.halted, .completed],
                timeoutSeconds: 3, attempts: 2),
            WebhookConfig(
                url: "http://127.0.0.1:9000/sluice", format: .json,
                kinds: [.halted, .rolledBack, .breakGlass, .awaitingApproval, .completed], timeoutSeconds: 10,
                attempts: 5),
        ]))
    }

    @Test func everyBadFieldIsReportedAtItsLine() throws {
        let text = Self.header + """
              webhooks:
                - url: hooks.slack.com/services/T000
                  format: teams
                  on: [halted, finished]
                  attempts: 0
                - url: ftp://example.com/x
                  timeout: 0s

            """
        let folder = try ScratchFolder()
        let path = try folder.write("notifier.yaml", text)
        let error = manifestError { _ = try NotifierManifest.load(path) }
        let expected = [
            ("url: hooks", "spec.webhooks[0].url",
             "'hooks.slack.com/services/T000' is not an absolute http:// or https:// URL"),
            ("teams", "spec.webhooks[0].format", "'teams' is not one of slack, json"),
            ("finished", "spec.webhooks[0].on[1]",
             "'finished' is not one of halted, rolledBack, breakGlass, awaitingApproval, completed"),
            ("attempts: 0", "spec.webhooks[0].attempts", "must be at least 1, found 0"),
            ("ftp://", "spec.webhooks[1].url", "is not an absolute http:// or https:// URL"),
            ("timeout: 0s", "spec.webhooks[1].timeout", "would give up before connecting"),
        ]
        for (marker, field, message) in expected {
            expectProblem(error, file: path, line: line(of: marker, in: text), field: field, containing: message)
        }
        #expect(error?.problems.count == 6, "\(error.map(String.init(describing:)) ?? "")")
        let first = "\(path):\(line(of: "url: hooks", in: text)): spec.webhooks[0].url: "
        #expect(error?.description.hasPrefix(first) == true)
    }

    @Test func anEmptyListAndAnUnknownFieldAreRefused() throws {
        let text = Self.header + """
              webhooks: []
              retries: 3

            """
        let folder = try ScratchFolder()
        let path = try folder.write("notifier.yaml", text)
        let error = manifestError { _ = try NotifierManifest.load(path) }
        expectProblem(
            error, file: path, line: line(of: "webhooks: []", in: text), field: "spec.webhooks",
            containing: "give at least one webhook")
        expectProblem(
            error, file: path, line: line(of: "retries", in: text), field: "spec.retries",
            containing: "unknown field")
    }

    @Test func theExampleFileLoads() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/notifier.yaml").path
        let config = try NotifierManifest.load(example)
        #expect(config.name == "oncall")
        #expect(config.webhooks.map(\.format) == [.slack, .json])
    }
}
