import FleetSimulator
import SluiceBenchSupport
import SluiceController
import SluiceCore
import SluiceManifests
import SluiceSimulation
import SluiceStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--daemon-pass`: the daemon's passes over the incident fleet's shapes, simulated and wired as
/// `sluiced --simulate FLEET --virtual-step S` wires them: the same `SimulatedFleet`, driver, signal source and
/// clock, a database file, the fleet moved `stepSeconds` after each pass.
///
/// The rollout sends a harmless agent to every cluster under `policyPath`, ten clusters at a time, so passes read
/// signals, evaluate gates and act as a daemon in the middle of a long rollout does.
struct DaemonPassBench {
    var clusters: Int
    var passes: Int
    var stepSeconds: Double
    var seed: UInt64
    var policyPath: String

    /// A pass's wall time, the CPU time the process spent in it, and the process's memory after it.
    struct PassSample {
        var milliseconds: Double
        var cpuMilliseconds: Double
        var residentMegabytes: Double
    }

    func run() async throws {
        let fleet = Fleet(
            name: "bench",
            clusters: incidentFleet(clusters: clusters, scale: 1).map {
                FleetCluster(name: $0.name, nodeCount: $0.nodeCount, apiservers: $0.apiserverCount)
            })
        let spec = try rolloutSpec(fleet: fleet, policy: PolicyManifest.load(policyPath))
        let folder = "/tmp/sluice-sim-bench-\(getpid())"
        mkdir(folder, 0o700)
        defer { _ = system("rm -rf '\(folder)'") }
        let store = try SluiceStore(path: folder + "/bench.db")
        try store.submit(spec: spec, planPath: "(bench)", actor: "bench", now: 0)

        let simulated = SimulatedFleet(fleet: fleet, seed: seed)
        let clock = SimulationClock(fleet: simulated)
        let controller = RolloutController(
            store: store, driver: SimulatorDriver(fleet: simulated), signals: SimulatorSignalSource(fleet: simulated),
            clock: clock, owner: "bench", nodeDirect: SimulatorDriver(fleet: simulated, path: .nodeDirect))
        print(
            "daemon passes: \(clusters) simulated clusters, \(passes) passes, \(formatted(stepSeconds, decimals: 0)) "
                + "virtual seconds after each, policy \(spec.policy.name)")
        let wall = ContinuousClock()
        var samples: [PassSample] = []
        for _ in 0..<passes {
            let start = wall.now
            let cpuStart = Self.processCPUMilliseconds()
            _ = try await controller.reconcileOnce()
            await simulated.advance(by: stepSeconds)
            samples.append(
                PassSample(
                    milliseconds: Timing.milliseconds(wall.now - start),
                    cpuMilliseconds: Self.processCPUMilliseconds() - cpuStart,
                    residentMegabytes: residentMegabytes(field: "VmRSS:") ?? 0))
        }
        report(samples, phase: try store.rollout(named: spec.name)?.status.phase.rawValue ?? "?")
    }

    /// One wave over every cluster, ten at a time, 1 % then the rest of the nodes; bakes long enough for the policy.
    func rolloutSpec(fleet: Fleet, policy: GatePolicy) throws -> RolloutSpec {
        let plan = RolloutPlan(
            name: "bench", artifact: ArtifactRef(name: "agent", version: "2", apiProfile: "node-scoped-pod-list"),
            fleetPath: "(bench)", policyName: policy.name,
            waves: [
                WavePlan(
                    name: "all", clusters: .names(fleet.clusters.map(\.name)), maxConcurrentClusters: 10,
                    nodeBatches: [.percent(1), .percent(100)], bakeBetweenBatchesSeconds: 300,
                    bakeAfterClusterSeconds: 1500)
            ])
        switch RolloutSpec.resolve(plan: plan, fleet: fleet, policy: policy) {
        case .success(let spec): return spec
        case .failure(let failure): throw BenchError(failure.issues.map { "\($0)" }.joined(separator: "; "))
        }
    }

    func report(_ samples: [PassSample], phase: String) {
        func summary(_ values: [Double]) -> String {
            let sorted = values.sorted()
            func percentile(_ share: Double) -> Double {
                sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
            }
            return "median \(formatted(percentile(0.5), decimals: 2)), p90 \(formatted(percentile(0.9), decimals: 2)), "
                + "max \(formatted(sorted.last ?? 0, decimals: 2))"
        }
        print("wall ms per pass: \(summary(samples.map(\.milliseconds))) (pass = reconcile + advance)")
        print("CPU ms per pass: \(summary(samples.map(\.cpuMilliseconds))) (all threads of the process)")
        let quarters = [0.25, 0.5, 0.75, 1].map { share in
            samples[max(0, Int(Double(samples.count) * share) - 1)].residentMegabytes
        }
        print("RSS after 1/4, 1/2, 3/4, all passes: " + quarters.map { "\(formatted($0)) MB" }.joined(separator: ", "))
        print("peak RSS (VmHWM): \(residentMegabytes(field: "VmHWM:").map { formatted($0) } ?? "?") MB")
        print("rollout phase at the end: \(phase)")
    }

    /// CPU time of the whole process so far: what a pass costs whatever else the machine runs.
    static func processCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }
}

