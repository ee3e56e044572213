import Foundation
import SluiceBreakGlass
import SluiceCore
import SluiceManifests
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The break-glass key file is trusted only when it is the running user's own regular file that nobody else can read.
@Suite("Break-glass key file checks, in process")
struct AuthorityTests {
    static let key = "break-glass-key-material"
    static let config = BreakGlassConfig(keyFileSHA256: BreakGlassAuthority.sha256Hex(Data(key.utf8)))

    /// A key file with the right content and mode 600 in a fresh folder.
    static func keyFile() throws -> (folder: URL, path: String) {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("key").path
        try Data(key.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return (folder, path)
    }

    func check(_ path: String) -> Result<String, BreakGlassRefusal> {
        Result { () throws(BreakGlassRefusal) -> String in
            try BreakGlassAuthority.check(config: Self.config, keyFile: path, environment: [:])
        }
    }

    @Test("The user's own key file with mode 600 is accepted")
    func ownKeyFile() throws {
        let (folder, path) = try Self.keyFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try check(path).get() == "key file \(path)")
    }

    @Test("A key file readable by group or others is refused")
    func exposedKeyFile() throws {
        let (folder, path) = try Self.keyFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        guard case .failure(.keyFileExposed(let message)) = check(path) else {
            Issue.record("a key file with mode 640 was not refused as exposed: \(check(path))")
            return
        }
        #expect(message.contains("has mode 640 and can be read by group or others; `chmod 600 \(path)`"))
    }

    @Test("A symlink to a good key file is refused, and the message says it is a symlink")
    func symlinkedKeyFile() throws {
        let (folder, target) = try Self.keyFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let link = folder.appendingPathComponent("key-link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        guard case .failure(.keyFileExposed(let message)) = check(link) else {
            Issue.record("a symlinked key file was not refused: \(check(link))")
            return
        }
        #expect(message.hasPrefix("the key file \(link) is a symlink; "))
        #expect(message.contains("give the path of the key file itself"))
        // The file it points to is accepted: the refusal is about the link.
        #expect(try check(target).get() == "key file \(target)")
    }

    @Test(
        "A key file owned by another user is refused",
        .enabled(if: geteuid() == 0, "changing a file's owner needs root; run the tests as root to check this refusal"))
    func keyFileOwnedByAnotherUser() throws {
        let (folder, path) = try Self.keyFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(chown(path, 65_534, 65_534) == 0)
        guard case .failure(.keyFileExposed(let message)) = check(path) else {
            Issue.record("a key file owned by nobody was not refused: \(check(path))")
            return
        }
        #expect(message.hasPrefix("the key file \(path) is owned by uid 65534, not by uid 0 that runs sluice"))
        #expect(message.contains("rotate the key"))
    }

    @Test("A missing key file or a directory is refused as no credential")
    func notAFile() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        guard case .failure(.noCredential(let missing)) = check(folder.appendingPathComponent("none").path) else {
            Issue.record("a missing key file was accepted")
            return
        }
        #expect(missing.contains("cannot read the key file"))
        guard case .failure(.noCredential(let directory)) = check(folder.path) else {
            Issue.record("a directory was accepted as key file")
            return
        }
        #expect(directory.contains("is not a regular file"))
    }

    @Test("The node-direct command never runs with a node name that could be an option")
    func execNodeChannelRefusesOptionLikeNodes() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("calls.log").path
        let channel = ExecNodeChannel(
            command: ["/bin/sh", "-c", #"echo "$@" >> "$LOG""#, "sh", "{node}"], environment: ["LOG": log])
        let target = RevertTarget(
            rollout: "r", artifact: ArtifactRef(name: "agent", version: "1"), cluster: "east", nodes: ["-rf"],
            nodeIndices: [0], reason: "test", runID: "run")
        let error = await #expect(throws: BreakGlassChannelError.self) { _ = try await channel.revert(target) }
        #expect(error?.description.contains("the node '-rf': it starts with '-'") == true)
        #expect(!FileManager.default.fileExists(atPath: log))
    }
}
