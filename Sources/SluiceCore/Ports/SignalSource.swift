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

    /// Every one of `reads` for `cluster`, in a rollout of `artifact`, each window ending at `now`: the samples of
    /// each signal, or why it could not be read. By default one `samples` call per signal; a source that can answer
    /// them all at once (the simulator, in one call to its actor) does so.
    func read(_ reads: [SignalRead], cluster: String, artifact: String, now: Double) async -> ClusterSignals
}

extension SignalSource {
    public func samples(cluster: String, artifact: String, signal: String, from: Double, through: Double) async throws
        -> [SignalSample]
    {
        try await samples(cluster: cluster, signal: signal, from: from, through: through)
    }
}

extension SignalSource {
    public func read(_ reads: [SignalRead], cluster: String, artifact: String, now: Double) async -> ClusterSignals {
        await readEach(reads, cluster: cluster, artifact: artifact, now: now)
    }

    /// `read(_:cluster:artifact:now:)` one signal at a time: the default, and what a source's own version must equal.
    public func readEach(
        _ reads: [SignalRead], cluster: String, artifact: String, now: Double
    ) async -> ClusterSignals {
        var signals = ClusterSignals(cluster: cluster)
        for read in reads {
            do {
                signals.samples[read.signal] = try await samples(
                    cluster: cluster, artifact: artifact, signal: read.signal, from: now - read.seconds, through: now)
            } catch {
                signals.errors[read.signal] = "\(error)"
            }
        }
        return signals
    }
}
