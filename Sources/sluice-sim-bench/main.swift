// Benchmark: the December 2024 incident fleet for hours of virtual time.
//
//     swift run -c release sluice-sim-bench [--hours H] [--clusters N] [--scale S]
//                                           [--revert-at-minutes M | --no-revert]
//     swift run -c release sluice-sim-bench --daemon-pass [--clusters N] [--passes P] [--step S] [--policy FILE]
//
// About 200 clusters of 50 to 7,500 nodes (≈200,000 nodes), many small and few large; the cluster-wide pod LIST
// agent is rolled out to every cluster through the control-plane path within the first 30 virtual minutes, in a
// fixed shuffled order; at minute 100 (like the first recoveries) it is stopped everywhere through the node-direct
// path. Prints wall time, speed-up over real time, peak RSS and what happened to the fleet.
//
// With --daemon-pass: the daemon's passes over 1,000 simulated clusters of the same shapes (DaemonPassBench.swift).

import FleetSimulator

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The benchmark's options, parsed by hand.
struct BenchOptions {
    var hours = 4.0
    var clusters: Int?
    var scale = 1.0
    var revertAtMinutes: Double? = 100
    var seed: UInt64 = 2024_12_11
    var calibrationTable = false
    var daemonPass = false
    var passes = 240
    var stepSeconds = 30.0
    var policyPath = "Policies/control-plane-safe.yaml"
    /// Threads stepping the clusters: the machine's cores unless given.
    var workers = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// Parses `arguments` (without the program name); returns nil and prints the problem when one is wrong.
    static func parse(_ arguments: [String]) -> BenchOptions? {
        var options = BenchOptions()
        var index = 0
        func value(_ flag: String) -> Double? {
            index += 1
            guard index < arguments.count, let number = Double(arguments[index]), number > 0 else {
                print("sluice-sim-bench: \(flag) needs a positive number")
                return nil
            }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--hours":
                guard let hours = value("--hours") else { return nil }
                options.hours = hours
            case "--clusters":
                guard let count = value("--clusters") else { return nil }
                options.clusters = Int(count)
            case "--scale":
                guard let scale = value("--scale") else { return nil }
                options.scale = scale
            case "--revert-at-minutes":
                guard let minutes = value("--revert-at-minutes") else { return nil }
                options.revertAtMinutes = minutes
            case "--no-revert": options.revertAtMinutes = nil
            case "--calibration-table": options.calibrationTable = true
            case "--daemon-pass": options.daemonPass = true
            case "--passes":
                guard let passes = value("--passes") else { return nil }
                options.passes = Int(passes)
            case "--step":
                guard let step = value("--step") else { return nil }
                options.stepSeconds = step
            case "--policy":
                index += 1
                guard index < arguments.count else {
                    print("sluice-sim-bench: --policy needs a policy file")
                    return nil
                }
                options.policyPath = arguments[index]
            case "--workers":
                guard let workers = value("--workers") else { return nil }
                options.workers = Int(workers)
            case "--seed":
                guard let seed = value("--seed") else { return nil }
                options.seed = UInt64(seed)
            case "--help", "-h":
                print(
                    """
                    usage: sluice-sim-bench [--hours H] [--clusters N] [--scale S] [--revert-at-minutes M | --no-revert]
                                           [--workers W]
                      --hours H              virtual hours to simulate (default 4)
                      --clusters N           clusters in the fleet (default 200, sizes 50 to 7,500 nodes)
                      --scale S              multiply every cluster's node count by S (default 1)
                      --revert-at-minutes M  stop the agent everywhere through the node-direct path (default 100)
                      --no-revert            never stop it
                      --workers W            threads stepping the clusters (default: the machine's cores; same results)
                      --calibration-table    print the single-cluster calibration table of docs/simulator.md instead
                    usage: sluice-sim-bench --daemon-pass [--clusters N] [--passes P] [--step S] [--policy FILE]
                      --daemon-pass          time the daemon's passes over a simulated fleet (default 1,000 clusters)
                      --passes P             passes to time (default 240)
                      --step S               virtual seconds the fleet moves after each pass (default 30)
                      --policy FILE          the rollout's gate policy (default Policies/control-plane-safe.yaml)
                    """)
                return nil
            default:
                print("sluice-sim-bench: unknown option \(arguments[index]); try --help")
                return nil
            }
            index += 1
        }
        guard (options.clusters ?? 1) >= 1, options.passes >= 1 else {
            print("sluice-sim-bench: --clusters and --passes must be at least 1")
            return nil
        }
        return options
    }
}

