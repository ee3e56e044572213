import Foundation
public import SluiceManifests

/// Reads `kind: Notifier` files.
public enum NotifierManifest {
    /// The notifier config in `path`, or every problem found in it (file:line: field: message).
    public static func load(_ path: String) throws(ManifestError) -> NotifierConfig {
        let document = try ManifestDocument.read(path, kind: "Notifier")
        let name = document.name
        let list = document.spec(allowed: ["webhooks"])?.required("webhooks")
        let entries = list?.sequence()
        if let entries, entries.isEmpty { list?.fail("give at least one webhook") }
        let webhooks = (entries ?? []).compactMap(webhook)
        try document.check()
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
