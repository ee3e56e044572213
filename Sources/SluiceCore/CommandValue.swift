/// The rule every value put into a command's arguments must pass, whatever its template: it can never become an
/// option, a path outside its folder, or a second line.
///
/// Fleet and plan files are checked more strictly when they are read (``KubernetesName``); this is the last check,
/// made right before a command runs, for values that reach a driver by another way (a database, a nodes file).
public enum CommandValue {
    /// Why `value` must not go into a command, or nil when it may: empty, starting with '-', holding a control
    /// character, or, when it names a path component (a cluster, a node), holding '/' or being `.` or `..`.
    public static func problem(_ value: String, isPathComponent: Bool) -> String? {
        if value.isEmpty { return "it is empty" }
        if value.hasPrefix("-") { return "it starts with '-', so a command could take it for an option" }
        if let control = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            return "it contains the control character \(KubernetesName.quoted(String(control)))"
        }
        guard isPathComponent else { return nil }
        if value.contains("/") { return "it contains '/', so a command could take it for a path" }
        if value == "." || value == ".." { return "it is '\(value)', a path of its own" }
        return nil
    }
}
