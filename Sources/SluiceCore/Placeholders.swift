/// `{name}` placeholders in the templates users write: command arguments, PromQL queries, node commands.
///
/// A placeholder is letters only between braces, and never after `$`, so a shell's `${VAR}` passes through
/// untouched. Text that is not a placeholder is kept as written.
public enum Placeholders {
    /// The placeholder names in `template`, in order of appearance.
    public static func names(in template: String) -> [String] {
        var names: [String] = []
        _ = substitute(template) { name in
            names.append(name)
            return nil
        }
        return names
    }

    /// `template` with each `{name}` replaced by `value(name)`; left as written where that is nil.
    public static func substitute(_ template: String, value: (String) -> String?) -> String {
        var result = ""
        var previous: Character?
        var pending: String?
        for character in template {
            if let name = pending {
                if character == "}" && !name.isEmpty {
                    result += value(name) ?? "{\(name)}"
                    pending = nil
                } else if character.isLetter {
                    pending = name + String(character)
                } else {
                    result += "{" + name
                    pending = nil
                    if character == "{" && previous != "$" { pending = "" } else { result.append(character) }
                }
            } else if character == "{" && previous != "$" {
                pending = ""
            } else {
                result.append(character)
            }
            previous = character
        }
        if let name = pending { result += "{" + name }
        return result
    }

    /// The names in `template` that are not among `known`.
    public static func unknown(in template: String, known: [String]) -> [String] {
        names(in: template).filter { !known.contains($0) }
    }

    /// `known` as a user reads it in an error: `{cluster}, {nodes}`.
    public static func list(_ known: [String]) -> String {
        known.map { "{\($0)}" }.joined(separator: ", ")
    }
}
