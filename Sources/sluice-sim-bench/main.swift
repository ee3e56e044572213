// Benchmark: the December 2024 incident fleet for hours of virtual time.
//
//     swift run -c release sluice-sim-bench [--hours H] [--clusters N] [--scale S]
//                                           [--revert-at-minutes M | --no-revert]
//
// About 200 clusters of 50 to 7,500 nodes (≈200,000 nodes), many small and few large; the cluster-wide pod LIST
// agent is rolled out to every cluster through the control-plane path within the first 30 virtual minutes, in a
// fixed shuffled order; at minute 100 (like the first recoveries) it is stopped everywhere through the node-direct
// path. Prints wall time, speed-up over real time, peak RSS and what happened to the fleet.

import FleetSimulator

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The benchmark's options, parsed by hand (the benchmark depends on nothing but FleetSimulator).
struct BenchOptions {
    var hours = 4.0
    var clusters = 200
    var scale = 1.0
    var revertAtMinutes: Double? = 100
    var seed: UInt64 = 2024_12_11

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
            case "--seed":
                guard let seed = value("--seed") else { return nil }
                options.seed = UInt64(seed)
            case "--help", "-h":
                print(
                    """
                    usage: sluice-sim-bench [--hours H] [--clusters N] [--scale S] [--revert-at-minutes M | --no-revert]
                      --hours H              virtual hours to simulate (default 4)
                      --clusters N           clusters in the fleet (default 200, sizes 50 to 7,500 nodes)
                      --scale S              multiply every cluster's node count by S (default 1)
                      --revert-at-minutes M  stop the agent everywhere through the node-direct path (default 100)
                      --no-revert            never stop it
                    """)
                return nil
            default:
                print("sluice-sim-bench: unknown option \(arguments[index]); try --help")
                return nil
            }
            index += 1
        }
        guard options.clusters >= 1 else {
            print("sluice-sim-bench: --clusters must be at least 1")
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

/// Peak resident memory of this process (VmHWM), in megabytes, or nil where /proc is not available.
func peakResidentMegabytes() -> Double? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
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

guard let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else { exit(2) }
let specs = incidentFleet(clusters: options.clusters, scale: options.scale)
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
        + "\(specs.map(\.nodeCount).max() ?? 0) per cluster); \(formatted(options.hours)) virtual hours")
let clock = ContinuousClock()
let setupStart = clock.now
var simulation = FleetSimulation(clusters: specs, seed: options.seed)
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
if let megabytes = peakResidentMegabytes() {
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
