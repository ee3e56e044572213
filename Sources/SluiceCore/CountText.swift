/// `1 node`, `5 nodes`, `2 breaches`: a count with its noun, for messages.
public func counted(_ count: Int, _ one: String, _ many: String? = nil) -> String {
    "\(count) \(count == 1 ? one : many ?? one + "s")"
}
