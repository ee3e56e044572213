import Foundation

/// Wall-clock measurements for the benchmarks, in milliseconds.
public enum Timing {
    public static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    public static func milliseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
        milliseconds(end - start)
    }

    public static func median(of samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// How long `body` takes once.
    public static func once(_ body: () throws -> Void) throws -> Double {
        milliseconds(try ContinuousClock().measure(body))
    }

    /// The median of `repeats` timings of `body`.
    public static func median(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        median(of: try (0..<max(1, repeats)).map { _ in try once(body) })
    }

    /// The median of `repeats` timings of `body`.
    public static func median(_ repeats: Int, _ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) { samples.append(milliseconds(try await ContinuousClock().measure(body))) }
        return median(of: samples)
    }
}

/// Programs run to their end with their output thrown away.
public enum Spawn {
    /// Runs `program` with `arguments`; throws unless it exits 0 (or `acceptingFailure`).
    public static func run(_ program: String, _ arguments: [String], acceptingFailure: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 || acceptingFailure else {
            throw BenchError("\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }

    /// The median time of a bare spawn of `/bin/true`: the baseline a command's time is compared with.
    public static func baselineMilliseconds(repeats: Int) throws -> Double {
        try Timing.median(repeats) { try run("/bin/true", []) }
    }

    /// The release executable `name` beside the running benchmark (both are built into the same folder).
    public static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
