public import SluiceCore

/// Reads `kind: Fleet` files.
public enum FleetManifest {
    /// The fleet in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> Fleet {
        let root = try ManifestFile.root(of: path, kind: "Fleet")
        let fields = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"])
        let name = metadataName(fields)
        let spec = fields?.required("spec")?.mapping(allowed: ["clusters"])
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
        if spec != nil && clusters.isEmpty && root.reader.problems.isEmpty {
            root.fail("a fleet needs at least one cluster under spec.clusters")
        }
        try root.reader.check()
        return Fleet(name: name ?? "", clusters: clusters)
    }

    static func decodeCluster(_ node: ManifestNode) -> FleetCluster? {
        guard let fields = node.mapping(allowed: ["name", "labels", "nodes", "nodeNames", "apiservers", "podsPerNode"])
        else { return nil }
        let name = fields.required("name")?.string()
        let labels = fields["labels"]?.stringMap() ?? [:]
        let names = fields["nodeNames"]?.sequence()?.compactMap { $0.string() }
        var nodeCount = fields["nodes"]?.int(atLeast: 1)
        if let names {
            if let count = nodeCount, count != names.count {
                fields["nodes"]?.fail("says \(count) but nodeNames lists \(names.count); give one of them")
            }
            if Set(names).count != names.count { fields["nodeNames"]?.fail("lists a node twice") }
            nodeCount = names.count
        } else if fields["nodes"] == nil {
            node.fail("give the cluster's node count (nodes: N) or its node names (nodeNames: [...])")
        }
        let apiservers = fields["apiservers"]?.int(atLeast: 1) ?? 1
        let podsPerNode = fields["podsPerNode"]?.int(atLeast: 1) ?? 30
        guard let name, let nodeCount, nodeCount > 0 else { return nil }
        return FleetCluster(
            name: name, labels: labels, nodeCount: nodeCount, nodeNames: names, apiservers: apiservers,
            podsPerNode: podsPerNode)
    }
}

/// `metadata.name` of a manifest, required.
func metadataName(_ fields: ManifestFields?) -> String? {
    fields?.required("metadata")?.mapping(allowed: ["name", "labels", "annotations"])?.required("name")?.string()
}
