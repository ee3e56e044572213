import Foundation

/// What a webhook can be told about: the rollout events people act on.
public enum NotificationKind: String, Sendable, Equatable, Codable, CaseIterable {
    case halted
    case rolledBack
    case breakGlass
    case awaitingApproval
    case completed
}

/// How a webhook's request body is written.
public enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    /// `{"text": "..."}`: one readable line, what Slack's (and Mattermost's, Rocket.Chat's) incoming webhooks take.
    case slack
    /// The notification as a `kind: RolloutNotification` object (README's "Notifications").
    case json
}

/// One webhook of a `kind: Notifier` file.
public struct WebhookConfig: Sendable, Equatable {
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var format: WebhookFormat
    /// The kinds it is told about; every kind unless the file names some.
    public var kinds: [NotificationKind]
    /// Per request, connecting included.
    public var timeoutSeconds: Double
    /// Tries per notification (the first included), with exponential backoff between them.
    public var attempts: Int

    public init(
        url: String, format: WebhookFormat = .json, kinds: [NotificationKind] = NotificationKind.allCases,
        timeoutSeconds: Double = 10, attempts: Int = 5
    ) {
        self.url = url
        self.format = format
        self.kinds = kinds
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
    }
}

/// The webhooks of a `kind: Notifier` file.
public struct NotifierConfig: Sendable, Equatable {
    /// `metadata.name`: names the notifier's delivery cursors in the database.
    public var name: String
    public var webhooks: [WebhookConfig]

    public init(name: String, webhooks: [WebhookConfig]) {
        self.name = name
        self.webhooks = webhooks
    }
}
