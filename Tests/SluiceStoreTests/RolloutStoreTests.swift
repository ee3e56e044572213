import Foundation
import SluiceCore
import SluiceStore
import Testing

/// Submitting rollouts and recording operator requests: what the CLI writes.
@Suite struct RolloutStoreTests {
    @Test func aSubmittedRolloutIsStoredWithAPendingStatus() throws {
        let spec = try Fixtures.spec()
        let store = try SluiceStore()
        try store.submit(spec: spec, planPath: "/plans/agent.yaml", actor: "alice", now: 5)

        let record = try #require(try store.rollout(named: "agent-2.0"))
        #expect(record.spec == spec)
        #expect(record.status == RolloutStatus(spec: spec, now: 5))
        #expect(record.status.phase == .pending)
        #expect(record.status.clusters.map(\.cluster) == ["east", "west"])
        #expect(record.generation == 0)
        #expect(record.planPath == "/plans/agent.yaml")
        #expect(record.submittedAt == 5)
        #expect(record.submittedBy == "alice")
        #expect(try store.rollout(named: "other") == nil)

        let events = try store.events(rollout: "agent-2.0")
        #expect(events.map(\.event.unstamped) == [
            RolloutEvent(at: 5, actor: "alice", verb: "submitted", message: "agent 2.0.0 to 2 clusters in 1 waves")
        ])
    }

    @Test func aSecondRolloutWithTheSameNameIsRefused() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        #expect(throws: StoreError.duplicateRollout("agent-2.0")) {
            try store.submit(spec: spec, planPath: "/elsewhere.yaml", actor: "bob", now: 9)
        }
        #expect(try store.rollouts().count == 1)
        #expect(try store.rollout(named: "agent-2.0")?.submittedBy == "alice")
        #expect(try store.events(rollout: "agent-2.0").count == 1)
    }

    @Test func rolloutsAreListedOldestFirst() throws {
        let store = try SluiceStore()
        try store.submit(spec: try Fixtures.spec(name: "zeta"), planPath: "/z.yaml", actor: "alice", now: 1)
        try store.submit(spec: try Fixtures.spec(name: "beta"), planPath: "/b.yaml", actor: "alice", now: 2)
        try store.submit(spec: try Fixtures.spec(name: "alpha"), planPath: "/a.yaml", actor: "alice", now: 2)
        #expect(try store.rollouts().map(\.spec.name) == ["zeta", "alpha", "beta"])
        #expect(try store.rolloutsToReconcile() == ["zeta", "alpha", "beta"])
    }

    @Test func aRequestIsStoredAndRaisesTheGeneration() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        let pause = try store.request(.pause, rollout: "agent-2.0", reason: "lunch", actor: "bob", now: 10)
        let abort = try store.request(.abort, rollout: "agent-2.0", reason: "", actor: "carol", now: 11)
        #expect(abort > pause)
        #expect(try store.rollout(named: "agent-2.0")?.generation == 2)

        let requests = try store.requests(rollout: "agent-2.0")
        #expect(requests.map(\.request) == [
            OperatorRequest(id: pause, verb: .pause, reason: "lunch", actor: "bob", generation: 1),
            OperatorRequest(id: abort, verb: .abort, reason: "", actor: "carol", generation: 2),
        ])
        #expect(requests.map(\.state) == ["pending", "pending"])
        #expect(requests.map(\.createdAt) == [10, 11])
        #expect(requests.allSatisfy { $0.outcome == nil })

        let events = try store.events(rollout: "agent-2.0").map(\.event.unstamped)
        #expect(events.map(\.verb) == ["submitted", "requested", "requested"])
        #expect(events[1] == RolloutEvent(at: 10, actor: "bob", verb: "requested", message: "pause: lunch"))
        #expect(events[2] == RolloutEvent(at: 11, actor: "carol", verb: "requested", message: "abort"))
    }

    @Test func aSecondPendingRequestWithTheSameVerbIsRefused() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        try store.request(.pause, rollout: "agent-2.0", reason: "", actor: "bob", now: 10)
        #expect(throws: StoreError.refused("cannot pause agent-2.0: a pause of agent-2.0 is already waiting for the daemon")) {
            try store.request(.pause, rollout: "agent-2.0", reason: "again", actor: "carol", now: 11)
        }
        #expect(try store.rollout(named: "agent-2.0")?.generation == 1)
        #expect(try store.requests(rollout: "agent-2.0").count == 1)
    }

    @Test func resumingAPendingRolloutIsRefusedAtOnce() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        #expect(throws: StoreError.refused(
            "cannot resume agent-2.0: the rollout is pending, not paused or halted; there is nothing to resume"
        )) {
            try store.request(.resume, rollout: "agent-2.0", reason: "", actor: "bob", now: 10)
        }
        #expect(throws: StoreError.self) {
            try store.request(.promote, rollout: "agent-2.0", reason: "", actor: "bob", now: 10)
        }
        #expect(try store.rollout(named: "agent-2.0")?.generation == 0)
        #expect(try store.requests(rollout: "agent-2.0").isEmpty)
        // Nothing is requested, but each refusal is on the record with who asked and why it was refused.
        let events = try store.events(rollout: "agent-2.0").map(\.event)
        #expect(events.map(\.verb) == ["submitted", "refused", "refused"])
        #expect(events[2].actor == "bob")
        #expect(events[2].message.hasPrefix("promote by bob refused: the rollout is pending"))
        #expect(try store.verifyEventChain().isIntact)
    }

    @Test func resumingAProgressingRolloutIsRefused() throws {
        let spec = try Fixtures.spec()
        let store = try Fixtures.store(with: spec)
        let lease = try #require(try store.acquireLease(owner: "daemon-a", now: 1, ttlSeconds: 30))
        let decision = try Fixtures.decide(store, now: 1)
        try store.record(decision, rollout: "agent-2.0", now: 1, lease: lease)
        #expect(try store.rollout(named: "agent-2.0")?.status.phase == .progressing)

        let error = #expect(throws: StoreError.self) {
            try store.request(.resume, rollout: "agent-2.0", reason: "", actor: "bob", now: 2)
        }
        #expect(error == .refused(
            "cannot resume agent-2.0: the rollout is progressing, not paused or halted; there is nothing to resume"))
        #expect(try store.request(.pause, rollout: "agent-2.0", reason: "", actor: "bob", now: 3) > 0)
    }

    @Test func aRequestForAnUnknownRolloutIsRefused() throws {
        let store = try SluiceStore()
        #expect(throws: StoreError.unknownRollout("ghost")) {
            try store.request(.pause, rollout: "ghost", reason: "", actor: "bob", now: 1)
        }
        #expect(throws: StoreError.unknownRollout("ghost")) {
            _ = try store.reconcileInput(rollout: "ghost", now: 1)
        }
        #expect(try store.requests(rollout: "ghost").isEmpty)
    }

    @Test func eventsOfAllRolloutsComeInTheOrderTheyHappened() throws {
        let store = try SluiceStore()
        try store.submit(spec: try Fixtures.spec(name: "one"), planPath: "/1.yaml", actor: "alice", now: 1)
        try store.submit(spec: try Fixtures.spec(name: "two"), planPath: "/2.yaml", actor: "alice", now: 2)
        try store.request(.pause, rollout: "one", reason: "", actor: "bob", now: 3)
        try store.request(.abort, rollout: "two", reason: "", actor: "bob", now: 4)

        let all = try store.events(rollout: nil)
        #expect(all.map(\.rollout) == ["one", "two", "one", "two"])
        #expect(all.map(\.event.at) == [1, 2, 3, 4])
        #expect(all.map(\.id) == all.map(\.id).sorted())
        #expect(Set(all.map(\.id)).count == 4)
        #expect(try store.events(rollout: "two").map(\.event.verb) == ["submitted", "requested"])
    }

    @Test func defaultPathPrefersSluiceDbThenXdgStateHomeThenHome() {
        #expect(SluiceStore.defaultPath(environment: ["SLUICE_DB": "/data/s.db", "HOME": "/home/u"]) == "/data/s.db")
        #expect(
            SluiceStore.defaultPath(environment: ["SLUICE_DB": "", "XDG_STATE_HOME": "/state", "HOME": "/home/u"])
                == "/state/sluice/sluice.db")
        #expect(
            SluiceStore.defaultPath(environment: ["XDG_STATE_HOME": "", "HOME": "/home/u"])
                == "/home/u/.local/state/sluice/sluice.db")
    }
}
