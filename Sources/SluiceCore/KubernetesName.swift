/// Kubernetes' rules for object names, applied to the cluster and node names Sluice passes to tools and paths.
///
/// A name that breaks them could become an option (`-rf`, `--kubeconfig=/tmp/evil`), a path (`../../..`) or a forged
/// line in a log (a newline), so fleet files are checked against them before anything runs.
public enum KubernetesName {
    /// The longest DNS-1123 label: cluster names.
    public static let maxLabelLength = 63
    /// The longest DNS-1123 subdomain: node names.
    public static let maxSubdomainLength = 253

    /// Why `name` is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or
    /// digit, at most `maxLength` characters), or nil when it is one.
    public static func labelProblem(_ name: String, maxLength: Int = maxLabelLength) -> String? {
        problem(name, allowsDots: false, maxLength: maxLength)
    }

    /// Why `name` is not a DNS-1123 subdomain (labels joined by '.', each starting and ending with a letter or digit,
    /// at most `maxLength` characters in all), or nil when it is one.
    public static func subdomainProblem(_ name: String, maxLength: Int = maxSubdomainLength) -> String? {
        problem(name, allowsDots: true, maxLength: maxLength)
    }

    /// `value` in single quotes for a message: control characters escaped (`\n`), long values cut to their start.
    public static func quoted(_ value: String, limit: Int = 60) -> String {
        let scalars = Array(value.unicodeScalars)
        let shown = scalars.prefix(limit).map(escaped).joined()
        return scalars.count > limit ? "'\(shown)...' (\(scalars.count) characters)" : "'\(shown)'"
    }

    static func problem(_ name: String, allowsDots: Bool, maxLength: Int) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { return "it is empty" }
        var clauses: [String] = []
        if scalars.count > maxLength { clauses.append("is \(scalars.count) characters long, over \(maxLength)") }
        var refused: [Unicode.Scalar] = []
        for scalar in scalars where !isAllowed(scalar, allowsDots: allowsDots) && !refused.contains(scalar) {
            refused.append(scalar)
        }
        if !refused.isEmpty {
            let listed = refused.prefix(4).map { "'\(escaped($0))'" } + (refused.count > 4 ? ["more"] : [])
            clauses.append("contains " + joined(listed, and: " and "))
        }
        // A character already listed as refused is not repeated as a bad start or end.
        if !isAlphanumeric(first) && !refused.contains(first) { clauses.append("starts with '\(escaped(first))'") }
        if !isAlphanumeric(last) && !refused.contains(last) { clauses.append("ends with '\(escaped(last))'") }
        if allowsDots && hasBadPart(name) {
            clauses.append("has a part between dots that is empty or starts or ends with '-'")
        }
        return clauses.isEmpty ? nil : "it " + joined(clauses, and: ", and ")
    }

    /// `a, b and c`: the items joined by commas, the last one by `and`.
    static func joined(_ items: [String], and last: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + last + items[items.count - 1]
    }

    /// Whether a dot-separated part inside `name` is empty or starts or ends with '-' (`a..b`, `a.-b`, `a-.b`); the
    /// ends of `name` itself are reported on their own.
    static func hasBadPart(_ name: String) -> Bool {
        name.contains("..") || name.contains(".-") || name.contains("-.")
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isAllowed(_ scalar: Unicode.Scalar, allowsDots: Bool) -> Bool {
        isAlphanumeric(scalar) || scalar == "-" || (allowsDots && scalar == ".")
    }

    /// A scalar as a message shows it: control and other invisible characters as `\n`, `\t` or `\u{...}`.
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let visible = scalar.properties.isWhitespace == false && scalar.properties.generalCategory != .control
                && scalar.properties.generalCategory != .format
            return visible || scalar == " " ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
        }
    }
}
