import Foundation
import SluiceCore
import SluiceStore
import Testing

/// The lease and what only its holder writes: status, the action journal, gate evaluations, the virtual clock.
@Suite struct LeaseTests {
    @Test func theFirstOwnerGetsFenceOneAndRenewsIt() throws {
        let store = try SluiceStore()
        #expect(try store.currentLease() == nil)
        let first = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        #expect(first.owner == "a")
        #expect(first.fence == 1)
        #expect(first.expiresAt == 10)
        let renewed = try #require(try store.acquireLease(owner: "a", now: 8, ttlSeconds: 10))
        #expect(renewed.fence == 1)
        #expect(renewed.expiresAt == 18)
        #expect(try store.currentLease() == renewed)
    }

    @Test func aSecondOwnerWaitsWhileTheLeaseIsLiveThenTakesOverWithANewFence() throws {
        let store = try SluiceStore()
        let a = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        #expect(try store.acquireLease(owner: "b", now: 5, ttlSeconds: 10) == nil)
        #expect(try store.acquireLease(owner: "b", now: 10, ttlSeconds: 10) == nil)
        #expect(try store.currentLease() == a)

        let b = try #require(try store.acquireLease(owner: "b", now: 10.5, ttlSeconds: 10))
        #expect(b.fence == 2)
        #expect(b.expiresAt == 20.5)
        #expect(try store.acquireLease(owner: "a", now: 11, ttlSeconds: 10) == nil)
    }

    @Test func theStaleOwnerCanNoLongerWrite() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let stale = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        let decision = try Fixtures.decide(store, now: 1)
        try store.record(decision, rollout: "agent-2.0", now: 1, lease: stale)
        let action = try #require(decision.actions.first)

        // "a" pauses past its expiry; "b" takes over.
        let current = try #require(try store.acquireLease(owner: "b", now: 20, ttlSeconds: 10))
        #expect(current.fence == 2)

        let later = try Fixtures.decide(store, now: 21)
        #expect(throws: StoreError.leaseLost(owner: "b", fence: 2)) {
            try store.record(later, rollout: "agent-2.0", now: 21, lease: stale)
        }
        #expect(throws: StoreError.leaseLost(owner: "b", fence: 2)) {
            try store.complete(action, result: .done(detail: "ok"), at: 22, lease: stale)
        }
        #expect(throws: StoreError.leaseLost(owner: "b", fence: 2)) {
            try store.saveVirtualNow(22, lease: stale)
        }
        // Nothing of the stale writes landed.
        #expect(try store.journal(rollout: "agent-2.0").map(\.state) == [.intended])
        #expect(try store.virtualNow() == nil)
        #expect(try store.events(rollout: "agent-2.0").count == 1 + decision.events.count)

        // The new holder's writes go through.
        try store.complete(action, result: .done(detail: "ok"), at: 22, lease: current)
        #expect(try store.journal(rollout: "agent-2.0").map(\.state) == [.done])
    }

    @Test func withoutAnyLeaseNothingIsWritten() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let other = try SluiceStore()
        let foreign = try #require(try other.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        let decision = try Fixtures.decide(store, now: 1)
        #expect(throws: StoreError.leaseLost(owner: "nobody", fence: 0)) {
            try store.record(decision, rollout: "agent-2.0", now: 1, lease: foreign)
        }
        #expect(try store.journal(rollout: "agent-2.0").isEmpty)
    }

    @Test func releasingLetsAStandbyTakeOverAtOnce() throws {
        let store = try SluiceStore()
        let a = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 60))
        #expect(try store.acquireLease(owner: "b", now: 1, ttlSeconds: 60) == nil)
        try store.releaseLease(a)
        let b = try #require(try store.acquireLease(owner: "b", now: 2, ttlSeconds: 60))
        #expect(b.fence == 2)
        #expect(b.owner == "b")
    }

    @Test func releasingALostLeaseLeavesTheNewHolderAlone() throws {
        let store = try SluiceStore()
        let a = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        let b = try #require(try store.acquireLease(owner: "b", now: 11, ttlSeconds: 10))
        try store.releaseLease(a)
        #expect(try store.currentLease() == b)
        #expect(try store.acquireLease(owner: "c", now: 12, ttlSeconds: 10) == nil)
    }

    @Test func theVirtualClockIsSavedByTheHolder() throws {
        let store = try SluiceStore()
        #expect(try store.virtualNow() == nil)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 10))
        try store.saveVirtualNow(3_600, lease: lease)
        try store.saveVirtualNow(7_200, lease: lease)
        #expect(try store.virtualNow() == 7_200)
    }
}

