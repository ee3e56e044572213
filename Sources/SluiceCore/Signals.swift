/// One observed value of a signal at a time (seconds on the controller's clock).
public struct SignalSample: Sendable, Equatable, Codable {
    public var at: Double
    public var value: Double

    public init(at: Double, value: Double) {
        self.at = at
        self.value = value
    }
}

/// Where health signals come from: a recording, the simulator, Prometheus.
///
/// A thrown error means the source could not be read; the gate treats it as no data, never as healthy.
public protocol SignalSource: Sendable {
    /// The samples of `signal` for `cluster` with `from <= at <= through`, oldest first.
    func samples(cluster: String, signal: String, from: Double, through: Double) async throws -> [SignalSample]
}

/// The signals read for one cluster over the windows the policy needs, or why they could not be read.
public struct ClusterSignals: Sendable, Equatable {
    public var cluster: String
    /// Samples by signal name; a missing key is a signal that was not read.
    public var samples: [String: [SignalSample]]
    /// Why a signal could not be read (source unreachable, bad response), by signal name.
    public var errors: [String: String]

    public init(cluster: String, samples: [String: [SignalSample]] = [:], errors: [String: String] = [:]) {
        self.cluster = cluster
        self.samples = samples
        self.errors = errors
    }
}

extension SignalSource {
    /// Reads every signal `policy` needs for `cluster` over the widest window any gate asks for, ending at `now`.
    public func read(policy: GatePolicy, cluster: String, now: Double) async -> ClusterSignals {
        var signals = ClusterSignals(cluster: cluster)
        for name in policy.signalNames {
            let from = now - max(policy.windowSeconds(of: name), policy.maxSampleAgeSeconds)
            do {
                signals.samples[name] = try await samples(cluster: cluster, signal: name, from: from, through: now)
            } catch {
                signals.errors[name] = "\(error)"
            }
        }
        return signals
    }
}

extension Array where Element == SignalSample {
    /// The samples with `from <= at <= through`, found by binary search: samples must be oldest first.
    public func window(from: Double, through: Double) -> ArraySlice<SignalSample> {
        let start = boundary { $0.at >= from }
        let end = boundary { $0.at > through }
        return start < end ? self[start..<end] : []
    }

    /// The first index whose sample satisfies `isPast`, which is false then true along the array.
    private func boundary(_ isPast: (SignalSample) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if isPast(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
