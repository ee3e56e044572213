public import ArgumentParser
import Foundation
public import Logging

/// How `sluiced` writes its log lines to standard error.
public enum LogFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// `2026-12-02T08:00:00+0000 info sluiced : rollout=... verb=... message`, for people.
    case text
    /// One JSON object per line, for a log pipeline: `time` (RFC 3339 UTC), `level`, `label`, `message`, and the
    /// line's metadata under `metadata`.
    case json

    /// The daemon's logger in this format, at `level` and above.
    public func logger(label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { label in
            switch self {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
        }
        logger.logLevel = level
        return logger
    }
}

/// Writes each log line as one JSON object to standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        var object: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label,
            "message": "\(event.message)",
        ]
        if !merged.isEmpty { object["metadata"] = merged.mapValues(Self.json) }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-02T08:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
