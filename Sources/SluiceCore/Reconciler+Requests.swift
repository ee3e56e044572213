/// The operators' side of a pass: each pending request granted or refused, the refusal recorded.
extension Pass {
    mutating func handleRequests() {
        for request in input.requests {
            if let refusal = OperatorRequest.refusal(of: request.verb, status: status) {
                decision.requestOutcomes.append(RequestOutcome(requestID: request.id, accepted: false, message: refusal))
                record(.refused, "\(request.verb.rawValue) by \(request.actor) refused: \(refusal)")
            } else {
                let message = grant(request)
                decision.requestOutcomes.append(RequestOutcome(requestID: request.id, accepted: true, message: message))
            }
            status.observedGeneration = max(status.observedGeneration, request.generation)
        }
    }

    mutating func grant(_ request: OperatorRequest) -> String {
        let because = request.reason.isEmpty ? "" : ": \(request.reason)"
        let by = "by \(request.actor)\(because)"
        switch request.verb {
        case .pause:
            setPhase(.paused, "paused \(by)")
            return "paused"
        case .resume:
            // Gate tracks are kept: a breach that still holds halts again, and one that cleared must stay clear
            // for its gate's `recoverAfter` passes before its cluster moves on.
            for index in status.clusters.indices { status.clusters[index].failures = 0 }
            setPhase(.progressing, "resumed \(by)")
            return "resumed"
        case .promote:
            if status.phase == .awaitingApproval {
                status.approvedWaves.append(status.currentWave)
                setPhase(.progressing, "wave '\(spec.waves[status.currentWave].name)' approved \(by)")
                return "wave approved"
            }
            for index in status.clusters.indices
            where status.clusters[index].state == .baking && status.clusters[index].wave == status.currentWave {
                status.clusters[index].bakeUntil = now
            }
            record(.promoted, "bake ended early \(by)")
            return "bake ended early"
        case .abort:
            setPhase(.aborted, "aborted \(by); nothing more is applied or reverted")
            return "aborted"
        case .rollback:
            setPhase(.rollingBack, "rollback requested \(by)")
            return "rolling back"
        }
    }
}
