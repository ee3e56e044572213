import Foundation

/// Finds a program along `PATH` the way `execvp` does, so that a caller running it many times looks once.
///
/// Running a bare name makes the process library try a spawn in every `PATH` directory until one works: with eight
/// directories that is eight spawns a command. Resolving the name first leaves one.
public enum ExecutableLookup {
    /// The full path of `program` along `PATH` (`environment`'s, else this process's): the first regular file that can
    /// be executed, in a directory given as an absolute path. `program` itself when it contains a slash; nil when the
    /// name is found nowhere (running it then fails as it would have).
    public static func path(of program: String, environment: [String: String] = [:]) -> String? {
        if program.contains("/") { return program }
        guard !program.isEmpty else { return nil }
        let search = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in search.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(program)" : "\(directory)/\(program)"
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 else {
                continue
            }
            return candidate
        }
        return nil
    }
}
