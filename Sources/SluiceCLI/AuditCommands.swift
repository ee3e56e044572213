import Foundation
import SluiceStore

extension Events {
    /// `sluice events ROLLOUT --verify`: checks the hash chain of the whole event log (it runs across rollouts).
    func verifyChain(_ store: SluiceStore) throws {
        let result = try store.verifyEventChain()
        if let encoded = try format.output.encode(VerifyRow(result)) { print(encoded) }
        switch result {
        case .intact(let events):
            let own = try store.events(rollout: rollout).count
            if format.output == .table { print("event log intact: \(events) events chained (\(own) of \(rollout))") }
        case .altered(let id, let owner):
            throw CLIFailure(
                exitCode: 1,
                message:
                    "event log tampered: event \(id) (rollout \(owner)) was altered after it was written; events after it cannot be trusted"
            )
        case .removed(let ids, let before):
            let which =
                ids.count == 1 ? "event \(ids.lowerBound) was" : "events \(ids.lowerBound)-\(ids.upperBound) were"
            let place = before.map { " (just before event \($0))" } ?? " (the newest)"
            throw CLIFailure(exitCode: 1, message: "event log tampered: \(which) removed\(place)")
        }
    }

    struct VerifyRow: Codable {
        var intact: Bool
        var firstBadID: Int64?
        var problem: String?

        init(_ result: AuditVerification) {
            intact = result.isIntact
            firstBadID = result.firstBadID
            problem =
                switch result {
                case .intact: nil
                case .altered: "altered"
                case .removed: "removed"
                }
        }
    }
}
