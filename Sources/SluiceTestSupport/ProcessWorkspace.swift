public import Foundation

/// A private temporary folder in which the built `sluice` and `sluiced` run as a user would run them: its own
/// database, and a fake fleet folder the local exec driver (`Examples/local/driver.yaml`) keeps a file per node in.
///
/// The environment names the database and the fleet and unsets the break-glass variables, so a test sees only what
/// it sets itself.
public struct ProcessWorkspace: Sendable {
    public let root: URL
    public var database: String { root.appendingPathComponent("sluice.db").path }
    public var fleetDirectory: String { root.appendingPathComponent("fleet").path }

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            atPath: root.appendingPathComponent("fleet").path, withIntermediateDirectories: true)
    }

    /// Writes `text` as `name` in the workspace and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLUICE_DB"] = database
        environment["SLUICE_FAKE_FLEET"] = fleetDirectory
        environment["SLUICE_BREAK_GLASS_TOKEN"] = nil
        environment["SLUICE_BREAK_GLASS_CONFIG"] = nil
        return environment
    }

    /// Runs `sluice` to completion.
    public func sluice(_ arguments: String...) async throws -> (status: Int32, output: String) {
        try await sluice(arguments)
    }

    /// Runs `sluice` to completion with `extraEnvironment` (nil values unset a variable).
    public func sluice(_ arguments: [String], extraEnvironment: [String: String?] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        let process = try launch("sluice", arguments, extraEnvironment: extraEnvironment)
        await process.waitUntilExit()
        return (process.terminationStatus, process.output)
    }

    /// Starts `sluiced`; the caller waits for it or kills it.
    public func startDaemon(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> ChildProcess {
        try launch("sluiced", arguments, extraEnvironment: extraEnvironment)
    }

    /// Starts one of the built executables in the workspace, its output logged there.
    public func launch(_ executable: String, _ arguments: [String], extraEnvironment: [String: String?] = [:]) throws
        -> ChildProcess
    {
        var environment = self.environment
        for (name, value) in extraEnvironment { environment[name] = value }
        return try ChildProcess.launch(
            Self.binaries.appendingPathComponent(executable), arguments, environment: environment, directory: root,
            logDirectory: root)
    }

    /// Node files of `cluster` in the fake fleet: the nodes that run the change.
    public func nodesRunning(_ cluster: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fleetDirectory + "/" + cluster)) ?? []).sorted()
    }

    /// Every change the local driver and break-glass made to the fake fleet, in order.
    public var changes: [String] {
        ((try? String(contentsOfFile: fleetDirectory + "/changes.log", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// The folder holding the built executables.
    public static var binaries: URL { ChildProcess.builtBinaries }
}
