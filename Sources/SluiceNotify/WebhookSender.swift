import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// Exponential backoff between tries: `initialSeconds`, then doubled each time, never more than `maxSeconds`.
public struct WebhookBackoff: Sendable, Equatable {
    public var initialSeconds: Double
    public var maxSeconds: Double

    public init(initialSeconds: Double = 1, maxSeconds: Double = 60) {
        self.initialSeconds = initialSeconds
        self.maxSeconds = maxSeconds
    }

    /// Seconds to wait after the failed try number `attempt` (1-based): 1, 2, 4, ... capped.
    public func delaySeconds(afterAttempt attempt: Int) -> Double {
        min(maxSeconds, initialSeconds * Double(1 << min(max(attempt - 1, 0), 30)))
    }
}

/// How one try of a delivery ended.
enum WebhookAnswer: Equatable {
    case delivered
    /// Worth another try: no connection, a timeout, 429 or 5xx.
    case retryable(String)
    /// Another try would get the same answer: any other status.
    case rejected(String)

    /// The answer an HTTP status means.
    init(status: Int, body: String) {
        let reason = body.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(body.prefix(200))"
        switch status {
        case 200..<300: self = .delivered
        case 429, 500..<600: self = .retryable(reason)
        default: self = .rejected(reason)
        }
    }
}

/// Posts bodies to one webhook, trying again with backoff on failures that may pass.
public struct WebhookSender: Sendable {
    public let webhook: WebhookConfig
    let backoff: WebhookBackoff
    /// Waits between tries; injected so tests need not wait for real.
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger

    public init(
        webhook: WebhookConfig, backoff: WebhookBackoff = WebhookBackoff(), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.webhook = webhook
        self.backoff = backoff
        self.sleep = sleep
        self.logger = logger
    }

    /// Posts `body` until delivered, rejected or out of attempts; returns whether it was delivered.
    ///
    /// A failure is logged as a warning with its reason; it never throws but for cancellation.
    public func deliver(_ body: Data, about what: String) async throws(CancellationError) -> Bool {
        var reason = ""
        for attempt in 1...webhook.attempts {
            if attempt > 1 {
                do {
                    try await sleep(.milliseconds(Int64(backoff.delaySeconds(afterAttempt: attempt - 1) * 1000)))
                } catch {
                    throw CancellationError()
                }
            }
            switch await post(body) {
            case .delivered:
                return true
            case .rejected(let why):
                logger.warning("webhook refused \(what), not retried: \(why)", metadata: ["webhook": "\(host)"])
                return false
            case .retryable(let why):
                if Task.isCancelled { throw CancellationError() }
                reason = why
            }
        }
        logger.warning(
            "webhook gave up on \(what) after \(webhook.attempts) attempts: \(reason)",
            metadata: ["webhook": "\(host)"])
        return false
    }

    /// The webhook's host, for logs: its path may hold a secret (Slack's do).
    var host: String { URL(string: webhook.url)?.host ?? "?" }

    func post(_ body: Data) async -> WebhookAnswer {
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sluiced")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let timeout = TimeAmount.milliseconds(Int64(webhook.timeoutSeconds * 1000))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let answer = try? await response.body.collect(upTo: 64 << 10)
            return WebhookAnswer(status: Int(response.status.code), body: answer.map { String(buffer: $0) } ?? "")
        } catch {
            return .retryable("\(error)")
        }
    }
}