@Suite struct JournalTests {
    @Test func aDecisionIsRecordedWithItsActionsIntendedInOrder() throws {
        let spec = try Fixtures.spec(maxConcurrentClusters: 2)
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 60))
        let decision = try Fixtures.decide(store, now: 10)
        #expect(decision.actions.map(\.key) == ["apply/east/0", "apply/west/0"])
        try store.record(decision, rollout: "agent-2.0", now: 10, lease: lease)

        let intended = try store.intendedActions(rollout: "agent-2.0")
        #expect(intended.map(\.action) == decision.actions)
        #expect(intended.map(\.state) == [.intended, .intended])
        #expect(intended.map(\.attempts) == [1, 1])
        #expect(intended.map(\.intendedAt) == [10, 10])
        #expect(intended.allSatisfy { $0.completedAt == nil })
        #expect(intended[0].action.nodes == 0..<1)

        let record = try #require(try store.rollout(named: "agent-2.0"))
        #expect(record.status == decision.status)
        #expect(record.status.phase == .progressing)
        #expect(record.status.clusters.map(\.inFlight) == ["apply/east/0", "apply/west/0"])

        let input = try store.reconcileInput(rollout: "agent-2.0", now: 11)
        #expect(input.status == decision.status)
        #expect(input.journal.keys.sorted() == ["apply/east/0", "apply/west/0"])
        #expect(input.now == 11)
        #expect(try store.rolloutsToReconcile() == ["agent-2.0"])
    }

    @Test func completingMarksAnActionDoneOnce() throws {
        let spec = try Fixtures.spec(maxConcurrentClusters: 2)
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 60))
        let decision = try Fixtures.decide(store, now: 10)
        try store.record(decision, rollout: "agent-2.0", now: 10, lease: lease)
        let east = decision.actions[0]

        try store.complete(east, result: .done(detail: "labelled 1 node"), at: 12, lease: lease)
        #expect(try store.intendedActions(rollout: "agent-2.0").map(\.action.key) == ["apply/west/0"])
        let done = try #require(try store.journal(rollout: "agent-2.0").first)
        #expect(done.action == east)
        #expect(done.state == .done)
        #expect(done.completedAt == 12)
        #expect(done.detail == "labelled 1 node")

        // Completing again (a repeated driver answer) changes nothing.
        try store.complete(east, result: .failed(detail: "late"), at: 13, lease: lease)
        let again = try #require(try store.journal(rollout: "agent-2.0").first)
        #expect(again == done)
    }

    @Test func aFailedActionRetriedByTheReconcilerCountsAnotherAttempt() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 60))
        let first = try Fixtures.decide(store, now: 10)
        try store.record(first, rollout: "agent-2.0", now: 10, lease: lease)
        let action = try #require(first.actions.first)
        try store.complete(action, result: .failed(detail: "connection refused"), at: 11, lease: lease)
        #expect(try store.journal(rollout: "agent-2.0").first?.state == .failed)
        #expect(try store.intendedActions(rollout: "agent-2.0").isEmpty)

        var input = try store.reconcileInput(rollout: "agent-2.0", now: 20)
        input.signals = [
            "east": ClusterSignals(cluster: "east", samples: ["latency": [SignalSample(at: 19, value: 0.1)]])
        ]
        let retry = Reconciler.decide(input)
        #expect(retry.actions == [action])
        try store.record(retry, rollout: "agent-2.0", now: 20, lease: lease)
        let entry = try #require(try store.journal(rollout: "agent-2.0").first)
        #expect(entry.state == .intended)
        #expect(entry.attempts == 2)
        #expect(entry.completedAt == nil)
        #expect(entry.intendedAt == 10)
        #expect(try store.journal(rollout: "agent-2.0").count == 1)
        #expect(try store.events(rollout: "agent-2.0").last?.event.verb == "retry")
        #expect(try store.rollout(named: "agent-2.0")?.status.phase == .progressing)
    }

    @Test func aFullPassRecordsEventsAndGateEvaluationsInOrder() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 600))
        let first = try Fixtures.decide(store, now: 10)
        try store.record(first, rollout: "agent-2.0", now: 10, lease: lease)
        try store.complete(first.actions[0], result: .done(detail: "ok"), at: 11, lease: lease)

        var input = try store.reconcileInput(rollout: "agent-2.0", now: 12)
        input.signals = [
            "east": ClusterSignals(cluster: "east", samples: ["latency": [SignalSample(at: 11, value: 0.25)]])
        ]
        let second = Reconciler.decide(input)
        try store.record(second, rollout: "agent-2.0", now: 12, lease: lease)

        let status = try #require(try store.rollout(named: "agent-2.0")?.status)
        #expect(status.clusters[0].state == .baking)
        #expect(status.clusters[0].appliedBatches == 1)
        #expect(status.clusters[0].bakeUntil == 71)

        // The first pass checked east before starting it; the second checks it with its first batch applied.
        let evaluations = try store.gateEvaluations(rollout: "agent-2.0")
        #expect(evaluations.map(\.unstamped) == first.gateEvaluations + second.gateEvaluations)
        #expect(evaluations.map(\.verdict) == [.pass, .pass])
        #expect(evaluations.last?.observed == 0.25)
        #expect(evaluations.last?.bound == .atMost(1))

        let verbs = try store.events(rollout: "agent-2.0").map(\.event.verb)
        #expect(verbs == ["submitted"] + first.events.map(\.verb) + second.events.map(\.verb))
        #expect(verbs == ["submitted", "progressing", "started", "applied"])
        #expect(try store.journal(rollout: "agent-2.0").map(\.state) == [.done])
    }

    @Test func anAcceptedAbortFinishesTheRolloutAndAnswersTheRequest() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "a", now: 0, ttlSeconds: 600))
        let id = try store.request(.abort, rollout: "agent-2.0", reason: "wrong version", actor: "bob", now: 5)
        let input = try store.reconcileInput(rollout: "agent-2.0", now: 6)
        #expect(input.requests.map(\.id) == [id])

        let decision = Reconciler.decide(input)
        try store.record(decision, rollout: "agent-2.0", now: 6, lease: lease)
        let record = try #require(try store.rollout(named: "agent-2.0"))
        #expect(record.status.phase == .aborted)
        #expect(record.status.observedGeneration == 1)
        let request = try #require(try store.requests(rollout: "agent-2.0").first)
        #expect(request.state == "accepted")
        #expect(request.outcome == "aborted")
        #expect(try store.reconcileInput(rollout: "agent-2.0", now: 7).requests.isEmpty)
        #expect(try store.rolloutsToReconcile().isEmpty)

        #expect(throws: StoreError.refused("cannot abort agent-2.0: the rollout is already aborted")) {
            try store.request(.abort, rollout: "agent-2.0", reason: "", actor: "bob", now: 8)
        }
    }
}
