internal import SluiceCore

extension ManifestNode {
    /// A `{command: [program, arguments...]}` mapping's words, each placeholder checked against `known`.
    package func command(placeholders known: [String]) -> [String]? {
        mapping(allowed: ["command"]).flatMap { $0.commandWords(placeholders: known) }
    }

    /// Records a problem for every placeholder of `template` that is not among `known`; `prefix` names the entry.
    package func checkPlaceholders(in template: String, known: [String], prefix: String = "") {
        for placeholder in Placeholders.unknown(in: template, known: known) {
            fail("\(prefix)unknown placeholder {\(placeholder)}; use \(Placeholders.list(known))")
        }
    }
}

extension ManifestFields {
    /// The words of this mapping's `command` list, each placeholder checked; an empty list is a problem of the
    /// mapping. Nil after any problem, so that a half-read command never runs.
    package func commandWords(placeholders known: [String]) -> [String]? {
        guard let arguments = required("command")?.sequence() else { return nil }
        let words = arguments.compactMap { argument -> String? in
            guard let word = argument.string() else { return nil }
            argument.checkPlaceholders(in: word, known: known)
            return word
        }
        if words.isEmpty { owner.fail("command needs at least a program") }
        return words.count == arguments.count && !words.isEmpty ? words : nil
    }
}
