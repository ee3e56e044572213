public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import SluiceCore

/// Why Prometheus gave no usable data for a signal; gates treat it as no data, never as healthy.
public struct PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for the gate's reason: "timed out after 2s", "HTTP 400 bad_data: ...", "NaN at ...".
    public var reason: String
    /// Whether another attempt may succeed (connection refused, timeout, 429, 5xx), as opposed to a bad query.
    public var retryable: Bool

    public init(_ reason: String, retryable: Bool = false) {
        self.reason = reason
        self.retryable = retryable
    }

    public var description: String { "prometheus: \(reason)" }
}

/// Signals read from Prometheus's HTTP API with `/api/v1/query_range`, evaluated at the controller's times.
///
/// Each read is one range query from `from + offsetSeconds` to `through + offsetSeconds` at `stepSeconds`; the
/// query must give one series (aggregate with `sum`, `max`...). Empty results, a newest value that is NaN, HTTP
/// errors, timeouts, refused connections and bodies that are not Prometheus JSON are all thrown with the reason.
/// Attempts that may pass are retried with exponential backoff inside `queryTimeoutSeconds`.
public struct PrometheusSignalSource: SignalSource {
    public let config: PrometheusSourceConfig
    let session: URLSession

    public init(config: PrometheusSourceConfig) {
        self.config = config
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = max(1, config.queryTimeoutSeconds.rounded(.up))
        configuration.timeoutIntervalForResource = max(1, config.queryTimeoutSeconds.rounded(.up))
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    /// The PromQL for `signal` on `cluster` in a rollout of `artifact`, or nil when neither a query nor a fallback
    /// covers the signal. `{artifact}` stays as written without an artifact (and the query then fails).
    public func query(cluster: String, signal: String, artifact: String? = nil) -> String? {
        guard let template = config.queries[signal] ?? config.fallbackQuery else { return nil }
        return Placeholders.substitute(template) { name in
            switch name {
            case "cluster": cluster
            case "signal": signal
            case "artifact": artifact
            default: nil
            }
        }
    }

    public func samples(cluster: String, signal: String, from: Double, through: Double) async throws -> [SignalSample] {
        try await fetch(cluster: cluster, artifact: nil, signal: signal, from: from, through: through)
    }

    public func samples(cluster: String, artifact: String, signal: String, from: Double, through: Double) async throws
        -> [SignalSample]
    {
        try await fetch(cluster: cluster, artifact: artifact, signal: signal, from: from, through: through)
    }

    /// Runs the signal's query over the window; a query naming `{artifact}` needs one.
    func fetch(cluster: String, artifact: String?, signal: String, from: Double, through: Double) async throws
        -> [SignalSample]
    {
        guard let promQL = query(cluster: cluster, signal: signal, artifact: artifact) else {
            throw PrometheusError("no query for signal '\(signal)'; add one under spec.queries or set spec.fallbackQuery")
        }
        if artifact == nil && promQL.contains("{artifact}") {
            throw PrometheusError("the query for '\(signal)' names {artifact}, and it is read outside a rollout")
        }
        guard let base = config.clusterURLs[cluster] ?? config.baseURL else {
            throw PrometheusError("no Prometheus URL for cluster '\(cluster)'; add it to spec.clusterURLs or set spec.url")
        }
        let step = max(config.stepSeconds, 1)
        let start = from + config.offsetSeconds
        let end = max(through + config.offsetSeconds, start)
        let url = try Self.url(base: base, path: "api/v1/query_range", parameters: [
            ("query", promQL), ("start", Self.number(start)), ("end", Self.number(end)), ("step", Self.number(step)),
        ])
        let values = try await fetchWithRetries(url)
        guard let newest = values.last else {
            throw PrometheusError("no data: the query returned no series for \(cluster) (\(promQL))")
        }
        if newest.value.isNaN {
            throw PrometheusError("NaN at \(Self.number(newest.at)) for \(cluster) (\(promQL))")
        }
        // A known signal can never be negative: such a value is a wrong query or exporter, not a measurement.
        if let kind = KnownSignals.kind(of: signal), let negative = values.first(where: { $0.value < 0 }) {
            throw PrometheusError(
                "\(signal) is \(Self.number(negative.value)) at \(Self.number(negative.at)) for \(cluster), but "
                    + "\(kind.described) is never negative: the query is wrong (\(promQL))")
        }
        return values.map { SignalSample(at: $0.at - config.offsetSeconds, value: $0.value) }
            .filter { $0.at >= from - 1e-6 && $0.at <= through + 1e-6 }
    }

    /// One query with retries and backoff, all inside `queryTimeoutSeconds`.
    func fetchWithRetries(_ url: URL) async throws -> [SignalSample] {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(config.queryTimeoutSeconds * 1000))
        var backoff = Duration.milliseconds(200)
        var attempt = 0
        while true {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw PrometheusError("timed out after \(Self.number(config.queryTimeoutSeconds))s", retryable: true)
            }
            do {
                return try await fetchOnce(url, timeout: remaining)
            } catch let error as PrometheusError {
                attempt += 1
                guard error.retryable, attempt <= config.retries, clock.now + backoff < deadline else {
                    throw attempt > 1 ? PrometheusError("\(error.reason) (after \(attempt) attempts)") : error
                }
                try await Task.sleep(for: backoff)
                backoff *= 2
            }
        }
    }

    /// One HTTP request, abandoned after `timeout`.
    func fetchOnce(_ url: URL, timeout: Duration) async throws -> [SignalSample] {
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        // Foundation on Linux truncates the interval to whole seconds (0 fires at once): round up; the race below
        // keeps the real deadline.
        request.timeoutInterval = max(1, seconds.rounded(.up))
        if let authorization = try authorization() { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let session = session
        let prepared = request
        let timeoutSeconds = config.queryTimeoutSeconds
        let host = url.host ?? ""
        let (data, response) = try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
            group.addTask {
                do {
                    return try await session.data(for: prepared)
                } catch let error as URLError {
                    throw Self.describe(error, timeoutSeconds: timeoutSeconds)
                } catch is CancellationError {
                    return nil
                } catch {
                    throw PrometheusError("\(host): \(error.localizedDescription)", retryable: true)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw PrometheusError("timed out after \(Self.number(timeoutSeconds))s", retryable: true)
            }
            return result
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return try PrometheusResponse.parse(data, status: status)
    }

    func authorization() throws -> String? {
        if let file = config.bearerTokenFile {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw PrometheusError("cannot read bearerTokenFile \(file)")
            }
            return "Bearer " + token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let user = config.basicAuthUser, let file = config.basicAuthPasswordFile {
            guard let password = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw PrometheusError("cannot read basicAuth.passwordFile \(file)")
            }
            let pair = "\(user):\(password.trimmingCharacters(in: .newlines))"
            return "Basic " + Data(pair.utf8).base64EncodedString()
        }
        return nil
    }

    static func describe(_ error: URLError, timeoutSeconds: Double) -> PrometheusError {
        switch error.code {
        case .timedOut: PrometheusError("timed out after \(number(timeoutSeconds))s", retryable: true)
        case .cannotConnectToHost: PrometheusError("connection refused (\(error.localizedDescription))", retryable: true)
        case .cancelled: PrometheusError("timed out after \(number(timeoutSeconds))s", retryable: true)
        default: PrometheusError("\(error.localizedDescription) (URLError \(error.code.rawValue))", retryable: true)
        }
    }

    /// `base` + `path` with query parameters percent-encoded strictly (`+` included, which Prometheus reads as a space).
    static func url(base: String, path: String, parameters: [(String, String)]) throws -> URL {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        let root = base.hasSuffix("/") ? base : base + "/"
        guard let url = URL(string: root + path + "?" + query) else {
            throw PrometheusError("'\(base)' is not a usable URL")
        }
        return url
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
    }
}

