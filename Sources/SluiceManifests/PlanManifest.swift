public import SluiceCore
internal import Yams

/// Reads `kind: RolloutPlan` files, without resolving the fleet and policy they name.
public enum PlanManifest {
    /// The policy of a plan that names none: the shipped one that gates on every signal of the Dec 2024 incident.
    public static let defaultPolicy = "control-plane-safe"

    /// The plan in `path` and the reader that knows where each field stands.
    static func decode(_ path: String) throws(ManifestError) -> (RolloutPlan, ManifestReader) {
        let document = try ManifestDocument.read(path, kind: "RolloutPlan")
        let name = document.name
        let spec = document.spec(allowed: ["artifact", "fleet", "policy", "waves", "apfBrake"])
        let artifact = spec?.required("artifact").flatMap(decodeArtifact)
        let fleet = spec?.required("fleet")?.string()
        let policy = spec?["policy"].map { $0.string() } ?? defaultPolicy
        let waves = (spec?.required("waves")?.sequence() ?? []).compactMap(decodeWave)
        let brake = spec?["apfBrake"].flatMap(decodeBrake)
        if brake != nil, let artifact, let problem = KubernetesName.subdomainProblem(artifact.name) {
            spec?["apfBrake"]?.fail("the brake's FlowSchema and priority level are named after the artifact, and "
                + "\(KubernetesName.quoted(artifact.name)) is not a Kubernetes object name: \(problem); rename the artifact")
        }
        try document.check()
        guard let name, let artifact, let fleet, let policy else { throw ManifestError(document.root.reader.problems) }
        let plan = RolloutPlan(
            name: name, artifact: artifact, fleetPath: fleet, policyName: policy, waves: waves, apfBrake: brake)
        if let problem = nameProblem(name) {
            document.nameNode?.fail("\(KubernetesName.quoted(name)) is not a valid rollout name: \(problem); use lowercase "
                + "letters, digits, '-' and '.', starting and ending with a letter or digit, at most "
                + "\(KubernetesName.maxLabelLength)")
            try document.check()
        }
        return (plan, document.root.reader)
    }

    static func decodeArtifact(_ node: ManifestNode) -> ArtifactRef? {
        guard let fields = node.mapping(allowed: ["name", "version", "apiProfile"]) else { return nil }
        let name = fields.required("name")?.string()
        let version = fields.required("version")?.string()
        let profile = fields["apiProfile"]?.string()
        if let name, let problem = CommandValue.problem(name, isPathComponent: true) {
            fields["name"]?.fail("\(KubernetesName.quoted(name)) cannot be an artifact name: \(problem); name the "
                + "artifact with letters, digits, '-', '_' and '.'")
        }
        if let version, let problem = CommandValue.problem(version, isPathComponent: false) {
            fields["version"]?.fail(
                "\(KubernetesName.quoted(version)) cannot be a version: \(problem); write it like 2.0.0")
        }
        guard let name, let version else { return nil }
        return ArtifactRef(name: name, version: version, apiProfile: profile)
    }

    /// `apfBrake: {serviceAccount: namespace/name, maxSeatShare: 10%}`; the share is optional.
    static func decodeBrake(_ node: ManifestNode) -> APFBrakeSpec? {
        guard let fields = node.mapping(allowed: ["serviceAccount", "maxSeatShare"]) else { return nil }
        let account = fields.required("serviceAccount").flatMap { field -> (String, String)? in
            guard let text = field.string() else { return nil }
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let problem = parts.count == 2
                ? parts.lazy.compactMap { KubernetesName.subdomainProblem($0) }.first
                : "it is not namespace/name"
            if let problem {
                field.fail("\(KubernetesName.quoted(text)) is not a service account: \(problem); write the agent's "
                    + "service account as namespace/name, like observability/telemetry-agent")
                return nil
            }
            return (parts[0], parts[1])
        }
        let share = fields["maxSeatShare"].map { field -> Double? in
            guard let text = field.string(), text.hasSuffix("%"), let percent = Double(text.dropLast()),
                percent > 0 && percent <= 50
            else {
                field.fail("write the largest share of each apiserver's seats the agent may hold as a percentage "
                    + "above 0% and at most 50%, like 10%")
                return nil
            }
            return percent / 100
        } ?? APFBrakeSpec.defaultMaxSeatShare
        guard let (namespace, serviceAccount) = account, let share else { return nil }
        return APFBrakeSpec(serviceAccount: serviceAccount, namespace: namespace, maxSeatShare: share)
    }

    static func decodeWave(_ node: ManifestNode) -> WavePlan? {
        let allowed = [
            "name", "clusters", "maxConcurrentClusters", "nodeBatches", "bakeBetweenBatches", "bakeAfterCluster",
            "approval",
        ]
        guard let fields = node.mapping(allowed: allowed) else { return nil }
        let name = fields.required("name")?.string()
        let clusters = fields.required("clusters").flatMap(decodeSelector)
        let concurrency = fields["maxConcurrentClusters"]?.int(atLeast: 1) ?? 1
        let batches = fields.required("nodeBatches")?.sequence()?.compactMap(decodeBatch)
        let bakeBetween = fields["bakeBetweenBatches"]?.durationSeconds() ?? 0
        let bakeAfter = fields["bakeAfterCluster"]?.durationSeconds() ?? 0
        let approval = fields["approval"]?.choice(ApprovalMode.self) ?? .automatic
        guard let name, let clusters, let batches else { return nil }
        return WavePlan(
            name: name, clusters: clusters, maxConcurrentClusters: concurrency, nodeBatches: batches,
            bakeBetweenBatchesSeconds: bakeBetween, bakeAfterClusterSeconds: bakeAfter, approval: approval)
    }

    static func decodeSelector(_ node: ManifestNode) -> ClusterSelector? {
        switch node.node {
        case .sequence:
            return .names(node.sequence()?.compactMap { $0.string() } ?? [])
        case .mapping:
            let labels = node.mapping(allowed: ["matchLabels"])?.required("matchLabels")?.stringMap()
            if labels?.isEmpty == true { node.fail("matchLabels is empty; name at least one label") }
            return labels.map(ClusterSelector.matchLabels)
        default:
            node.fail("expected a list of cluster names or {matchLabels: {label: value}}")
            return nil
        }
    }

    static func decodeBatch(_ node: ManifestNode) -> BatchStep? {
        guard let text = node.string() else { return nil }
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast()), percent.isFinite else {
                node.fail("'\(text)' is not a percentage; write it like 10%")
                return nil
            }
            return .percent(percent)
        }
        guard let count = Int(text) else {
            node.fail("'\(text)' is not a batch size; write a node count (5) or a percentage (10%)")
            return nil
        }
        return .count(count)
    }

    /// Why `name` is not a valid rollout name, or nil: rollout names go into journal keys and command lines, so they
    /// follow Kubernetes' DNS-1123 subdomain rule, at most 63 characters.
    static func nameProblem(_ name: String) -> String? {
        KubernetesName.subdomainProblem(name, maxLength: KubernetesName.maxLabelLength)
    }
}

extension ApprovalMode: CaseIterable {
    public static let allCases: [ApprovalMode] = [.automatic, .manual]
}
