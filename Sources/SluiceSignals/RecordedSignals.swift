import Foundation
public import SluiceCore

/// Signals replayed from a recording (CSV or JSON Lines of timestamp, cluster, signal, value).
///
/// Timestamps are seconds on the controller's clock once `offsetSeconds` is added: virtual seconds in a virtual-time
/// run, Unix seconds when replaying live. A `NaN` or empty value is kept as NaN, which gates treat as no data. A
/// negative value of a signal that can never be negative (``KnownSignals``: ratios, latencies, rates, counts, seats)
/// is a broken recording, not a measurement: a read whose span holds one throws ``RecordedValueError``, which gates
/// treat as no data with that reason, never as a pass.
public struct RecordedSignalSource: SignalSource {
    /// Samples by cluster, then by signal, oldest first.
    let series: [String: [String: [SignalSample]]]
    /// Recorded values the signal can never take, by cluster, then by signal, oldest first.
    let impossible: [String: [String: [SignalSample]]]
    let offsetSeconds: Double
    /// The recording's path, for messages; nil when built from samples.
    let file: String?

    public init(samples: [RecordedSample], offsetSeconds: Double = 0) {
        self.init(samples: samples, offsetSeconds: offsetSeconds, file: nil)
    }

    /// Reads a recording file; the format follows the extension (`.csv`, `.jsonl`).
    public init(path: String, offsetSeconds: Double = 0) throws(RecordingError) {
        self.init(samples: try RecordingFile.read(path), offsetSeconds: offsetSeconds, file: path)
    }

    init(samples: [RecordedSample], offsetSeconds: Double, file: String?) {
        var series: [String: [String: [SignalSample]]] = [:]
        var impossible: [String: [String: [SignalSample]]] = [:]
        for sample in samples {
            let value = SignalSample(at: sample.timestamp + offsetSeconds, value: sample.value)
            if sample.value < 0 && KnownSignals.kind(of: sample.signal) != nil {
                impossible[sample.cluster, default: [:]][sample.signal, default: []].append(value)
            } else {
                series[sample.cluster, default: [:]][sample.signal, default: []].append(value)
            }
        }
        self.series = series.mapValues { $0.mapValues { $0.sorted { $0.at < $1.at } } }
        self.impossible = impossible.mapValues { $0.mapValues { $0.sorted { $0.at < $1.at } } }
        self.offsetSeconds = offsetSeconds
        self.file = file
    }

    public func samples(cluster: String, signal: String, from: Double, through: Double) throws -> [SignalSample] {
        if let bad = impossible[cluster]?[signal]?.window(from: from, through: through).first,
            let kind = KnownSignals.kind(of: signal)
        {
            throw RecordedValueError(
                file: file, cluster: cluster, signal: signal, kind: kind, timestamp: bad.at - offsetSeconds,
                value: bad.value)
        }
        return Array((series[cluster]?[signal] ?? []).window(from: from, through: through))
    }

    /// The clusters and signals the recording has, sorted.
    public var inventory: [(cluster: String, signals: [String])] {
        let clusters = Set(series.keys).union(impossible.keys)
        return clusters.sorted().map { cluster in
            let signals = Set((series[cluster] ?? [:]).keys).union((impossible[cluster] ?? [:]).keys)
            return (cluster, signals.sorted())
        }
    }
}

/// A recorded value a signal can never take (a negative ratio): the signal is no data wherever it falls.
public struct RecordedValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recording's path; nil when the source was built from samples.
    public var file: String?
    public var cluster: String
    public var signal: String
    public var kind: SignalKind
    /// As written in the recording, before any offset.
    public var timestamp: Double
    public var value: Double

    public var description: String {
        let place = file.map { "\($0): " } ?? ""
        let shown = value.formatted(maxFractionDigits: 6)
        let at = timestamp.formatted(maxFractionDigits: 3)
        return "\(place)\(signal) of \(cluster) is recorded as \(shown) at \(at) s, but \(kind.described) is "
            + "never negative: the recording is wrong there, so the signal is no data; fix or re-record it"
    }
}

/// One line of a recording.
public struct RecordedSample: Sendable, Equatable, Codable {
    public var timestamp: Double
    public var cluster: String
    public var signal: String
    public var value: Double

    public init(timestamp: Double, cluster: String, signal: String, value: Double) {
        self.timestamp = timestamp
        self.cluster = cluster
        self.signal = signal
        self.value = value
    }
}

