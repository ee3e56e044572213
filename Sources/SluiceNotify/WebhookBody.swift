public import Foundation
import SluiceCore

extension RolloutNotification {
    /// The request body for a webhook of `format`: UTF-8 JSON, keys sorted so equal notifications are equal bytes.
    public func body(_ format: WebhookFormat) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        // Encoding strings, numbers and arrays of strings cannot fail.
        case .json: return try! encoder.encode(self)
        case .slack: return try! encoder.encode(["text": text])
        }
    }

    /// One readable line: `rollout web halted on eu-1 at 2026-12-02T08:29:53Z: halted by gate 'errors' on eu-1: ...`.
    public var text: String {
        let shown = clusters.count > 4 ? clusters.prefix(3).joined(separator: ", ") + " and \(clusters.count - 3) more"
            : clusters.joined(separator: ", ")
        let scope = clusters.isEmpty ? "" : " on \(shown)"
        return "rollout \(rollout) \(happened)\(scope) at \(time): \(message)"
    }

    /// What happened, in plain words.
    var happened: String {
        switch EventVerb(rawValue: verb) {
        case .fenced: "halted by break-glass"
        case .rollingBack: "is rolling back"
        case .rolledBack: "rolled back"
        case .breakGlass: "break-glass started"
        case .breakGlassDone: "break-glass finished"
        case .escalated: "escalated to break-glass"
        case .awaitingApproval: "is awaiting approval"
        default: verb
        }
    }
}
