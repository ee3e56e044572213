public import SluiceCore

/// Reads `kind: GatePolicy` files.
public enum PolicyManifest {
    /// The policy in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> GatePolicy {
        let root = try ManifestFile.root(of: path, kind: "GatePolicy")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        let name = metadataName(fields)
        let spec = fields?.required("spec")?.mapping(allowed: ["maxSampleAge", "gates"])
        let maxAge = spec?["maxSampleAge"]?.durationSeconds() ?? 120
        var gates: [Gate] = []
        var seen: Set<String> = []
        for node in spec?.required("gates")?.sequence() ?? [] {
            guard let gate = decodeGate(node) else { continue }
            if !seen.insert(gate.name).inserted { node.fail("gate name '\(gate.name)' is used twice") }
            gates.append(gate)
        }
        try root.reader.check()
        return GatePolicy(name: name ?? "", gates: gates, maxSampleAgeSeconds: maxAge)
    }

    static func decodeGate(_ node: ManifestNode) -> Gate? {
        let allowed = ["name", "signal", "aggregate", "window", "max", "min", "onNoData", "action"]
        guard let fields = node.mapping(allowed: allowed) else { return nil }
        let name = fields.required("name")?.string()
        let signal = fields.required("signal")?.string()
        let aggregation = fields["aggregate"].flatMap(decodeAggregation) ?? .last
        let window = fields["window"]?.durationSeconds() ?? 60
        let onNoData = fields["onNoData"]?.choice(NoDataPolicy.self) ?? .fail
        let action = fields["action"]?.choice(GateAction.self) ?? .halt
        let bound: Bound?
        switch (fields["max"]?.double(), fields["min"]?.double()) {
        case (let limit?, nil): bound = .atMost(limit)
        case (nil, let limit?): bound = .atLeast(limit)
        case (_?, _?):
            node.fail("give either max (healthy at or below) or min (healthy at or above), not both")
            bound = nil
        case (nil, nil):
            if fields["max"] == nil && fields["min"] == nil {
                node.fail("a gate needs a bound: max (healthy at or below) or min (healthy at or above)")
            }
            bound = nil
        }
        guard let name, let signal, let bound else { return nil }
        return Gate(
            name: name, signal: signal, aggregation: aggregation, windowSeconds: window, bound: bound,
            onNoData: onNoData, action: action)
    }

    static func decodeAggregation(_ node: ManifestNode) -> Aggregation? {
        guard let text = node.string() else { return nil }
        switch text {
        case "last": return .last
        case "mean": return .mean
        case "max": return .max
        case "min": return .min
        default:
            if text.hasPrefix("p"), let percentile = Double(text.dropFirst()), percentile > 0, percentile <= 100 {
                return .percentile(percentile)
            }
            node.fail("'\(text)' is not an aggregation; use last, mean, max, min or a percentile like p99")
            return nil
        }
    }
}

extension NoDataPolicy: CaseIterable {
    public static let allCases: [NoDataPolicy] = [.fail, .halt]
}

extension GateAction: CaseIterable {
    public static let allCases: [GateAction] = [.halt, .rollbackCluster, .rollbackRollout]
}