/// Parses Prometheus's API responses: `{"status": ..., "data": {"resultType": ..., "result": ...}}`.
public enum PrometheusResponse {
    /// The samples of a one-series result (matrix, vector or scalar), oldest first, or why there are none.
    public static func parse(_ data: Data, status: Int) throws(PrometheusError) -> [SignalSample] {
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        if let object, (object["status"] as? String) == "error" {
            let kind = object["errorType"] as? String ?? "error"
            let message = object["error"] as? String ?? "no message"
            throw PrometheusError("HTTP \(status) \(kind): \(message)", retryable: retryable(status))
        }
        guard (200..<300).contains(status) else {
            let body = String(decoding: data.prefix(200), as: UTF8.self)
            throw PrometheusError("HTTP \(status): \(body)", retryable: retryable(status))
        }
        guard let object, let payload = object["data"] as? [String: Any], let type = payload["resultType"] as? String
        else {
            let body = String(decoding: data.prefix(80), as: UTF8.self)
            throw PrometheusError("the response is not Prometheus JSON: \(body)")
        }
        switch type {
        case "scalar":
            guard let pair = payload["result"] as? [Any] else { throw PrometheusError("malformed scalar result") }
            return [try sample(pair)]
        case "vector", "matrix":
            guard let series = payload["result"] as? [[String: Any]] else {
                throw PrometheusError("malformed \(type) result")
            }
            if series.isEmpty { return [] }
            guard series.count == 1 else {
                throw PrometheusError(
                    "the query returned \(series.count) series; it must give one per cluster (aggregate with sum or max)")
            }
            if type == "vector" {
                guard let pair = series[0]["value"] as? [Any] else { throw PrometheusError("malformed vector result") }
                return [try sample(pair)]
            }
            guard let pairs = series[0]["values"] as? [[Any]] else { throw PrometheusError("malformed matrix result") }
            var samples: [SignalSample] = []
            for pair in pairs { samples.append(try sample(pair)) }
            return samples.sorted { $0.at < $1.at }
        default:
            throw PrometheusError("unsupported result type '\(type)'")
        }
    }

    static func retryable(_ status: Int) -> Bool { status == 429 || status >= 500 }

    /// `[unixSeconds, "value"]`; values are strings, including "NaN", "+Inf" and "-Inf".
    static func sample(_ pair: [Any]) throws(PrometheusError) -> SignalSample {
        guard pair.count == 2, let at = (pair[0] as? NSNumber)?.doubleValue, let text = pair[1] as? String else {
            throw PrometheusError("malformed sample \(pair)")
        }
        let value: Double
        switch text {
        case "NaN": value = .nan
        case "+Inf", "Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let number = Double(text) else { throw PrometheusError("value '\(text)' is not a number") }
            value = number
        }
        return SignalSample(at: at, value: value)
    }
}
