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
            let window = policy.gates.filter { $0.signal == name }.map(\.windowSeconds).max() ?? 0
            let from = now - max(window, policy.maxSampleAgeSeconds)
            do {
                signals.samples[name] = try await samples(cluster: cluster, signal: name, from: from, through: now)
            } catch {
                signals.errors[name] = "\(error)"
            }
        }
        return signals
    }
}
