/// One gate on one cluster: what a gate's track and baseline belong to.
///
/// Stored as `gate|cluster` (a JSON object key in the status), which reads back unambiguously because a cluster name
/// is a Kubernetes name and never holds `|`.
public struct GateOnCluster: Hashable, Sendable, Comparable, CodingKeyRepresentable, Codable {
    public var gate: String
    public var cluster: String

    public init(gate: String, cluster: String) {
        self.gate = gate
        self.cluster = cluster
    }

    /// The stored spelling, `gate|cluster`.
    public var storageKey: String { "\(gate)|\(cluster)" }

    /// The pair stored as `key`, or nil when it has no `|`.
    public init?(storageKey key: String) {
        guard let bar = key.lastIndex(of: "|") else { return nil }
        self.init(gate: String(key[..<bar]), cluster: String(key[key.index(after: bar)...]))
    }

    public static func < (lhs: GateOnCluster, rhs: GateOnCluster) -> Bool {
        (lhs.gate, lhs.cluster) < (rhs.gate, rhs.cluster)
    }

    public var codingKey: any CodingKey { StorageKey(stringValue: storageKey) }

    public init?<T: CodingKey>(codingKey: T) {
        self.init(storageKey: codingKey.stringValue)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let pair = GateOnCluster(storageKey: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not gate|cluster"))
        }
        self = pair
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storageKey)
    }

    private struct StorageKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension GateEvaluation {
    /// The gate and cluster this evaluation is of.
    public var subject: GateOnCluster { GateOnCluster(gate: gate, cluster: cluster) }
}
