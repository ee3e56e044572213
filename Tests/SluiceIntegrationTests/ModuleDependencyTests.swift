import Foundation
import SluiceTestSupport
import Testing

/// The direction of the modules' dependencies, read from the package as SwiftPM evaluates it: the core and the fleet
/// model depend on nothing, adapters only on the core and the store, and only the two executables' libraries wire
/// everything together (docs/architecture.md).
@Suite("Module dependencies point inwards")
struct ModuleDependencyTests {
    /// Each target's direct dependencies (targets and products by name), from `swift package dump-package`.
    static func dependencies() async throws -> [String: Set<String>] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Its own scratch path: the test runs while `swift test` holds the lock on `.build`.
        let dump = try await ChildProcess.run(
            "/usr/bin/env", ["swift", "package", "--scratch-path", scratch.path, "dump-package"],
            directory: URL(fileURLWithPath: LocalScenario.repositoryRoot))
        try #require(dump.status == 0, "\(dump.output)")
        let text = dump.output[dump.output.firstIndex(of: "{")!...]
        let package = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var result: [String: Set<String>] = [:]
        for target in package["targets"] as? [[String: Any]] ?? [] {
            let names = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                (dependency.values.first as? [Any])?.first as? String
            }
            result[target["name"] as! String] = Set(names)
        }
        return result
    }

    @Test("The core and the fleet model are pure; adapters never reach the controller, the simulation or the executables")
    func direction() async throws {
        let dependencies = try await Self.dependencies()
        #expect(dependencies["SluiceCore"] == [])
        #expect(dependencies["FleetSimulator"] == [])
        let wiring: Set = ["SluiceController", "SluiceSimulation", "FleetSimulator", "SluiceDaemon", "SluiceCLI"]
        for adapter in ["SluiceManifests", "SluiceStore", "SluiceDrivers", "SluiceSignals", "SluicePrometheus",
                        "SluiceBreakGlass", "SluiceNotify", "SluiceReport"] {
            let reached = try #require(dependencies[adapter], "no target \(adapter)")
            #expect(reached.isDisjoint(with: wiring), "\(adapter) depends on \(reached.intersection(wiring))")
        }
        #expect(dependencies["SluiceController"]?.intersection(["SluiceDrivers", "SluiceSignals", "SluicePrometheus",
            "SluiceBreakGlass", "SluiceSimulation", "SluiceNotify"]) == [])
        // GRDB only behind the store (the store benchmark measures raw SQLite beside it).
        let grdb = dependencies.filter { $0.value.contains("GRDB") }.keys.sorted()
        #expect(grdb == ["SluiceStore", "sluice-store-bench"])
    }
}
