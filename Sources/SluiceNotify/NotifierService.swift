import Crypto
import Foundation
public import Logging
public import ServiceLifecycle
public import SluiceStore
import SluiceCore

/// Tells webhooks about new events of the log, beside the controller: never inside a pass, so a slow or failing
/// webhook never holds up a rollout.
///
/// Each webhook follows the log on its own cursor in the database (``WebhookFeed``): it starts at the newest event,
/// and after a restart sends what it had not finished (at-least-once; a receiver drops repeats by `id`).
public struct NotifierService: Service {
    public let feeds: [WebhookFeed]

    /// `holdsLease` says whether this daemon drives the rollouts now: a standby sends nothing, so two daemons on one
    /// database do not both notify.
    public init(
        config: NotifierConfig, store: SluiceStore, pollInterval: Duration = .seconds(1), logger: Logger,
        backoff: WebhookBackoff = WebhookBackoff(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        holdsLease: @escaping @Sendable () -> Bool = { true }
    ) {
        feeds = config.webhooks.map { webhook in
            WebhookFeed(
                sender: WebhookSender(webhook: webhook, backoff: backoff, logger: logger, sleep: sleep), store: store,
                cursor: WebhookFeed.cursorKey(notifier: config.name, url: webhook.url), pollInterval: pollInterval,
                logger: logger, holdsLease: holdsLease)
        }
    }

    /// Runs every webhook's feed until graceful shutdown (or cancellation).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for feed in feeds { group.addTask { await feed.run() } }
            }
        }
    }
}

/// One webhook following the event log from its cursor.
public struct WebhookFeed: Sendable {
    let sender: WebhookSender
    let store: SluiceStore
    /// The cursor's key in the database.
    let cursor: String
    let pollInterval: Duration
    let logger: Logger
    let holdsLease: @Sendable () -> Bool
    /// Events read per query.
    static let pageSize = 100

    /// The cursor's key: the notifier's name and the URL's SHA-256 (a webhook URL may be a secret, as Slack's are).
    static func cursorKey(notifier: String, url: String) -> String {
        "\(notifier)/\(SHA256.hash(data: Data(url.utf8)).hexDigits)"
    }

    /// Sends every new event, then waits `pollInterval` and looks again, until cancelled. A store error is logged
    /// and the events after the stored cursor are tried at the next look.
    ///
    /// The cursor starts before the lease is looked at: the cursor is the database's, shared with a standby, and what
    /// happens while this daemon waits for the lease is sent once it holds it.
    public func run() async {
        var position: Int64?
        while !Task.isCancelled {
            do {
                let start = try position ?? store.startNotifierCursor(webhook: cursor)
                position = start
                if holdsLease() { position = try await sendNew(after: start) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("notifier cannot read the event log: \(error)")
                // The stored cursor may have moved past `position` before the error: start from it again.
                position = nil
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Sends the events after `eventID` that the webhook is told about, moving the cursor past each; returns the new
    /// position.
    func sendNew(after eventID: Int64) async throws -> Int64 {
        var position = eventID
        var waves: [String: [WaveClusters]] = [:]
        while true {
            let events = try store.events(after: position, limit: Self.pageSize)
            guard let last = events.last else { return position }
            let pass = try store.lastControllerPass()
            for stored in events {
                if waves[stored.rollout] == nil {
                    let spec = try store.rollout(named: stored.rollout)?.spec
                    waves[stored.rollout] = spec.map(WaveClusters.of) ?? []
                }
                guard let note = RolloutNotification(stored, waves: waves[stored.rollout] ?? [], pass: pass),
                    sender.webhook.kinds.contains(note.event)
                else { continue }
                _ = try await sender.deliver(note.body(sender.webhook.format), about: "\(note.verb) of \(note.rollout)")
                try store.advanceNotifierCursor(webhook: cursor, to: stored.id)
            }
            try store.advanceNotifierCursor(webhook: cursor, to: last.id)
            position = last.id
        }
    }
}
