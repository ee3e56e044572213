/// `1 node`, `5 nodes`, `2 breaches`: a count with its noun, for messages.
public func counted(_ count: Int, _ one: String, _ many: String? = nil) -> String {
    "\(count) \(count == 1 ? one : many ?? one + "s")"
}

/// Node indices as people count them, from 1 and inclusive: `node 7`, `nodes 7–60`.
public func nodesText(_ indices: Range<Int>) -> String {
    indices.count == 1 ? "node \(indices.lowerBound + 1)" : "nodes \(indices.lowerBound + 1)–\(indices.upperBound)"
}
