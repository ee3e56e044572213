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

/// Reads `kind: Notifier` files.
public enum NotifierManifest {
    /// The notifier config in `path`, or every problem found in it (file:line: field: message).
    public static func load(_ path: String) throws(ManifestError) -> NotifierConfig {
        let root = try ManifestFile.root(of: path, kind: "Notifier")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        let name = metadataName(fields)
        let list = fields?.required("spec")?.mapping(allowed: ["webhooks"])?.required("webhooks")
        let entries = list?.sequence()
        if let entries, entries.isEmpty { list?.fail("give at least one webhook") }
        let webhooks = (entries ?? []).compactMap(webhook)
        try root.reader.check()
        return NotifierConfig(name: name ?? "", webhooks: webhooks)
    }

    static func webhook(_ node: ManifestNode) -> WebhookConfig? {
        guard let fields = node.mapping(allowed: ["url", "format", "on", "timeout", "attempts"]) else { return nil }
        let url = fields.required("url").flatMap(webhookURL)
        var config = WebhookConfig(url: url ?? "")
        config.format = fields["format"]?.choice(WebhookFormat.self) ?? config.format
        if let on = fields["on"], let names = on.sequence() {
            let kinds = names.compactMap { $0.choice(NotificationKind.self) }
            if names.isEmpty { on.fail("name at least one event, or leave `on` out for all of them") }
            config.kinds = NotificationKind.allCases.filter(kinds.contains)
        }
        config.timeoutSeconds =
            fields["timeout"]?.positiveDurationSeconds(zeroMeans: "would give up before connecting")
            ?? config.timeoutSeconds
        config.attempts = fields["attempts"]?.int(atLeast: 1) ?? config.attempts
        return url == nil ? nil : config
    }

    static func webhookURL(_ node: ManifestNode) -> String? {
        guard let text = node.string() else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            let host = url.host, !host.isEmpty
        else {
            node.fail("'\(text)' is not an absolute http:// or https:// URL")
            return nil
        }
        return text
    }
}
