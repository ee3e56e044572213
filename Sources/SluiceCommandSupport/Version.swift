/// What `--version` prints for both executables.
public enum SluiceVersion {
    /// Sluice's release; both executables and the database schema move together.
    public static let number = "0.7.0"

    /// `PROGRAM 0.7.0 (SQLite 3.40.1)`: the SQLite is the system library the binary runs with, not the one it was
    /// built against.
    public static func line(program: String, sqlite: String) -> String {
        "\(program) \(number) (SQLite \(sqlite))"
    }
}
