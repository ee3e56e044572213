/// How to read signals from Prometheus, as read from a `kind: PrometheusSource` file.
public struct PrometheusSourceConfig: Sendable, Equatable {
    /// One Prometheus for the whole fleet, series told apart by `{cluster}` in the queries; nil with `clusterURLs`.
    public var baseURL: String?
    /// A Prometheus per cluster (base URLs by cluster name); clusters missing here read from `baseURL`.
    public var clusterURLs: [String: String]
    /// A file whose content (trimmed) is sent as `Authorization: Bearer ...`; read at each query, so rotation works.
    public var bearerTokenFile: String?
    /// Basic auth user; the password is read from `basicAuthPasswordFile`.
    public var basicAuthUser: String?
    public var basicAuthPasswordFile: String?
    /// A PEM CA bundle to trust. URLSession on Linux cannot take one per session: the daemon sets it process-wide.
    public var caFile: String?
    /// The whole budget for one signal read, retries and backoff included.
    public var queryTimeoutSeconds: Double
    /// Further attempts after a failure that may pass (connection refused, timeout, 429, 5xx); never after 400/422.
    public var retries: Int
    /// The `step` of `/api/v1/query_range`.
    public var stepSeconds: Double
    /// Controller time `t` is Prometheus time `t + offsetSeconds` (a virtual clock starts at 0).
    public var offsetSeconds: Double
    /// PromQL templates by signal name, over the defaults; `{cluster}`, `{signal}` and `{artifact}` (the rollout's)
    /// are substituted.
    public var queries: [String: String]
    /// The template for a signal with no query of its own (nil: such a signal is an error, no data).
    public var fallbackQuery: String?

    public init(
        baseURL: String?, clusterURLs: [String: String] = [:], bearerTokenFile: String? = nil,
        basicAuthUser: String? = nil, basicAuthPasswordFile: String? = nil, caFile: String? = nil,
        queryTimeoutSeconds: Double = 10, retries: Int = 2, stepSeconds: Double = 30, offsetSeconds: Double = 0,
        queries: [String: String] = PrometheusSourceConfig.defaultQueries, fallbackQuery: String? = nil
    ) {
        self.baseURL = baseURL
        self.clusterURLs = clusterURLs
        self.bearerTokenFile = bearerTokenFile
        self.basicAuthUser = basicAuthUser
        self.basicAuthPasswordFile = basicAuthPasswordFile
        self.caFile = caFile
        self.queryTimeoutSeconds = queryTimeoutSeconds
        self.retries = retries
        self.stepSeconds = stepSeconds
        self.offsetSeconds = offsetSeconds
        self.queries = queries
        self.fallbackQuery = fallbackQuery
    }

    /// The placeholders a query may use.
    public static let placeholders = ["cluster", "signal", "artifact"]

    /// A query that reads a recording backfilled with `sluice record --format openmetrics` (or recording rules that
    /// name their series after the signals).
    public static let recordedSeriesQuery = "{signal}{cluster=\"{cluster}\"}"

