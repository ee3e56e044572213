import Foundation
import SluiceCore
import SluiceStore
import Testing

@Suite("One clock for people: every event and gate evaluation keeps its wall time")
struct WallTimeTests {
    @Test("A virtual-time pass records the wall time beside its virtual time; a person's request keeps its own")
    func virtualEventsGetTheirWallTime() throws {
        let store = try Fixtures.store(with: try Fixtures.spec())
        let lease = try #require(try store.acquireLease(owner: "d", now: 0, ttlSeconds: 3600))
        let before = Date().timeIntervalSince1970
        try store.record(try Fixtures.decide(store, now: 90), rollout: "agent-2.0", now: 90, lease: lease)
        let after = Date().timeIntervalSince1970
        _ = try store.request(.pause, rollout: "agent-2.0", reason: "look", actor: "bob", now: 1_800_000_000)

        let events = try store.events(rollout: "agent-2.0").map(\.event)
        let daemon = events.filter { $0.actor == Reconciler.actor }
        #expect(!daemon.isEmpty)
        for event in daemon {
            #expect(event.virtualTime == 90)
            let wall = try #require(event.wallTime)
            #expect(wall >= before && wall <= after)
        }
        let request = try #require(events.last)
        #expect(request.actor == "bob" && request.wallTime == 1_800_000_000 && request.virtualTime == nil)
        let evaluations = try store.gateEvaluations(rollout: "agent-2.0")
        #expect(!evaluations.isEmpty)
        #expect(evaluations.allSatisfy { ($0.wallTime ?? 0) >= before && ($0.wallTime ?? .infinity) <= after })
        #expect(try store.verifyEventChain() == .intact(events: events.count))
    }

    @Test("Events without a recorded wall time (before v7) show their Unix time, or none for a virtual one")
    func olderEvents() {
        #expect(RolloutEvent(at: 1_800_000_000, actor: "a", verb: "v", message: "m").wallTime == 1_800_000_000)
        #expect(RolloutEvent(at: 600, actor: "a", verb: "v", message: "m").wallTime == nil)
        #expect(RolloutEvent(at: 600, actor: "a", verb: "v", message: "m").virtualTime == 600)
    }
}

@Suite("The controller's clock now, as get and watch estimate it")
struct ControllerNowTests {
    @Test("On the wall clock it is the wall clock; a virtual clock runs on only while a daemon holds the lease")
    func estimates() {
        let wallPass = ControllerPass(controllerNow: 1_800_000_000, wallAt: 1_800_000_000)
        #expect(wallPass.controllerNow(atWall: 1_800_000_090, daemonLive: false) == 1_800_000_090)
        let virtualPass = ControllerPass(controllerNow: 3600, wallAt: 1_800_000_000)
        #expect(virtualPass.controllerNow(atWall: 1_800_000_090, daemonLive: true) == 3690)
        #expect(virtualPass.controllerNow(atWall: 1_800_000_090, daemonLive: false) == 3600)
    }
}
