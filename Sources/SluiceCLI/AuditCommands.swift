import Foundation
import SluiceStore

extension Events {
    /// `sluice events ROLLOUT --verify [--anchor EVENTS:HASH]`: checks the hash chain of the whole event log (it runs
    /// across rollouts), its end against the head kept in the database and, when given, against an anchor recorded
    /// earlier; prints the head to keep as the next anchor.
    func verifyChain(_ store: SluiceStore, anchor: AuditAnchor?) throws {
        let check = try store.checkEventChain(anchor: anchor)
        if let encoded = try format.output.encode(VerifyRow(check), kind: "AuditVerification") { print(encoded) }
        switch check.verification {
        case .intact(let events):
            guard format.output == .table else { return }
            let own = try store.events(rollout: rollout).count
            print("event log intact: \(events) events chained (\(own) of \(rollout))")
            if let anchor {
                let since = events - anchor.events
                print("holds the anchor \(anchor.events):\(anchor.hash.prefix(12))…: \(since) events since")
            }
            print("head: \(check.end)")
            if events > 0 {
                print("keep the head to check this log later: "
                    + "sluice events \(rollout) --verify --anchor \(check.end.anchor)")
            }
        case .altered(let id, let owner):
            throw CLIFailure(
                exitCode: 1,
                message:
                    "event log tampered: event \(id) (rollout \(owner)) was altered after it was written; events after it cannot be trusted"
            )
        case .removed(let ids, let before):
            let which =
                ids.count == 1 ? "event \(ids.lowerBound) was" : "events \(ids.lowerBound)-\(ids.upperBound) were"
            let place =
                if let before { " (just before event \(before))" }
                else if check.end.events == 0 { " (every event)" }
                else { " (the newest)" }
            throw CLIFailure(exitCode: 1, message: "event log tampered: \(which) removed\(place)")
        case .headMismatch(let head, let end):
            let recorded = head.map { "records \($0)" } ?? "is missing"
            throw CLIFailure(
                exitCode: 1,
                message: "event log tampered: the chain's head kept in the database (table auditHead) \(recorded), "
                    + "but the log has \(end); the head was edited or removed, or events were written around sluice"
            )
        case .truncated(let events, let anchored, let lastID):
            let missing = anchored - events
            let which = lastID.map { "the newest \(missing) events (after event \($0)) were" } ?? "every event was"
            throw CLIFailure(
                exitCode: 1,
                message: "event log tampered: the anchor recorded \(anchored) events, the log has \(events): "
                    + "\(which) removed, and the head kept in the database rewritten to match"
            )
        case .anchorMismatch(let events, let id):
            throw CLIFailure(
                exitCode: 1,
                message: "event log tampered: event \(id), number \(events) in the chain, is not the one the anchor "
                    + "recorded; the log up to it was rewritten"
            )
        }
    }

    struct VerifyRow: Codable {
        var intact: Bool
        var firstBadID: Int64?
        var problem: String?
        /// The head when the log is intact: events, newest id and hash, and the anchor to keep (`EVENTS:HASH`).
        var events: Int?
        var lastID: Int64?
        var lastHash: String?
        var anchor: String?

        init(_ check: AuditCheck) {
            let result = check.verification
            intact = result.isIntact
            firstBadID = result.firstBadID
            problem =
                switch result {
                case .intact: nil
                case .altered: "altered"
                case .removed: "removed"
                case .headMismatch: "head-mismatch"
                case .truncated: "truncated"
                case .anchorMismatch: "anchor-mismatch"
                }
            if intact {
                events = check.end.events
                lastID = check.end.lastID
                lastHash = check.end.lastHash
                anchor = check.end.events > 0 ? check.end.anchor.description : nil
            }
        }
    }
}
