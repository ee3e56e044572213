import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `sluiced --listen HOST:PORT`: `/metrics` in Prometheus's text format, `/healthz` (the process answers) and
/// `/readyz` (the database is readable and the lease can be seen: this daemon holds it or stands by).
struct OperatorEndpoint: Service {
    /// The answer to `/readyz`: nil when ready, else why not.
    typealias Readiness = @Sendable () -> String?

    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let readiness: Readiness
    /// Records what is measured only when scraped (counts read from the database), just before `/metrics` answers.
    let beforeScrape: @Sendable () -> Void
    let logger: Logger

    /// Parses `HOST:PORT` (IPv4 or a name); nil when it is not one.
    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon > text.startIndex
        else { return nil }
        return (String(text[..<colon]), port)
    }

    func run() async throws {
        let registry = registry
        let readiness = readiness
        let beforeScrape = beforeScrape
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(
                        Responder(registry: registry, readiness: readiness, beforeScrape: beforeScrape))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("serving /metrics, /healthz and /readyz", metadata: ["listen": "\(host):\(port)"])
        try? await gracefulShutdown()
        try await channel.close()
    }

    /// Answers one request per message; anything but GET of the three paths is 404 or 405.
    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let registry: PrometheusCollectorRegistry
        let readiness: Readiness
        let beforeScrape: @Sendable () -> Void
        private var request: HTTPRequestHead?

        init(
            registry: PrometheusCollectorRegistry, readiness: @escaping Readiness,
            beforeScrape: @escaping @Sendable () -> Void = {}
        ) {
            self.registry = registry
            self.readiness = readiness
            self.beforeScrape = beforeScrape
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): request = head
            case .body: break
            case .end:
                guard let head = request else { return }
                request = nil
                let (status, contentType, body) = answer(head)
                var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.utf8.count)")])
                if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
                let responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                let bytes = context.channel.allocator.buffer(string: body)
                context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
                let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !head.isKeepAlive {
                    let channel = context.channel
                    done.whenComplete { _ in channel.close(promise: nil) }
                }
            }
        }

        func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard ["/metrics", "/healthz", "/readyz"].contains(path) else {
                return (.notFound, "text/plain", "not found: /metrics, /healthz and /readyz are served\n")
            }
            guard head.method == .GET || head.method == .HEAD else {
                return (.methodNotAllowed, "text/plain", "only GET\n")
            }
            switch path {
            case "/metrics":
                beforeScrape()
                return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToString())
            case "/healthz": return (.ok, "text/plain", "ok\n")
            default:
                if let problem = readiness() { return (.serviceUnavailable, "text/plain", "not ready: \(problem)\n") }
                return (.ok, "text/plain", "ready\n")
            }
        }
    }
}
