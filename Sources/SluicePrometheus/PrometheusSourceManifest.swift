public import SluiceManifests

/// Reads `kind: PrometheusSource` files.
public enum PrometheusSourceManifest {
    /// The source config in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> PrometheusSourceConfig {
        let document = try ManifestDocument.read(path, kind: "PrometheusSource")
        let spec = document.spec(allowed: [
            "url", "clusterURLs", "bearerTokenFile", "basicAuth", "caFile", "queryTimeout", "retries", "step",
            "offsetSeconds", "defaultQueries", "queries", "fallbackQuery",
        ])
        let url = spec?["url"]?.string()
        if let url, !isHTTP(url) { spec?["url"]?.fail("'\(url)' is not an http:// or https:// URL") }
        var clusterURLs: [String: String] = [:]
        if let node = spec?["clusterURLs"], let map = node.stringMap() {
            clusterURLs = map
            for cluster in map.keys.sorted() where !isHTTP(map[cluster]!) {
                node.fail("\(cluster): '\(map[cluster]!)' is not an http:// or https:// URL")
            }
        }
        if let spec, url == nil && clusterURLs.isEmpty {
            spec.owner.fail("give `url` (one Prometheus with a cluster label) or `clusterURLs` (one per cluster)")
        }
        let basic = spec?["basicAuth"]?.mapping(allowed: ["user", "passwordFile"])
        let user = basic?.required("user")?.string()
        let passwordFile = basic?.required("passwordFile")?.string()
        // `defaultQueries: false` starts from no queries (with recording rules and a fallbackQuery, for example).
        let useDefaults = spec?["defaultQueries"]?.bool() ?? true
        var queries = useDefaults ? PrometheusSourceConfig.defaultQueries : [:]
        if let node = spec?["queries"], let map = node.stringMap() {
            for (signal, query) in map {
                node.checkPlaceholders(
                    in: query, known: PrometheusSourceConfig.placeholders, prefix: "queries.\(signal): ")
                queries[signal] = query
            }
        }
        let config = PrometheusSourceConfig(
            baseURL: url, clusterURLs: clusterURLs, bearerTokenFile: spec?["bearerTokenFile"]?.string(),
            basicAuthUser: user, basicAuthPasswordFile: passwordFile, caFile: spec?["caFile"]?.string(),
            queryTimeoutSeconds: spec?["queryTimeout"]?.durationSeconds() ?? 10,
            retries: spec?["retries"]?.int(atLeast: 0) ?? 2, stepSeconds: spec?["step"]?.durationSeconds() ?? 30,
            offsetSeconds: spec?["offsetSeconds"]?.double() ?? 0, queries: queries,
            fallbackQuery: spec?["fallbackQuery"]?.string())
        try document.check()
        return config
    }

    static func isHTTP(_ url: String) -> Bool { url.hasPrefix("http://") || url.hasPrefix("https://") }
}
