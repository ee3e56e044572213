public import Foundation

/// A python3 webhook server on loopback, for tests of notifications: it answers by path (`/flaky` 500 to its first
/// two requests then 200, `/down` always 503, `/reject` always 400, anything else 200) and logs every request.
public struct WebhookStandIn: Sendable {
    public let child: ChildProcess
    /// `http://127.0.0.1:PORT`.
    public let base: String

    static let script = """
        import http.server, socketserver, threading
        seen = {}
        lock = threading.Lock()
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0))).decode()
                with lock:
                    seen[self.path] = seen.get(self.path, 0) + 1
                    n = seen[self.path]
                    print("request", self.path, body, flush=True)
                if self.path == "/flaky" and n <= 2: status = 500
                elif self.path == "/down": status = 503
                elif self.path == "/reject": status = 400
                else: status = 200
                self.send_response(status); self.send_header("Content-Length", "2"); self.end_headers()
                self.wfile.write(b"no" if status >= 400 else b"ok")
            def log_message(self, *args): pass
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
        server = Server(("127.0.0.1", 0), Hook)
        print("port", server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// Why the stand-in could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts the server, its log in `directory`; returns once it listens.
    public static func start(in directory: URL) async throws -> WebhookStandIn {
        guard let interpreter = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else { throw StartError(description: "python3 is needed for the stand-in webhook server") }
        let child = try ChildProcess.launch(
            URL(fileURLWithPath: interpreter), ["-u", "-c", script], logDirectory: directory)
        var port: String?
        _ = try await eventually {
            port = child.output.split(separator: "\n").first { $0.hasPrefix("port ") }.map { String($0.dropFirst(5)) }
            return port != nil || !child.process.isRunning
        }
        guard let port else { throw StartError(description: "the stand-in server did not start: \(child.output)") }
        return WebhookStandIn(child: child, base: "http://127.0.0.1:\(port)")
    }

    /// The bodies posted to `path`, in order.
    public func bodies(_ path: String) -> [String] {
        child.output.split(separator: "\n").compactMap { line in
            line.hasPrefix("request \(path) ") ? String(line.dropFirst("request \(path) ".count)) : nil
        }
    }

    /// The JSON objects posted to `path`, in order; a body that is not one is skipped.
    public func objects(_ path: String) -> [[String: Any]] {
        bodies(path).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
