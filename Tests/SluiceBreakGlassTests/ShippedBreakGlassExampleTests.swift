import Foundation
import SluiceBreakGlass
import SluiceManifests
import SluiceTestSupport
import Testing

/// `Examples/break-glass/`: the config loads, the key recipe makes a key `sluice` accepts, and the node script sends
/// ssh what it should.
@Suite("The shipped break-glass example")
struct ShippedBreakGlassExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/break-glass").path

    @Test("The config loads with both channels, and as shipped accepts no key")
    func configLoads() throws {
        let config = try BreakGlassManifest.load(Self.folder + "/break-glass.yaml")
        #expect(config.nodeCommand == ["Examples/break-glass/node-revert.sh", "{node}", "{artifact}", "{version}"])
        #expect(config.killSwitchEndpoint == "http://127.0.0.1:2379")
        #expect(config.keyFileSHA256 == String(repeating: "0", count: 64))
        #expect(config.tokenSHA256 == nil)
    }

    @Test("make-key.sh makes a private key once and prints the hash that lets it break the glass")
    func keyRecipe() async throws {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = scratch.appendingPathComponent("keys/break-glass.key").path
        let made = try await ChildProcess.run("/bin/sh", [Self.folder + "/make-key.sh", key])
        #expect(made.status == 0, "\(made.output)")
        let line = try #require(made.output.split(separator: "\n").first { $0.hasPrefix("keyFileSHA256: ") })
        let hash = String(line.dropFirst("keyFileSHA256: ".count))
        let mode = try #require(FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int)
        #expect(mode == 0o600)

        var config = try BreakGlassManifest.load(Self.folder + "/break-glass.yaml")
        #expect(throws: BreakGlassRefusal.self) {
            _ = try BreakGlassAuthority.check(config: config, keyFile: key, environment: [:])
        }
        config.keyFileSHA256 = hash
        #expect(try BreakGlassAuthority.check(config: config, keyFile: key, environment: [:]) == "key file \(key)")

        // A second run keeps the key: the printed hash is the same.
        let again = try await ChildProcess.run("/bin/sh", [Self.folder + "/make-key.sh", key])
        #expect(again.output.contains("keyFileSHA256: \(hash)"), "\(again.output)")
    }

    @Test("node-revert.sh runs the revert on the node over ssh in batch mode, and refuses a name ssh would re-split")
    func nodeScript() async throws {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A stand-in ssh first on PATH: its arguments, one per line, and the script it was given on stdin.
        let fakeSSH = scratch.appendingPathComponent("ssh").path
        try """
            #!/bin/sh
            for a in "$@"; do printf '%s\\n' "$a"; done > "$LOG.args"
            cat > "$LOG.stdin"
            """.write(toFile: fakeSSH, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeSSH)
        let log = scratch.appendingPathComponent("ssh").path
        let environment = [
            "PATH": "\(scratch.path):/usr/bin:/bin", "LOG": log,
        ]
        func revert(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            try await ChildProcess.run(
                "/bin/sh", [Self.folder + "/node-revert.sh"] + arguments, environment: environment)
        }

        let reverted = try await revert(["node-7", "telemetry-agent", "2.0.0"])
        #expect(reverted.status == 0, "\(reverted.output)")
        let arguments = try String(contentsOfFile: log + ".args", encoding: .utf8).split(separator: "\n")
        #expect(
            arguments == [
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "--", "node-7", "sudo", "sh", "-s", "--",
                "telemetry-agent", "2.0.0",
            ])
        let remote = try String(contentsOfFile: log + ".stdin", encoding: .utf8)
        #expect(remote.contains(#"> "/etc/sluice/killswitch/$artifact""#))
        #expect(remote.contains(#"crictl stopp "$pod""#))

        try FileManager.default.removeItem(atPath: log + ".args")
        let refused = try await revert(["node-7", "telemetry-agent", "2.0.0; reboot"])
        #expect(refused.status == 2)
        #expect(refused.output.contains("is not a plain name"))
        #expect(!FileManager.default.fileExists(atPath: log + ".args"), "ssh ran for a refused name")
    }
}
