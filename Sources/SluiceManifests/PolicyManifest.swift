public import SluiceCore
internal import Yams

/// Reads `kind: GatePolicy` files.
public enum PolicyManifest {
    /// The policy in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> GatePolicy {
        try read(path).policy
    }

    /// The policy in `path` with what is doubtful in it but not wrong (a gate on a signal no source knows), or every
    /// problem found in it.
    public static func read(_ path: String) throws(ManifestError) -> (policy: GatePolicy, warnings: [ManifestProblem]) {
        let document = try ManifestDocument.read(path, kind: "GatePolicy")
        let name = document.name
        let spec = document.spec(allowed: [
            "maxSampleAge", "requireBakeCoveringLag", "lags", "fleet", "gates", "predictions", "escalateAfter",
            "ungated",
        ])
        let maxAge = spec?["maxSampleAge"].flatMap(decodeMaxSampleAge) ?? 120
        let ungated = spec?["ungated"]?.bool() ?? false
        let escalateAfter = spec?["escalateAfter"]?.durationSeconds()
        let requireBake = spec?["requireBakeCoveringLag"]?.bool() ?? false
        let lags = (spec?["lags"]?.sequence() ?? []).compactMap(decodeLag)
        let fleet = spec?["fleet"].flatMap(decodeFleet)
        var names: Set<String> = []
        var gates: [Gate] = []
        let gateNodes = spec?["gates"]?.sequence() ?? []
        for node in gateNodes {
            guard let gate = decodeGate(node) else { continue }
            if !names.insert(gate.name).inserted { node.fail("gate name '\(gate.name)' is used twice") }
            gates.append(gate)
        }
        var predictions: [PredictionGate] = []
        let predictionNodes = spec?["predictions"]?.sequence() ?? []
        for node in predictionNodes {
            guard let prediction = decodePrediction(node) else { continue }
            if !names.insert(prediction.name).inserted { node.fail("gate name '\(prediction.name)' is used twice") }
            predictions.append(prediction)
        }
        // Counted as written, so that a gate refused for another reason is not also reported as missing.
        if let spec {
            checkGated(spec, ungated: ungated, gates: gateNodes.count, predictions: predictionNodes.count)
        }
        try document.check()
        let policy = GatePolicy(
            name: name ?? "", gates: gates, predictions: predictions, lags: lags, requireBakeCoveringLag: requireBake,
            fleet: fleet, maxSampleAgeSeconds: maxAge, escalateAfterSeconds: escalateAfter)
        return (policy, document.root.reader.warnings)
    }

    /// A policy gates something, or says explicitly (`ungated: true`) that it gates nothing.
    static func checkGated(_ spec: ManifestFields, ungated: Bool, gates: Int, predictions: Int) {
        if gates == 0 && predictions == 0 && !ungated {
            (spec["gates"] ?? spec.owner).fail(
                "the policy has no gates and no predictions, so it would let every change through unchecked; add a "
                    + "gate, or write `ungated: true` under spec if this policy is meant to gate nothing")
        } else if ungated && gates + predictions > 0 {
            spec["ungated"]?.fail(
                "says the policy gates nothing, but it has \(gates) gate(s) and \(predictions) prediction(s); remove "
                    + "`ungated: true` or the gates")
        }
    }

    /// `maxSampleAge`: a positive duration, since every sample older than it is no data.
    static func decodeMaxSampleAge(_ node: ManifestNode) -> Double? {
        node.positiveDurationSeconds(
            zeroMeans: "would make every sample stale, so every gate would have no data; give the age past which a "
                + "sample no longer counts, like 2m")
    }

    /// A gate's or prediction's `window`: a positive duration, since an empty window holds no sample.
    static func decodeWindow(_ node: ManifestNode) -> Double? {
        node.positiveDurationSeconds(
            zeroMeans: "is an empty window: it holds no sample, so the gate would never have data; give how far back "
                + "to read, like 1m")
    }

    static func decodeGate(_ node: ManifestNode) -> Gate? {
        let allowed = [
            "name", "signal", "dividedBy", "scope", "aggregate", "window", "compare", "max", "min", "floor", "for",
            "recoverAfter", "onNoData", "action",
        ]
        guard let fields = node.mapping(allowed: allowed) else { return nil }
        let name = fields.required("name")?.string()
        let signal = fields.required("signal")?.string()
        let dividedBy = fields["dividedBy"]?.string()
        let scope = fields["scope"]?.choice(Gate.Scope.self) ?? .cluster
        let aggregation = fields["aggregate"].flatMap(decodeAggregation) ?? .last
        let window = fields["window"].flatMap(decodeWindow) ?? 60
        let comparison = fields["compare"]?.choice(Gate.Comparison.self) ?? .absolute
        let floor = fields["floor"]?.double()
        if floor != nil && comparison == .absolute {
            fields["floor"]?.fail("a floor only applies to compare: baseline or untouched")
        }
        let persistence = fields["for"].flatMap(decodePersistence) ?? Persistence()
        let recoverAfter = fields["recoverAfter"]?.int(atLeast: 1) ?? 1
        let onNoData = fields["onNoData"].flatMap(decodeNoData) ?? .fail
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
        warnIfUnknown(fields["signal"], signal: signal)
        warnIfUnknown(fields["dividedBy"], signal: dividedBy)
        if let signal {
            refuseNegative(fields, signal: signal, dividedBy: dividedBy, checksFloor: comparison != .absolute)
        }
        guard let name, let signal, let bound else { return nil }
        return Gate(
            name: name, signal: signal, dividedBy: dividedBy, scope: scope, aggregation: aggregation,
            windowSeconds: window, comparison: comparison, bound: bound, floor: floor, persistence: persistence,
            recoverAfter: recoverAfter, onNoData: onNoData, action: action)
    }

    /// Refuses a negative `max`, `min` or `floor` on a gate whose value is never negative (a known signal, or one
    /// known signal divided by another): the gate would always breach, always pass, or the floor never apply.
    static func refuseNegative(_ fields: ManifestFields, signal: String, dividedBy: String?, checksFloor: Bool) {
        guard let kind = KnownSignals.kind(of: signal) else { return }
        var what = "\(signal) is \(kind.described), never negative"
        if let divisor = dividedBy {
            guard let divisorKind = KnownSignals.kind(of: divisor) else { return }
            what = "\(signal) / \(divisor) (\(kind.described) over \(divisorKind.described)) is never negative"
        }
        let effects = [
            ("max", "the gate would always breach"), ("min", "the gate would always pass"),
            ("floor", "the floor would never apply"),
        ]
        for (field, effect) in effects where field != "floor" || checksFloor {
            guard let node = fields[field], let text = node.node.string, let value = Double(text), value < 0 else {
                continue
            }
            node.fail("\(text) is negative, but \(what), so \(effect); give 0 or more")
        }
    }

    /// Warns about a signal no source knows: a typo, or a query the user must give the Prometheus source.
    static func warnIfUnknown(_ node: ManifestNode?, signal: String?) {
        guard let node, let signal, KnownSignals.kind(of: signal) == nil else { return }
        let hint = closest(to: signal, in: KnownSignals.names).map { "did you mean '\($0)'? " } ?? ""
        node.warn(
            "no source knows the signal '\(signal)': it has no data unless a recording has it or the Prometheus "
                + "source gives it a query, and no data never passes; \(hint)(known signals: "
                + "\(KnownSignals.names.joined(separator: ", ")))")
    }

    /// `for: 3` (evaluations in a row) or `for: 2m` (a duration).
    static func decodePersistence(_ node: ManifestNode) -> Persistence? {
        if let text = node.node.string, let count = Int(text) {
            guard count >= 1 else {
                node.fail("must be at least 1 evaluation")
                return nil
            }
            return Persistence(evaluations: count)
        }
        return node.durationSeconds().map { Persistence(evaluations: 1, seconds: $0) }
    }

    static func decodeNoData(_ node: ManifestNode) -> NoDataPolicy? {
        if node.node.string == "inconclusive" || node.node.string == "pass" {
            node.fail("Sluice never lets missing data pass or be ignored; use fail (the gate's action) or halt")
            return nil
        }
        return node.choice(NoDataPolicy.self)
    }

    static func decodePrediction(_ node: ManifestNode) -> PredictionGate? {
        let allowed = [
            "name", "costSignal", "capacitySignal", "usageSignal", "agentNodesSignal", "maxProjectedUtilization",
            "window", "settle", "action",
        ]
        guard let fields = node.mapping(allowed: allowed) else { return nil }
        let defaults = PredictionGate(name: "")
        let name = fields.required("name")?.string()
        for field in ["costSignal", "capacitySignal", "usageSignal", "agentNodesSignal"] {
            warnIfUnknown(fields[field], signal: fields[field]?.node.string)
        }
        let utilization = fields["maxProjectedUtilization"].flatMap(decodeShare) ?? defaults.maxProjectedUtilization
        let prediction = PredictionGate(
            name: name ?? "", costSignal: fields["costSignal"]?.string() ?? defaults.costSignal,
            capacitySignal: fields["capacitySignal"]?.string() ?? defaults.capacitySignal,
            usageSignal: fields["usageSignal"]?.string() ?? defaults.usageSignal,
            agentNodesSignal: fields["agentNodesSignal"]?.string() ?? defaults.agentNodesSignal,
            maxProjectedUtilization: utilization,
            windowSeconds: fields["window"].flatMap(decodeWindow) ?? defaults.windowSeconds,
            settleSeconds: fields["settle"]?.durationSeconds() ?? defaults.settleSeconds,
            action: fields["action"]?.choice(GateAction.self) ?? defaults.action)
        return name == nil ? nil : prediction
    }

    /// A share written as `70%` or `0.7`, in (0, 10].
    static func decodeShare(_ node: ManifestNode) -> Double? {
        guard let text = node.node.string else {
            node.fail("expected a share like 70% or 0.7")
            return nil
        }
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, value > 0, value <= 10 else {
            node.fail("'\(text)' is not a share; write it like 70% or 0.7")
            return nil
        }
        return value
    }

    static func decodeLag(_ node: ManifestNode) -> SignalLag? {
        guard let fields = node.mapping(allowed: ["signal", "hidesFailureFor"]) else { return nil }
        let signal = fields.required("signal")?.string()
        let lag = fields.required("hidesFailureFor")?.durationSeconds()
        guard let signal, let lag else { return nil }
        return SignalLag(signal: signal, hidesFailureForSeconds: lag)
    }

    static func decodeFleet(_ node: ManifestNode) -> FleetBreaker? {
        let allowed = ["maxClustersInProgress", "haltWhenClustersBreaching", "haltWhenTelemetryMissing"]
        guard let fields = node.mapping(allowed: allowed) else { return nil }
        return FleetBreaker(
            maxClustersInProgress: fields["maxClustersInProgress"]?.int(atLeast: 1),
            haltWhenClustersBreaching: fields["haltWhenClustersBreaching"]?.int(atLeast: 1),
            haltWhenTelemetryMissingShare: fields["haltWhenTelemetryMissing"].flatMap(decodeShare))
    }

    static func decodeAggregation(_ node: ManifestNode) -> Aggregation? {
        guard let text = node.string() else { return nil }
        switch text {
        case "last": return .last
        case "mean": return .mean
        case "max": return .max
        case "min": return .min
        case "rate": return .rate
        default:
            if text.hasPrefix("p"), let percentile = Double(text.dropFirst()), percentile > 0, percentile <= 100 {
                return .percentile(percentile)
            }
            node.fail("'\(text)' is not an aggregation; use last, mean, max, min, rate or a percentile like p99")
            return nil
        }
    }
}

extension NoDataPolicy: CaseIterable {
    /// The choices a policy file may make: no data never passes.
    public static let allCases: [NoDataPolicy] = [.fail, .halt]
}

extension GateAction: CaseIterable {
    public static let allCases: [GateAction] = [.halt, .rollbackCluster, .rollbackRollout]
}
