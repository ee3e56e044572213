import Foundation
import SluiceCore

/// The encoded parts of one rollout's latest status, and how to put a status's text together from them: exactly the
/// text `Codec.encode` gives, re-encoding only the parts that changed since the previous status (a 200-cluster status
/// changes a few clusters and cost samples a pass, and encoding all of it every pass was an eighth of a simulated
/// rollout's CPU).
///
/// `Codec.encode` writes no whitespace and an object's members in the UTF-8 order of their keys, so a status's text is
/// the text of its *skeleton* (the status with its clusters, baselines, cost samples and gate tracks emptied) with
/// each empty part, `"clusters":[]` or `"baselines":{}`, replaced by the part's text, itself the texts of its
/// elements or members joined by commas. `StatusTextTests` holds the result equal to `Codec.encode` byte for byte;
/// should the splice be ambiguous, the whole status is encoded instead.
struct StatusParts: Sendable {
    private var clusters = EncodedElements<ClusterProgress>()
    private var baselines = EncodedMembers<GateOnCluster, Double>()
    private var costSamples = EncodedMembers<String, CostSample>()
    private var gateTracks = EncodedMembers<GateOnCluster, GateTrack>()

    /// The text of `status`, or nil should an emptied part's spelling appear elsewhere in the skeleton too (only the
    /// status's own member can spell it today, since JSON escapes the quotes of a string, but a new field might).
    mutating func splicedText(of status: RolloutStatus) throws -> String? {
        let encoder = Codec.encoder()
        var skeleton = status
        skeleton.clusters = []
        skeleton.baselines = [:]
        skeleton.costSamples = [:]
        skeleton.gateTracks = [:]
        var text = Array(try encoder.encode(skeleton))
        let parts = [
            ("clusters", try clusters.text(of: status.clusters, encoder: encoder)),
            ("baselines", try baselines.text(of: status.baselines, key: \.storageKey, encoder: encoder)),
            ("costSamples", try costSamples.text(of: status.costSamples, key: { $0 }, encoder: encoder)),
            ("gateTracks", try gateTracks.text(of: status.gateTracks, key: \.storageKey, encoder: encoder)),
        ]
        for (name, part) in parts {
            let member = Array("\"\(name)\":".utf8)
            let empty = member + (part.first == UInt8(ascii: "[") ? Array("[]".utf8) : Array("{}".utf8))
            let found = starts(of: empty, in: text)
            guard found.count == 1, let start = found.first else { return nil }
            text.replaceSubrange(start..<start + empty.count, with: member + part)
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// An array's elements with their encoded texts, re-encoding only the elements that changed at their position.
struct EncodedElements<Element: Encodable & Equatable & Sendable>: Sendable {
    private var elements: [Element] = []
    private var texts: [[UInt8]] = []

    /// `[` the elements' texts joined by commas `]`.
    mutating func text(of array: [Element], encoder: JSONEncoder) throws -> [UInt8] {
        if array.count != elements.count {
            elements = []
            texts = []
        }
        for (index, element) in array.enumerated() {
            if index < elements.count {
                guard elements[index] != element else { continue }
                texts[index] = Array(try encoder.encode(element))
                elements[index] = element
            } else {
                texts.append(Array(try encoder.encode(element)))
                elements.append(element)
            }
        }
        return joined(texts, open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
    }
}

/// A dictionary's members (`"key":value`) with their encoded texts, in the order `Codec.encode` writes them (the
/// UTF-8 order of their stored keys), re-encoding only the members that are new or changed.
struct EncodedMembers<Key: Hashable & Sendable, Value: Encodable & Equatable & Sendable>: Sendable {
    private var members: [Key: (value: Value, text: [UInt8])] = [:]
    /// The keys of `members` in the order they are written.
    private var order: [Key] = []

    /// `{` the members' texts in order, joined by commas `}`; `key` gives the text a key is stored as.
    mutating func text(
        of dictionary: [Key: Value], key storedKey: (Key) -> String, encoder: JSONEncoder
    ) throws -> [UInt8] {
        var keysChanged = false
        for (key, value) in dictionary {
            if let member = members[key] {
                guard member.value != value else { continue }
            } else {
                keysChanged = true
            }
            let text = Array(try encoder.encode(storedKey(key))) + [UInt8(ascii: ":")] + (try encoder.encode(value))
            members[key] = (value, text)
        }
        if members.count != dictionary.count {
            members = members.filter { dictionary[$0.key] != nil }
            keysChanged = true
        }
        if keysChanged {
            order = members.keys.map { (key: $0, stored: storedKey($0)) }
                .sorted { $0.stored.utf8.lexicographicallyPrecedes($1.stored.utf8) }.map(\.key)
        }
        return joined(order.map { members[$0]!.text }, open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
    }
}

/// `open`, the texts joined by commas, `close`.
private func joined(_ texts: [[UInt8]], open: UInt8, close: UInt8) -> [UInt8] {
    var result: [UInt8] = [open]
    result.reserveCapacity(texts.reduce(2) { $0 + $1.count + 1 })
    for (index, text) in texts.enumerated() {
        if index > 0 { result.append(UInt8(ascii: ",")) }
        result += text
    }
    result.append(close)
    return result
}

/// Where `pattern` starts in `text`, overlapping occurrences included: a plain scan, for a text of a few hundred bytes
/// (the standard library's `ranges(of:)` goes through generic searchers, slower here by far).
private func starts(of pattern: [UInt8], in text: [UInt8]) -> [Int] {
    guard let first = pattern.first, text.count >= pattern.count else { return [] }
    var found: [Int] = []
    for start in 0...(text.count - pattern.count) where text[start] == first {
        if text[start..<start + pattern.count].elementsEqual(pattern) { found.append(start) }
    }
    return found
}
