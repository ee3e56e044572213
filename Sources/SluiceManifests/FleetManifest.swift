public import SluiceCore

/// Reads `kind: Fleet` files.
public enum FleetManifest {
    /// The fleet in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> Fleet {
        let document = try ManifestDocument.read(path, kind: "Fleet")
        let name = document.name
        let spec = document.spec(allowed: ["clusters"])
        var clusters: [FleetCluster] = []
        var seen: [String: Int] = [:]
        for node in spec?.required("clusters")?.sequence() ?? [] {
            guard let cluster = decodeCluster(node) else { continue }
            if let line = seen[cluster.name] {
                node.fail("cluster '\(cluster.name)' is already declared at line \(line)")
            }
            seen[cluster.name] = node.line
            clusters.append(cluster)
        }
        if spec != nil && clusters.isEmpty && document.root.reader.problems.isEmpty {
            document.root.fail("a fleet needs at least one cluster under spec.clusters")
        }
        try document.check()
        return Fleet(name: name ?? "", clusters: clusters)
    }

    static func decodeCluster(_ node: ManifestNode) -> FleetCluster? {
        guard let fields = node.mapping(allowed: ["name", "labels", "nodes", "nodeNames", "apiservers", "podsPerNode"])
        else { return nil }
        let name = fields.required("name").flatMap(decodeClusterName)
        let labels = fields["labels"]?.stringMap() ?? [:]
        let decodedNames = fields["nodeNames"]?.sequence()?.map(decodeNodeName)
        let names = decodedNames?.compactMap { $0 }
        let namesAreValid = names?.count == decodedNames?.count
        var nodeCount = fields["nodes"]?.int(atLeast: 1)
        if let names, namesAreValid {
            if names.isEmpty { fields["nodeNames"]?.fail("lists no node; list the cluster's nodes or give nodes: N") }
            if let count = nodeCount, count != names.count {
                fields["nodes"]?.fail("says \(count) but nodeNames lists \(names.count); give one of them")
            }
            if Set(names).count != names.count { fields["nodeNames"]?.fail("lists a node twice") }
            nodeCount = names.count
        } else if names == nil && fields["nodes"] == nil {
            node.fail("give the cluster's node count (nodes: N) or its node names (nodeNames: [...])")
        }
        let apiservers = fields["apiservers"]?.int(atLeast: 1) ?? 1
        let podsPerNode = fields["podsPerNode"]?.int(atLeast: 1) ?? 30
        guard let name, let nodeCount, nodeCount > 0, namesAreValid else { return nil }
        return FleetCluster(
            name: name, labels: labels, nodeCount: nodeCount, nodeNames: names, apiservers: apiservers,
            podsPerNode: podsPerNode)
    }

    /// A cluster name: a DNS-1123 label, as Kubernetes names its objects, so that it can never become an option or a
    /// path in a driver's command.
    static func decodeClusterName(_ node: ManifestNode) -> String? {
        guard let name = node.string() else { return nil }
        if let problem = KubernetesName.labelProblem(name) {
            node.fail("\(KubernetesName.quoted(name)) is not a valid cluster name: \(problem); use lowercase letters, "
                + "digits and '-', starting and ending with a letter or digit, at most "
                + "\(KubernetesName.maxLabelLength)")
            return nil
        }
        return name
    }

    /// A node name: a DNS-1123 subdomain, as Kubernetes allows for nodes.
    static func decodeNodeName(_ node: ManifestNode) -> String? {
        guard let name = node.string() else { return nil }
        if let problem = KubernetesName.subdomainProblem(name) {
            node.fail("\(KubernetesName.quoted(name)) is not a valid node name: \(problem); use lowercase letters, "
                + "digits, '-' and '.', each part between dots starting and ending with a letter or digit, at most "
                + "\(KubernetesName.maxSubdomainLength)")
            return nil
        }
        return name
    }
}
