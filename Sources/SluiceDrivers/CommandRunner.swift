import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program with arguments (no shell) in a session of its own, collecting its output.
///
/// Past the timeout the whole process group gets SIGTERM, then SIGKILL two seconds later, so a command that started
/// others (a shell wrapper, ssh) cannot outlive its timeout through its children.
public enum CommandRunner {
    /// A finished (or timed-out) command: its exit status (128 + signal if killed), stdout and stderr together.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var timedOut: Bool
    }

    static let outputLimit = 256 * 1024

    /// Runs `arguments` (the first is the program, found on PATH without a slash) with extra `environment`.
    public static func run(_ arguments: [String], environment: [String: String], timeoutSeconds: Double) async throws -> Run {
        enum Outcome {
            case finished(status: Int32, output: String)
            case timedOut
        }
        let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                let program = arguments[0]
                let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
                var options = PlatformOptions()
                options.createSession = true
                options.teardownSequence = [
                    .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))
                ]
                var overrides: [Environment.Key: String?] = [:]
                for (name, value) in environment {
                    if let key = Environment.Key(rawValue: name) { overrides[key] = value }
                }
                let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
                do {
                    result = try await Subprocess.run(
                        executable, arguments: Arguments(Array(arguments.dropFirst())),
                        environment: .inherit.updating(overrides), platformOptions: options,
                        output: .string(limit: outputLimit), error: .string(limit: outputLimit))
                } catch let error as SubprocessError {
                    throw ExecDriverError.cannotStart(command: arguments.joined(separator: " "), reason: "\(error)")
                }
                let output = result.standardOutput + result.standardError
                switch result.terminationStatus {
                case .exited(let code): return .finished(status: Int32(code), output: output)
                case .signaled(let signal): return .finished(status: 128 + Int32(signal), output: output)
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeoutSeconds * 1000)))
                return .timedOut
            }
            let first = try await group.next()!
            group.cancelAll()
            // After a timeout, wait for the teardown of the process group to finish.
            while let _ = try? await group.next() {}
            return first
        }
        switch outcome {
        case .finished(let status, let output): return Run(status: status, output: output, timedOut: false)
        case .timedOut: return Run(status: -1, output: "", timedOut: true)
        }
    }
}
