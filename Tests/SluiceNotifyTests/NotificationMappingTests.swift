import Foundation
import SluiceCore
import SluiceManifests
@testable import SluiceNotify
import SluiceStore
import Testing

@Suite struct NotificationMappingTests {
    static let waves = [
        WaveClusters(name: "canary", clusters: ["eu-1"]),
        WaveClusters(name: "rest", clusters: ["eu-2", "us-1"]),
    ]

    static func stored(_ verb: String, _ message: String, actor: String = "sluiced", at: Double = 1_796_200_193)
        -> StoredEvent
    {
        StoredEvent(id: 42, rollout: "web", event: RolloutEvent(at: at, actor: actor, verb: verb, message: message))
    }

    @Test func theControllersVerbsMapToTheKindsWebhooksName() {
        let kinds: [String: NotificationKind?] = [
            "halted": .halted, "fenced": .halted, "rollingBack": .rolledBack, "rolledBack": .rolledBack,
            "break-glass": .breakGlass, "break-glass-done": .breakGlass, "escalated": .breakGlass,
            "awaitingApproval": .awaitingApproval, "completed": .completed,
            "applied": nil, "submitted": nil, "requested": nil, "progressing": nil, "refused": nil, "aborted": nil,
        ]
        for (verb, kind) in kinds.sorted(by: { $0.key < $1.key }) {
            #expect(NotificationKind(verb: verb) == kind, "\(verb)")
        }
    }

    @Test func aHaltNamesItsClusterTimeAndReason() throws {
        let message = "halted by gate 'errors' on eu-2: 4.1% is above 2%"
        let note = try #require(RolloutNotification(Self.stored("halted", message), waves: Self.waves, pass: nil))
        #expect(note == RolloutNotification(
            id: 42, rollout: "web", event: .halted, verb: "halted", clusters: ["eu-2"], message: message,
            actor: "sluiced", time: "2026-12-02T08:29:53Z"))
    }

    @Test func aQuotedWaveStandsForItsClustersAndNoNameForAll() throws {
        let waiting = try #require(RolloutNotification(
            Self.stored("awaitingApproval", "wave 'rest' waits for approval: `sluice promote web`"),
            waves: Self.waves, pass: nil))
        #expect(waiting.clusters == ["eu-2", "us-1"])
        let done = try #require(
            RolloutNotification(Self.stored("completed", "every wave complete"), waves: Self.waves, pass: nil))
        #expect(done.clusters == ["eu-1", "eu-2", "us-1"])
        let glass = try #require(RolloutNotification(
            Self.stored("break-glass", "fenced; reverting us-1, eu-1 node-direct from h (run r1): pager", actor: "ana"),
            waves: Self.waves, pass: nil))
        #expect(glass.clusters == ["eu-1", "us-1"])
        #expect(glass.actor == "ana")
    }

    @Test func uninterestingVerbsGiveNoNotification() {
        let applied = Self.stored("applied", "eu-1: batch 1/3 applied")
        #expect(RolloutNotification(applied, waves: Self.waves, pass: nil) == nil)
    }

    @Test func theDaemonsVirtualTimeIsPlacedOnTheWallClock() throws {
        // The last pass ran at virtual second 1000, wall 2026-12-02T08:00:00Z; the event 30 virtual seconds earlier.
        let pass = ControllerPass(controllerNow: 1000, wallAt: 1_796_198_400)
        let note = try #require(
            RolloutNotification(Self.stored("completed", "every wave complete", at: 970), waves: [], pass: pass))
        #expect(note.time == "2026-12-02T07:59:30Z")
        #expect(note.controllerSeconds == 970)
        // An operator's event is on the wall clock already, whatever the daemon's clock.
        let operatorNote = try #require(
            RolloutNotification(Self.stored("break-glass", "fenced", actor: "ana"), waves: [], pass: pass))
        #expect(operatorNote.time == "2026-12-02T08:29:53Z")
        #expect(operatorNote.controllerSeconds == nil)
    }

    @Test func theJSONBodyHasStableFieldsAndTheSlackBodyOneLine() throws {
        let message = "rolling back eu-1 and halting: gate 'errors' on eu-1: 5% is above 2%"
        let note = try #require(RolloutNotification(Self.stored("halted", message), waves: Self.waves, pass: nil))
        let json = try #require(try JSONSerialization.jsonObject(with: note.body(.json)) as? [String: Any])
        #expect(Set(json.keys) == ["apiVersion", "kind", "id", "rollout", "event", "verb", "clusters", "message",
                                   "actor", "time"])
        #expect(json["apiVersion"] as? String == "sluice.dev/v1")
        #expect(json["kind"] as? String == "RolloutNotification")
        #expect(json["id"] as? Int == 42)
        #expect(json["event"] as? String == "halted")
        #expect(json["clusters"] as? [String] == ["eu-1"])
        #expect(json["time"] as? String == "2026-12-02T08:29:53Z")
        let slack = try #require(try JSONSerialization.jsonObject(with: note.body(.slack)) as? [String: String])
        #expect(slack == ["text": "rollout web halted on eu-1 at 2026-12-02T08:29:53Z: \(message)"])
    }

    @Test func manyClustersAreShortenedInTheTextOnly() {
        let note = RolloutNotification(
            id: 1, rollout: "web", event: .completed, verb: "completed", clusters: ["a", "b", "c", "d", "e"],
            message: "every wave complete", actor: "sluiced", time: "2026-12-02T08:29:53Z")
        #expect(note.text == "rollout web completed on a, b, c and 2 more at 2026-12-02T08:29:53Z: every wave complete")
    }

    @Test func backoffDoublesUpToItsCapAndOnlyPassingFailuresAreRetried() {
        let backoff = WebhookBackoff(initialSeconds: 1, maxSeconds: 5)
        #expect((1...5).map(backoff.delaySeconds(afterAttempt:)) == [1, 2, 4, 5, 5])
        #expect(WebhookAnswer(status: 204, body: "") == .delivered)
        #expect(WebhookAnswer(status: 429, body: "") == .retryable("HTTP 429"))
        #expect(WebhookAnswer(status: 503, body: "busy") == .retryable("HTTP 503: busy"))
        #expect(WebhookAnswer(status: 404, body: "") == .rejected("HTTP 404"))
        #expect(WebhookAnswer(status: 400, body: "") == .rejected("HTTP 400"))
    }

    @Test func cursorKeysDoNotHoldTheURL() {
        let key = WebhookFeed.cursorKey(notifier: "oncall", url: "https://hooks.slack.com/services/T000/B000/XXXX")
        #expect(key.hasPrefix("oncall/"))
        #expect(!key.contains("XXXX"))
        let other = WebhookFeed.cursorKey(notifier: "oncall", url: "https://hooks.slack.com/services/T000/B000/YYYY")
        #expect(key != other)
    }
}