/// Cluster sizes from 50 to 7,500 nodes, log-skewed so most clusters are small: `50 × 150^((i / (n − 1))^1.7)`.
func incidentFleet(clusters: Int, scale: Double) -> [SimulatedClusterSpec] {
    (0..<clusters).map { index in
        let position = clusters > 1 ? Double(index) / Double(clusters - 1) : 1
        let nodes = max(1, Int((50 * pow(150, pow(position, 1.7)) * scale).rounded()))
        let apiservers = nodes < 100 ? 1 : (nodes < 5_000 ? 3 : 5)
        return SimulatedClusterSpec(name: "cluster-\(index)", nodeCount: nodes, apiserverCount: apiservers)
    }
}

/// One memory figure of this process from /proc/self/status (`VmHWM:` peak, `VmRSS:` now), in megabytes, or nil
/// where /proc is not available.
func residentMegabytes(field: String) -> Double? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field) {
            let digits = text.filter(\.isNumber)
            return Double(digits).map { $0 / 1024 }
        }
    }
    return nil
}

func formatted(_ value: Double, decimals: Int = 1) -> String {
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    let rounded = (value * factor).rounded() / factor
    return decimals == 0 ? String(Int(rounded)) : String(rounded)
}

/// One row of the calibration table: one cluster, `profile` started on `share` of its nodes at time 0 (node-direct),
/// 30 virtual minutes, seed 1.
func calibrationRow(
    nodes: Int, apiservers: Int, profile: AgentAPIProfile, share: Double = 1, label: String? = nil,
    adjust: (inout SimulationParameters) -> Void = { _ in }
) -> String {
    var parameters = SimulationParameters.default
    adjust(&parameters)
    var simulation = FleetSimulation(
        clusters: [SimulatedClusterSpec(name: "c", nodeCount: nodes, apiserverCount: apiservers)],
        parameters: parameters, seed: 1)
    _ = simulation.nodeDirect(
        cluster: "c", nodeIndices: 0..<Int(Double(nodes) * share), enable: true, profile: profile)
    var seatShares: [Double] = []
    var listP99: Double?
    var ratio429: Double?
    for scrape in 1...120 {
        simulation.advance(toSeconds: Double(scrape) * 15)
        let signals = simulation.signals(cluster: "c")
        if scrape * 15 >= 180, let seats = signals["agent_api_seats"], let limit = signals["apf_seats_limit"] {
            seatShares.append(seats / limit)
        }
        if let value = signals["apiserver_list_latency_p99_seconds"] { listP99 = max(listP99 ?? 0, value) }
        if let value = signals["apiserver_429_ratio"] { ratio429 = max(ratio429 ?? 0, value) }
    }
    let truth = simulation.groundTruth(cluster: "c")
    let seatShare =
        seatShares.isEmpty ? "–" : formatted(seatShares.reduce(0, +) / Double(seatShares.count), decimals: 3)
    let cells = [
        String(nodes), String(apiservers), label ?? profile.name, String(share), seatShare,
        listP99.map { formatted($0) } ?? "–", ratio429.map { formatted($0, decimals: 2) } ?? "–",
        formatted(truth.degradedSeconds, decimals: 0), formatted(truth.downSeconds, decimals: 0),
        formatted(truth.dnsFailureSeconds, decimals: 0), String(truth.apiserverOOMKills),
        formatted(truth.peakMemoryUtilization, decimals: 2),
    ]
    return "| " + cells.joined(separator: " | ") + " |"
}

