public import Foundation

/// A program started by a test, its output collected in a log file, waited for without blocking a test thread.
///
/// Tests run in parallel on a shared pool: a blocking wait on a process that never exits would hang them all, so
/// every wait here polls and gives up.
public struct ChildProcess: Sendable {
    public let process: Process
    public let log: URL

    /// Starts `executable` with `arguments`, output and errors into a new log file under `logDirectory`.
    public static func launch(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        logDirectory: URL = FileManager.default.temporaryDirectory
    ) throws -> ChildProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let log = logDirectory.appendingPathComponent("\(executable.lastPathComponent)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        return ChildProcess(process: process, log: log)
    }

    /// Everything the process wrote so far.
    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    public var terminationStatus: Int32 { process.terminationStatus }
    public var terminationReason: Process.TerminationReason { process.terminationReason }

    /// Waits for the process to exit; past `timeoutSeconds` it is killed, so a test that goes wrong fails instead
    /// of hanging. Returns whether it exited by itself.
    @discardableResult
    public func waitUntilExit(timeoutSeconds: Double = 120) async -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard process.isRunning else {
            process.waitUntilExit()
            return true
        }
        kill()
        return false
    }

    /// SIGKILL, then reap.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs a program to completion; returns its status and its output (stdout and stderr together).
    @discardableResult
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil
    ) async throws -> (status: Int32, output: String) {
        let child = try launch(URL(fileURLWithPath: path), arguments, environment: environment, directory: directory)
        defer { try? FileManager.default.removeItem(at: child.log) }
        await child.waitUntilExit()
        return (child.terminationStatus, child.output)
    }

    /// Runs a tool that exits within milliseconds (a tmux client) to completion, blocking the calling thread.
    ///
    /// Tests share a cooperative pool of one thread per core: two such waits on a 2-core machine stop every other
    /// test, and a 20-second stall fails every test with a wall-clock timeout. Anything slower (`sluice`, a browser)
    /// goes through ``run(_:_:environment:directory:)``.
    public static func runBlocking(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil
    ) throws -> (status: Int32, output: String) {
        let child = try launch(URL(fileURLWithPath: path), arguments, environment: environment, directory: directory)
        defer { try? FileManager.default.removeItem(at: child.log) }
        child.process.waitUntilExit()
        return (child.terminationStatus, child.output)
    }

    /// The folder holding the built `sluice` and `sluiced`: the test bundle's own folder or one above it.
    public static var builtBinaries: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("sluiced").path) {
            let parent = url.deletingLastPathComponent()
            precondition(parent.path != url.path, "cannot find the built sluiced next to the test bundle")
            url = parent
        }
        return url
    }
}

/// Polls `condition` (reading real state, not guessing at time) until it holds or `timeoutSeconds` pass.
///
/// The deadline only bounds how long a broken test takes to fail: on a 2-core machine running the whole suite, what
/// takes a second alone has been seen to take over 30, so it is generous.
public func eventually(timeoutSeconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