    /// The default PromQL per signal over standard apiserver, APF and CoreDNS metrics, with a `cluster` label.
    /// Kept in step with `Examples/prometheus/queries.yaml` (a test compares them) and documented in docs/prometheus.md.
    public static let defaultQueries: [String: String] = [
        "apiserver_list_latency_p99_seconds":
            "histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{cluster=\"{cluster}\",verb=\"LIST\"}[5m])))",
        "apiserver_mutating_latency_p99_seconds":
            "histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{cluster=\"{cluster}\",verb=~\"POST|PUT|PATCH|DELETE\"}[5m])))",
        "apiserver_read_latency_p99_seconds":
            "histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{cluster=\"{cluster}\",verb=\"GET\"}[5m])))",
        "apiserver_request_rate": "sum(rate(apiserver_request_total{cluster=\"{cluster}\"}[5m]))",
        "apiserver_429_ratio":
            "sum(rate(apiserver_request_total{cluster=\"{cluster}\",code=\"429\"}[5m])) / sum(rate(apiserver_request_total{cluster=\"{cluster}\"}[5m]))",
        "apiserver_5xx_ratio":
            "sum(rate(apiserver_request_total{cluster=\"{cluster}\",code=~\"5..\"}[5m])) / sum(rate(apiserver_request_total{cluster=\"{cluster}\"}[5m]))",
        "apf_rejected_per_second": "sum(rate(apiserver_flowcontrol_rejected_requests_total{cluster=\"{cluster}\"}[5m]))",
        "apf_queued_requests": "sum(apiserver_flowcontrol_current_inqueue_requests{cluster=\"{cluster}\"})",
        "apf_seats_in_use": "sum(apiserver_flowcontrol_current_executing_seats{cluster=\"{cluster}\"})",
        "apf_seats_limit": "sum(apiserver_flowcontrol_nominal_limit_seats{cluster=\"{cluster}\"})",
        "apiserver_availability": "avg(avg_over_time(probe_success{cluster=\"{cluster}\",job=\"apiserver\"}[5m]))",
        "dns_servfail_ratio":
            "sum(rate(coredns_dns_responses_total{cluster=\"{cluster}\",rcode=\"SERVFAIL\"}[5m])) / sum(rate(coredns_dns_responses_total{cluster=\"{cluster}\"}[5m]))",
        "dns_lookup_latency_p99_seconds":
            "histogram_quantile(0.99, sum by (le) (rate(coredns_dns_request_duration_seconds_bucket{cluster=\"{cluster}\"}[5m])))",
        "cluster_nodes": "count(kube_node_info{cluster=\"{cluster}\"})",
        // The agent's own share, from the FlowSchema named after the artifact (Examples/kubectl/flowschema.yaml):
        // kube-apiserver labels these APF series by flow_schema.
        // A flow schema's series appear with its first request: none yet is 0, but only while the apiserver's APF
        // metrics are scraped at all (its nominal limits), so an apiserver that cannot be scraped stays no data.
        "agent_api_seats":
            "sum(apiserver_flowcontrol_current_executing_seats{cluster=\"{cluster}\",flow_schema=\"{artifact}\"}) or 0 * sum(apiserver_flowcontrol_nominal_limit_seats{cluster=\"{cluster}\"})",
        "agent_api_requests_per_second":
            "sum(rate(apiserver_flowcontrol_dispatched_requests_total{cluster=\"{cluster}\",flow_schema=\"{artifact}\"}[5m])) or 0 * sum(apiserver_flowcontrol_nominal_limit_seats{cluster=\"{cluster}\"})",
        // The agent's nodes, from kube-state-metrics' series of the DaemonSet named after the artifact.
        "agent_nodes":
            "sum(kube_daemonset_status_current_number_scheduled{cluster=\"{cluster}\",daemonset=\"{artifact}\"})",
        "agent_pods_not_ready":
            "sum(kube_daemonset_status_number_unavailable{cluster=\"{cluster}\",daemonset=\"{artifact}\"})",
        // A DaemonSet's pods are named <daemonset>-<5 characters>; PromQL anchors the regex, so no other matches.
        "agent_restarts_per_second":
            "sum(rate(kube_pod_container_status_restarts_total{cluster=\"{cluster}\",pod=~\"{artifact}-[a-z0-9]{5}\"}[5m])) or 0 * sum(kube_daemonset_status_number_unavailable{cluster=\"{cluster}\",daemonset=\"{artifact}\"})",
        "agent_ready_ratio":
            "sum(kube_daemonset_status_number_ready{cluster=\"{cluster}\",daemonset=\"{artifact}\"}) / sum(kube_daemonset_status_current_number_scheduled{cluster=\"{cluster}\",daemonset=\"{artifact}\"})",
    ]
}
