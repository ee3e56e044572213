import Foundation

/// Writes recordings as OpenMetrics text, the input of `promtool tsdb create-blocks-from openmetrics`.
///
/// Each signal becomes one gauge family named after the signal, with a `cluster` label, so a recording backfilled into
/// Prometheus reads back with the query `{signal}{cluster="{cluster}"}`. Timestamps are in seconds (OpenMetrics' unit)
/// with `offsetSeconds` added: Prometheus drops blocks older than its retention, so a virtual-time recording (seconds
/// from 0) must be shifted to recent Unix time before it is backfilled. Families are contiguous, series sorted by
/// cluster and samples oldest first, as OpenMetrics requires; the text ends in `# EOF`.
public enum OpenMetricsRecording {
    /// The OpenMetrics text of `samples`, timestamps shifted by `offsetSeconds`.
    public static func render(_ samples: [RecordedSample], offsetSeconds: Double = 0) -> String {
        var bySignal: [String: [String: [RecordedSample]]] = [:]
        for sample in samples { bySignal[sample.signal, default: [:]][sample.cluster, default: []].append(sample) }
        var text = ""
        for signal in bySignal.keys.sorted() {
            let name = metricName(signal)
            text += "# TYPE \(name) gauge\n"
            text += "# HELP \(name) Sluice signal \(signal) as recorded.\n"
            for cluster in bySignal[signal]!.keys.sorted() {
                var last = -Double.infinity
                for sample in bySignal[signal]![cluster]!.sorted(by: { $0.timestamp < $1.timestamp }) {
                    let at = sample.timestamp + offsetSeconds
                    // OpenMetrics needs strictly increasing timestamps within a series: keep the first of duplicates.
                    guard at > last else { continue }
                    last = at
                    text += "\(name){cluster=\"\(escape(cluster))\"} \(value(sample.value)) \(timestamp(at))\n"
                }
            }
        }
        return text + "# EOF\n"
    }

    /// `signal` as a valid metric name: characters outside `[a-zA-Z0-9_:]` become `_`.
    public static func metricName(_ signal: String) -> String {
        var name = String(signal.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
        if let first = name.first, first.isNumber { name = "_" + name }
        return name
    }

    static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func value(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number == .infinity { return "+Inf" }
        if number == -.infinity { return "-Inf" }
        return String(format: "%.6g", number)
    }

    static func timestamp(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : "\(seconds)"
    }
}
