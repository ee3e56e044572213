import ArgumentParser
import Foundation
import SluiceCore
import SluiceReport
import SluiceStore

/// `sluice report ROLLOUT --html FILE`
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a rollout's report as one self-contained HTML file, to send to the incident channel.",
        discussion: """
            The page needs no network: inline CSS and SVG. It has a timeline per cluster (batches applied and \
            reverted, bakes, decisions), a chart per gate (observed values per cluster against the threshold), the \
            decisions with their reasons and the full event log. Works while sluiced is down.
            """)

    @Argument(help: "The rollout.") var rollout: String
    @OptionGroup var global: GlobalOptions

    @Option(help: "The HTML file to write (replaced if it exists).")
    var html: String

    @Option(help: "At most this many of the latest gate evaluations to chart.")
    var maxEvaluations: Int = 200_000

    func validate() throws {
        guard !html.isEmpty else { throw ValidationError("--html needs a file name, e.g. --html report.html") }
        guard maxEvaluations > 0 else { throw ValidationError("--max-evaluations must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try global.openStore()
            guard let record = try store.rollout(named: rollout) else { throw StoreError.unknownRollout(rollout) }
            let input = ReportInput(
                spec: record.spec, status: record.status, events: try store.events(rollout: rollout).map(\.event),
                evaluations: try store.gateEvaluations(rollout: rollout, limit: maxEvaluations),
                journal: try store.journal(rollout: rollout),
                generatedAt: ControllerTime.format(wallNow.rounded(.down)),
                breakGlass: try store.breakGlassState(rollout: rollout))
            let page = RolloutReport.html(input)
            do {
                try page.write(toFile: html, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(exitCode: 2, message: "cannot write \(html): \(error.localizedDescription); check the path")
            }
            print("wrote \(html): \(input.spec.policy.gates.count) gate charts, \(input.evaluations.count) evaluations, "
                + "\(input.events.count) events")
        }
    }
}
