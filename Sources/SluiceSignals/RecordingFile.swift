import Foundation

/// A recording that cannot be used, placed at its file and line.
public struct RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Reads and writes recordings: CSV (`timestamp,cluster,signal,value` with a header) and JSON Lines.
public enum RecordingFile {
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case jsonl

        /// The format a path's extension names, if any.
        public init?(path: String) {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "csv": self = .csv
            case "jsonl", "ndjson": self = .jsonl
            default: return nil
            }
        }
    }

    /// Every sample of the recording at `path`.
    public static func read(_ path: String) throws(RecordingError) -> [RecordedSample] {
        func fail(_ line: Int, _ message: String) -> RecordingError {
            RecordingError(file: path, line: line, message: message)
        }
        guard let format = Format(path: path) else {
            throw fail(0, "unknown recording format; name the file .csv or .jsonl")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail(0, "cannot be read (missing, a directory, or no permission)")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw fail(0, "is not UTF-8 text")
        }
        var samples: [RecordedSample] = []
        var sawData = false
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            defer { sawData = true }
            if format == .csv && !sawData && trimmed.lowercased().hasPrefix("timestamp,") { continue }
            do {
                samples.append(try format == .csv ? parseCSV(trimmed) : parseJSON(trimmed))
            } catch {
                throw fail(number, error.message)
            }
        }
        return samples
    }

    struct LineError: Error {
        var message: String
    }

    static func parseCSV(_ line: String) throws(LineError) -> RecordedSample {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard fields.count == 4 else {
            throw LineError(message: "expected 4 fields (timestamp,cluster,signal,value), found \(fields.count)")
        }
        guard let timestamp = Double(fields[0]), timestamp.isFinite else {
            throw LineError(message: "timestamp '\(fields[0])' is not a number of seconds")
        }
        guard !fields[1].isEmpty, !fields[2].isEmpty else { throw LineError(message: "cluster and signal are required") }
        return RecordedSample(timestamp: timestamp, cluster: fields[1], signal: fields[2], value: try value(fields[3]))
    }

    static func parseJSON(_ line: String) throws(LineError) -> RecordedSample {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw LineError(message: "not a JSON object")
        }
        guard let timestamp = (object["timestamp"] as? NSNumber)?.doubleValue, timestamp.isFinite else {
            throw LineError(message: "\"timestamp\" must be a number of seconds")
        }
        guard let cluster = object["cluster"] as? String, let signal = object["signal"] as? String else {
            throw LineError(message: "\"cluster\" and \"signal\" must be strings")
        }
        let raw = object["value"]
        let number: Double
        if let text = raw as? String {
            number = try value(text)
        } else if let value = raw as? NSNumber {
            number = value.doubleValue
        } else if raw == nil || raw is NSNull {
            number = .nan
        } else {
            throw LineError(message: "\"value\" must be a number, null or \"NaN\"")
        }
        return RecordedSample(timestamp: timestamp, cluster: cluster, signal: signal, value: number)
    }

    /// A value; empty and `NaN` are kept as NaN (no data), `+Inf`/`-Inf` as infinities.
    static func value(_ text: String) throws(LineError) -> Double {
        switch text {
        case "", "NaN", "nan": return .nan
        case "+Inf", "Inf", "inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        default:
            guard let number = Double(text) else { throw LineError(message: "value '\(text)' is not a number") }
            return number
        }
    }

    /// Writes `samples` in `format` (CSV with a header, or JSON Lines).
    public static func render(_ samples: [RecordedSample], format: Format) -> String {
        var text = format == .csv ? "timestamp,cluster,signal,value\n" : ""
        for sample in samples {
            let value = sample.value.isNaN ? "NaN" : String(format: "%.6g", sample.value)
            switch format {
            case .csv:
                text += "\(sample.timestamp.formatted),\(sample.cluster),\(sample.signal),\(value)\n"
            case .jsonl:
                let jsonValue = sample.value.isFinite ? value : "\"\(value)\""
                text += "{\"timestamp\":\(sample.timestamp.formatted),\"cluster\":\"\(sample.cluster)\",\"signal\":\"\(sample.signal)\",\"value\":\(jsonValue)}\n"
            }
        }
        return text
    }
}

extension Double {
    /// A timestamp without a needless `.0`.
    fileprivate var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : "\(self)" }
}
