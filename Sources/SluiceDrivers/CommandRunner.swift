import Foundation

/// Runs a program with arguments (no shell), collecting its output, killing it past a timeout.
enum CommandRunner {
    struct Run {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    static func run(_ arguments: [String], environment: [String: String], timeoutSeconds: Double) async throws -> Run {
        let process = Process()
        let program = arguments[0]
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-exec-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw ExecDriverError.cannotStart(command: arguments.joined(separator: " "), reason: "\(error)")
        }
        let deadline = Task {
            try await Task.sleep(for: .seconds(timeoutSeconds))
            guard process.isRunning else { return false }
            process.terminate()
            try await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            return true
        }
        for await _ in finished.stream {}
        process.waitUntilExit()
        deadline.cancel()
        let timedOut = (try? await deadline.value) == true
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Run(status: process.terminationStatus, output: text, timedOut: timedOut)
    }
}
