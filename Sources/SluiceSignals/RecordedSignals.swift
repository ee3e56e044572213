import Foundation
public import SluiceCore

/// Signals replayed from a recording (CSV or JSON Lines of timestamp, cluster, signal, value).
///
/// Timestamps are seconds on the controller's clock once `offsetSeconds` is added: virtual seconds in a virtual-time
/// run, Unix seconds when replaying live. A `NaN` or empty value is kept as NaN, which gates treat as no data.
public struct RecordedSignalSource: SignalSource {
    /// Samples by cluster, then by signal, oldest first.
    let series: [String: [String: [SignalSample]]]

    public init(samples: [RecordedSample], offsetSeconds: Double = 0) {
        var series: [String: [String: [SignalSample]]] = [:]
        for sample in samples {
            series[sample.cluster, default: [:]][sample.signal, default: []]
                .append(SignalSample(at: sample.timestamp + offsetSeconds, value: sample.value))
        }
        for cluster in series.keys {
            for signal in series[cluster]!.keys { series[cluster]![signal]!.sort { $0.at < $1.at } }
        }
        self.series = series
    }

    /// Reads a recording file; the format follows the extension (`.csv`, `.jsonl`).
    public init(path: String, offsetSeconds: Double = 0) throws(RecordingError) {
        self.init(samples: try RecordingFile.read(path), offsetSeconds: offsetSeconds)
    }

    public func samples(cluster: String, signal: String, from: Double, through: Double) throws -> [SignalSample] {
        Array((series[cluster]?[signal] ?? []).window(from: from, through: through))
    }

    /// The clusters and signals the recording has, sorted.
    public var inventory: [(cluster: String, signals: [String])] {
        series.keys.sorted().map { ($0, series[$0]!.keys.sorted()) }
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

