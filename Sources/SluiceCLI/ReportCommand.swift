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
            reverted, bakes, the daemon's and people's decisions), a chart per gate that breached, lacked data or \
            came within 20 % of its bound (observed values per cluster against the threshold) and one table row per \
            gate that passed throughout, the decisions with who made them and why, and the full event log. Charts \
            are on the controller's clock (UTC, or T+ in virtual time); tables give each event's wall time (RFC \
            3339 UTC). Works while sluiced is down.
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
            let page = RolloutReport.page(input)
            do {
                try page.html.write(toFile: html, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(exitCode: 2, message: "cannot write \(html): \(error.localizedDescription); check the path")
            }
            let charted = page.chartedGates.count
            let folded = input.spec.policy.gates.count - charted
            print("wrote \(html): \(charted) gate charts, \(counted(folded, "gate")) passed throughout, "
                + "\(input.evaluations.count) evaluations, \(input.events.count) events")
        }
    }
}