/// Prints the calibration table of docs/simulator.md.
func printCalibrationTable() {
    print(
        "| nodes | apiservers | profile | share of nodes | agent seats / limit | max LIST p99 s | max 429 ratio "
            + "| degraded s | down s | DNS-fail s | OOM kills | peak memory |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    let bad = AgentAPIProfile.listAllPodsEveryMinute
    for (nodes, apiservers) in [(50, 1), (300, 3), (500, 1), (1_000, 3), (2_000, 3), (3_000, 3), (4_000, 3)] {
        print(calibrationRow(nodes: nodes, apiservers: apiservers, profile: bad))
    }
    for (nodes, apiservers) in [(4_500, 3), (5_000, 3), (5_000, 5), (7_500, 5)] {
        print(calibrationRow(nodes: nodes, apiservers: apiservers, profile: bad))
    }
    for share in [0.01, 0.015, 0.02] { print(calibrationRow(nodes: 7_500, apiservers: 5, profile: bad, share: share)) }
    for (nodes, apiservers) in [(50, 1), (3_000, 3), (7_500, 5)] {
        print(calibrationRow(nodes: nodes, apiservers: apiservers, profile: .nodeScopedList))
    }
    print(calibrationRow(nodes: 3_000, apiservers: 3, profile: .listAllPodsExempt))
    print(calibrationRow(nodes: 3_000, apiservers: 3, profile: .listAllPodsWithNodeCredentials))
    print(calibrationRow(nodes: 1_000, apiservers: 3, profile: .listAllPodsInStep))
    print(
        calibrationRow(nodes: 3_000, apiservers: 3, profile: bad, label: "cluster-wide-pod-list, APF off") {
            $0.apfEnabled = false
        })
}

guard let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else { exit(2) }
if options.calibrationTable {
    printCalibrationTable()
    exit(0)
}
if options.daemonPass {
    let bench = DaemonPassBench(
        clusters: options.clusters ?? 1_000, passes: options.passes, stepSeconds: options.stepSeconds,
        seed: options.seed, policyPath: options.policyPath)
    do {
        try await bench.run()
        exit(0)
    } catch {
        print("sluice-sim-bench: \(error)")
        exit(1)
    }
}
let specs = incidentFleet(clusters: options.clusters ?? 200, scale: options.scale)
let totalNodes = specs.reduce(0) { $0 + $1.nodeCount }
let profile = AgentAPIProfile.listAllPodsEveryMinute
let rolloutSeconds = 30.0 * 60
let endSeconds = options.hours * 3600

// A fixed shuffled order of the clusters for the rollout.
var order = Array(specs.indices)
var generator = SplitMix64(seed: options.seed)
order.shuffle(using: &generator)
var rolloutAtSeconds = [Double](repeating: 0, count: specs.count)
for (position, clusterIndex) in order.enumerated() {
    rolloutAtSeconds[clusterIndex] = (rolloutSeconds * Double(position) / Double(specs.count)).rounded()
}
var rolloutEvents = specs.indices.sorted { (rolloutAtSeconds[$0], $0) < (rolloutAtSeconds[$1], $1) }

print(
    "fleet: \(specs.count) clusters, \(totalNodes) nodes (\(specs.first?.nodeCount ?? 0) to "
        + "\(specs.map(\.nodeCount).max() ?? 0) per cluster); \(formatted(options.hours)) virtual hours; "
        + "\(options.workers) worker\(options.workers == 1 ? "" : "s")")
let clock = ContinuousClock()
let setupStart = clock.now
var simulation = FleetSimulation(clusters: specs, seed: options.seed)
simulation.stepWorkers = options.workers
let setupDuration = clock.now - setupStart

let runStart = clock.now
var nextEvent = 0
var reverted = false
var nowSeconds = 0.0
while nowSeconds < endSeconds {
    var target = min(endSeconds, nowSeconds + 60)
    if nextEvent < rolloutEvents.count { target = min(target, rolloutAtSeconds[rolloutEvents[nextEvent]]) }
    if let revert = options.revertAtMinutes, !reverted { target = min(target, revert * 60) }
    if target > nowSeconds {
        simulation.advance(toSeconds: target)
        nowSeconds = target
    }
    while nextEvent < rolloutEvents.count && rolloutAtSeconds[rolloutEvents[nextEvent]] <= nowSeconds {
        let spec = specs[rolloutEvents[nextEvent]]
        _ = simulation.submitControlPlaneChange(
            cluster: spec.name, nodeIndices: 0..<spec.nodeCount, enable: true, profile: profile,
            deadlineSeconds: 3600)
        nextEvent += 1
    }
    if let revert = options.revertAtMinutes, !reverted, nowSeconds >= revert * 60 {
        for spec in specs {
            _ = simulation.nodeDirect(
                cluster: spec.name, nodeIndices: 0..<spec.nodeCount, enable: false, profile: profile)
        }
        reverted = true
    }
}
let runDuration = clock.now - runStart
let wallSeconds = Double(runDuration.components.seconds) + Double(runDuration.components.attoseconds) * 1e-18
let setupSeconds = Double(setupDuration.components.seconds) + Double(setupDuration.components.attoseconds) * 1e-18

// Summary.
var degradedClusters = 0
var downClusters = 0
var dnsClusters = 0
var degradedHours = 0.0
var dnsHours = 0.0
var firstImpact = Double.infinity
var firstDns = Double.infinity
var stillDegraded = 0
var apiserversBackAt = 0.0
var dnsBackAt = 0.0
var smallestDegraded = Int.max
var largestUnharmed = 0
var peakAgentNodes = 0
for spec in specs {
    let truth = simulation.groundTruth(cluster: spec.name)
    peakAgentNodes += truth.peakAgentNodes
    if truth.degradedSeconds > 0 {
        degradedClusters += 1
        smallestDegraded = min(smallestDegraded, spec.nodeCount)
    } else {
        largestUnharmed = max(largestUnharmed, spec.nodeCount)
    }
    if truth.downSeconds > 0 { downClusters += 1 }
    if truth.dnsFailureSeconds > 0 { dnsClusters += 1 }
    degradedHours += truth.degradedSeconds / 3600
    dnsHours += truth.dnsFailureSeconds / 3600
    if let first = truth.firstDegradedAtSeconds { firstImpact = min(firstImpact, first) }
    if let first = truth.firstDnsFailureAtSeconds { firstDns = min(firstDns, first) }
    if truth.isDegradedNow || truth.isDnsFailingNow { stillDegraded += 1 }
    apiserversBackAt = max(apiserversBackAt, truth.lastDegradedAtSeconds ?? 0)
    dnsBackAt = max(dnsBackAt, truth.lastDnsFailureAtSeconds ?? 0)
}
let steps = endSeconds / SimulationParameters.default.stepSeconds
let clusterSteps = steps * Double(specs.count)
print("wall seconds: \(formatted(wallSeconds, decimals: 3)) (setup \(formatted(setupSeconds, decimals: 3)))")
print("speed-up over real time: \(formatted(endSeconds / wallSeconds, decimals: 0))x")
print(
    "cost: \(formatted(wallSeconds / clusterSteps * 1e9, decimals: 0)) ns per cluster-step "
        + "(\(Int(clusterSteps)) cluster-steps)"
)
if let megabytes = residentMegabytes(field: "VmHWM:") {
    print("peak RSS (VmHWM): \(formatted(megabytes)) MB")
} else {
    print("peak RSS: unavailable (no /proc/self/status)")
}
print("rollout: \(peakAgentNodes) of \(totalNodes) nodes ran the agent at their peak")
print(
    "harm: \(degradedClusters) clusters degraded (smallest \(smallestDegraded == .max ? 0 : smallestDegraded) nodes; "
        + "largest unharmed \(largestUnharmed) nodes), \(downClusters) down, \(dnsClusters) with DNS failures")
print(
    "first degraded at \(firstImpact.isFinite ? formatted(firstImpact / 60) : "-") min, first DNS failure at "
        + "\(firstDns.isFinite ? formatted(firstDns / 60) : "-") min; "
        + "degraded cluster-hours \(formatted(degradedHours)), "
        + "DNS-failure cluster-hours \(formatted(dnsHours))")
if let revert = options.revertAtMinutes {
    print(
        "node-direct revert at minute \(formatted(revert, decimals: 0)); last degraded step at minute "
            + "\(formatted(apiserversBackAt / 60)), last DNS failure at minute \(formatted(dnsBackAt / 60)); "
            + "still degraded at the end: \(stillDegraded)")
} else {
    print("no revert; still degraded at the end: \(stillDegraded)")
}
