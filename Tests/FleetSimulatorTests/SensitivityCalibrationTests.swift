import FleetSimulator
import Testing

/// Calibration 4: the parameters the reference says matter change the outcome the way it says.
@Suite("Sensitivity to the DNS horizon, APF and the agent's identity")
struct SensitivityCalibrationTests {
    @Test("the DNS cache horizon moves the onset and the peak of DNS failures")
    func dnsHorizon() throws {
        var results: [Double: (onset: Double, peak: Double)] = [:]
        for horizon in [600.0, 1_200, 2_400] {
            var parameters = SimulationParameters.default
            parameters.dnsCacheHorizonSeconds = horizon
            var scenario = SimulationScenario(nodes: 7_500, apiservers: 5, parameters: parameters)
            scenario.run(toSeconds: horizon + 600, sampleEverySeconds: 300)
            let truth = scenario.truth
            let lost = try #require(truth.firstDownAtSeconds)
            let onset = try #require(truth.firstDnsFailureAtSeconds) - lost
            let peak = try #require(truth.peakDnsFailureAtSeconds) - lost
            #expect(abs(peak - horizon) < 0.1 * horizon, "horizon \(horizon) s: peak \(peak) s after the loss")
            results[horizon] = (onset, peak)
        }
        let short = try #require(results[600])
        let reference = try #require(results[1_200])
        let long = try #require(results[2_400])
        #expect(short.onset < reference.onset && reference.onset < long.onset)
        #expect(short.peak < reference.peak && reference.peak < long.peak)
    }

    @Test("APF on confines the flood to workload-low; off, the max-inflight pool lets it kill the apiservers")
    func apfOnVersusOff() throws {
        var withAPF = SimulationScenario(nodes: 3_000, apiservers: 3)
        withAPF.run(toSeconds: 1_200, sampleEverySeconds: 60)
        var parameters = SimulationParameters.default
        parameters.apfEnabled = false
        var withoutAPF = SimulationScenario(nodes: 3_000, apiservers: 3, parameters: parameters)
        withoutAPF.run(toSeconds: 1_200, sampleEverySeconds: 60)

        let on = withAPF.truth
        let off = withoutAPF.truth
        // With APF the agent is throttled (429s) but the kubelets and the cluster keep working.
        #expect(on.peak429Ratio > 0.1)
        #expect(on.kubeletImpairedSeconds == 0)
        #expect(on.degradedSeconds == 0)
        #expect(on.apiserverOOMKills == 0)
        // Without it the agent's LISTs fill the shared pool and the apiservers' memory.
        #expect(off.apiserverOOMKills > 0)
        #expect(try #require(off.firstKubeletImpairedAtSeconds) < 120)
        #expect(off.kubeletImpairedSeconds > 300)
        #expect(off.degradedSeconds > 600)
        // The apf_* metrics do not exist without APF.
        #expect(withoutAPF.samples.allSatisfy { $0.signals[SimulatedSignal.apfSeatsInUse.rawValue] == nil })
        #expect(withAPF.samples.allSatisfy { $0.signals[SimulatedSignal.apfSeatsInUse.rawValue] != nil })
    }

    @Test("an exempt agent is worse than one under a service account: no limit at all")
    func exemptVersusServiceAccount() throws {
        var serviceAccount = SimulationScenario(nodes: 3_000, apiservers: 3, profile: .listAllPodsEveryMinute)
        serviceAccount.run(toSeconds: 1_200, sampleEverySeconds: 60)
        var exempt = SimulationScenario(nodes: 3_000, apiservers: 3, profile: .listAllPodsExempt)
        exempt.run(toSeconds: 1_200, sampleEverySeconds: 60)
        #expect(serviceAccount.truth.degradedSeconds == 0)
        #expect(exempt.truth.degradedSeconds > 600)
        #expect(exempt.truth.downSeconds > 0)
        #expect(exempt.truth.peakMemoryUtilization > serviceAccount.truth.peakMemoryUtilization)
        // The exempt agent is never rejected: it hurts through memory and CPU, not through 429s.
        #expect(exempt.truth.agentRequestsRejected == 0)
        #expect(serviceAccount.truth.agentRequestsRejected > 0)
    }

    @Test("CPU contention from an exempt agent hurts every level, even with memory to spare")
    func cpuStretchHurtsAllLevels() throws {
        var parameters = SimulationParameters.default
        parameters.apiserverMemoryBytes = 10e12
        var exempt = SimulationScenario(
            nodes: 3_000, apiservers: 3, profile: .listAllPodsExempt, parameters: parameters)
        exempt.run(toSeconds: 600, sampleEverySeconds: 60)
        var serviceAccount = SimulationScenario(nodes: 3_000, apiservers: 3, parameters: parameters)
        serviceAccount.run(toSeconds: 600, sampleEverySeconds: 60)
        #expect(exempt.truth.apiserverOOMKills == 0)
        #expect(exempt.truth.peakCPUStretch > 10)
        #expect(exempt.truth.degradedSeconds > 300)
        #expect(serviceAccount.truth.peakCPUStretch < 2)
        #expect(serviceAccount.truth.degradedSeconds == 0)
    }

    @Test("node credentials put the agent next to the kubelets' own requests in `system`")
    func nodeCredentials() throws {
        var scenario = SimulationScenario(nodes: 3_000, apiservers: 3, profile: .listAllPodsWithNodeCredentials)
        scenario.run(toSeconds: 900, sampleEverySeconds: 60)
        // The kubelets' pod status writes queue behind the agent: mutating latency climbs past the SLO...
        #expect(scenario.truth.degradedSeconds > 300)
        #expect(try #require(scenario.maximum(.mutatingLatencyP99Seconds)) > 1)
        // ...while their node leases, in node-high, still get through.
        #expect(scenario.truth.kubeletImpairedSeconds == 0)
    }
}
