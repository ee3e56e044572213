import Foundation
import SluiceTestSupport
import Testing

/// The shipped alerting rules for sluiced's own metrics, checked and unit-tested by promtool.
@Suite("Examples/prometheus/sluice-alerts.yaml")
struct AlertRulesTests {
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/prometheus/sluice-alerts.yaml").path

    /// promtool's own rule tests: a halted rollout, stale signals and a lost lease page; healthy series do not.
    static let unitTests = """
        rule_files: [RULES]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'sluice_rollouts{job="sluiced",phase="halted"}'
                values: '0 0 1 1 1 1'
              - series: 'sluice_signal_age_seconds{job="sluiced",signal="apiserver_429_ratio"}'
                values: '30 30 900 900 900 900 900 900 900 900'
              - series: 'sluice_signal_age_seconds{job="sluiced",signal="dns_servfail_ratio"}'
                values: '30 30 30 30 30 30 30 30 30 30'
              - series: 'sluice_lease_held{job="sluiced",instance="a"}'
                values: '1 1 0 0 0 0 0'
              - series: 'up{job="sluiced",instance="a"}'
                values: '1 1 1 1 1 1 1 1'
            alert_rule_test:
              - eval_time: 1m
                alertname: SluiceRolloutHalted
                exp_alerts: []
              - eval_time: 4m
                alertname: SluiceRolloutHalted
                exp_alerts:
                  - exp_labels: {severity: page}
                    exp_annotations:
                      summary: "a rollout halted: `sluice list`, then `sluice explain ROLLOUT` says which gate and number"
              - eval_time: 8m
                alertname: SluiceSignalsStale
                exp_alerts:
                  - exp_labels: {severity: ticket, signal: apiserver_429_ratio}
                    exp_annotations:
                      summary: "apiserver_429_ratio is 15m 0s old on at least one cluster: gates will halt on no data"
              - eval_time: 5m
                alertname: SluiceNoLeaseHolder
                exp_alerts:
                  - exp_labels: {severity: page}
                    exp_annotations:
                      summary: "no sluiced holds the lease: every replica stands by or fails its passes"
                      runbook: "check /readyz of each replica and the database volume"
              - eval_time: 7m
                alertname: SluicedDown
                exp_alerts: []
        """

    @Test(
        "The rules load, and promtool's tests see them fire on a halt, stale signals and a lost lease, and not before",
        .enabled(if: FileManager.default.isExecutableFile(atPath: RealPrometheusTests.promtool)))
    func rulesFireWhenTheyShould() async throws {
        let check = try await ChildProcess.run(RealPrometheusTests.promtool, ["check", "rules", Self.rules])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 6 rules found"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let test = folder.appendingPathComponent("alerts-test.yaml")
        try Self.unitTests.replacingOccurrences(of: "RULES", with: Self.rules).write(to: test, atomically: true, encoding: .utf8)
        let run = try await ChildProcess.run(RealPrometheusTests.promtool, ["test", "rules", test.path])
        #expect(run.status == 0, "\(run.output)")
    }
}
