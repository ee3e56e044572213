public import ArgumentParser
import Foundation

extension AsyncParsableCommand {
    /// Parses the arguments and runs the command as the default `main()` does, except that a usage error (an unknown
    /// flag, a missing argument, a failed `validate()`) exits 2, the code both executables document for invalid input,
    /// instead of argument-parser's 64.
    public static func mainExitingTwoOnUsageErrors() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
