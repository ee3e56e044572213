/// What `--version` prints for both executables.
public enum SluiceVersion {
    /// Sluice's release; both executables and the database schema move together.
    public static let number = "0.7.0"

    /// The commit the binary was built from (`+changes` when tracked files differed from it), or `unknown`.
    public static let commit = SourceRevision.commit

    /// That commit's date, RFC 3339 UTC, or `unknown`.
    public static let commitDate = SourceRevision.date

    /// `PROGRAM 0.7.0 (commit 1a2b3c4d5e6f of 2026-12-07T12:00:00Z, SQLite 3.40.1)`: the SQLite is the system library
    /// the binary runs with, not the one it was built against.
    public static func line(program: String, sqlite: String) -> String {
        "\(program) \(number) (commit \(commit) of \(commitDate), SQLite \(sqlite))"
    }
}
