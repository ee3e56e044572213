/// Where health signals come from: a recording, the simulator, Prometheus.
///
/// A thrown error means the source could not be read; the gate treats it as no data, never as healthy.
public protocol SignalSource: Sendable {
    /// The samples of `signal` for `cluster` with `from <= at <= through`, oldest first.
    func samples(cluster: String, signal: String, from: Double, through: Double) async throws -> [SignalSample]

    /// The same for a rollout of `artifact`: a source whose queries name the artifact's own series (its FlowSchema,
    /// its DaemonSet) reads those. Others ignore the artifact.
    func samples(cluster: String, artifact: String, signal: String, from: Double, through: Double) async throws
        -> [SignalSample]
}

extension SignalSource {
    public func samples(cluster: String, artifact: String, signal: String, from: Double, through: Double) async throws
        -> [SignalSample]
    {
        try await samples(cluster: cluster, signal: signal, from: from, through: through)
    }
}
