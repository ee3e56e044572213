import Foundation
import SluiceBreakGlass
import SluiceCore
import SluiceManifests
import Testing

@Suite("BreakGlass config files")
struct BreakGlassManifestTests {
    func load(_ text: String) throws -> Result<BreakGlassConfig, ManifestError> {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("bg.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do { return .success(try BreakGlassManifest.load(path)) } catch { return .failure(error) }
    }

    static let hash = String(repeating: "ab", count: 32)

    @Test("A full config reads back")
    func full() throws {
        let config = try load(
            """
            apiVersion: sluice.dev/v1
            kind: BreakGlass
            metadata: {name: prod}
            spec:
              credential: {keyFileSHA256: \(Self.hash), tokenSHA256: \(Self.hash.uppercased())}
              parallelism: 8
              attempts: 5
              timeout: 1m
              nodeCommand: {command: [ssh, "{node}", systemctl, stop, "{artifact}"]}
              killSwitch: {etcd: "http://127.0.0.1:2379/", prefix: /ks}
            """
        ).get()
        #expect(
            config
                == BreakGlassConfig(
                    keyFileSHA256: Self.hash, tokenSHA256: Self.hash,
                    nodeCommand: ["ssh", "{node}", "systemctl", "stop", "{artifact}"],
                    killSwitchEndpoint: "http://127.0.0.1:2379", killSwitchPrefix: "/ks", parallelism: 8, attempts: 5,
                    timeoutSeconds: 60))
        #expect(BreakGlassChannels.from(config: config).map(\.name) == ["exec", "etcd-killswitch"])
    }

    @Test("Every problem is placed by line and field")
    func problems() throws {
        let result = try load(
            """
            apiVersion: sluice.dev/v1
            kind: BreakGlass
            metadata: {name: prod}
            spec:
              credential: {tokenSHA256: nothex}
              paralelism: 8
              nodeCommand: {command: [ssh, "{host}"]}
              killSwitch: {etcd: "127.0.0.1:2379"}
            """)
        guard case .failure(let error) = result else {
            Issue.record("accepted a bad config")
            return
        }
        let placed = error.problems.map { "\($0.line) \($0.field)" }
        #expect(placed.contains("5 spec.credential.tokenSHA256"))
        #expect(placed.contains("6 spec.paralelism"))
        #expect(placed.contains("7 spec.nodeCommand.command[1]"))
        #expect(placed.contains("8 spec.killSwitch.etcd"))
        #expect(error.problems.first { $0.field == "spec.paralelism" }?.message.contains("parallelism") == true)
    }

    @Test("A config without a credential or without a channel is refused")
    func missingParts() throws {
        let result = try load(
            """
            apiVersion: sluice.dev/v1
            kind: BreakGlass
            metadata: {name: prod}
            spec:
              credential: {}
            """)
        guard case .failure(let error) = result else {
            Issue.record("accepted a config that can do nothing")
            return
        }
        #expect(error.problems.map(\.field).contains("spec.credential"))
        #expect(error.problems.map(\.field).contains("spec"))
    }

    @Test("Node lists: CLUSTER NODE lines, comments skipped, a cluster filter, a bad line placed")
    func nodeLists() throws {
        let targets = try ClusterTargets.fromNodeList(
            "# nodes\nalpha a0\nbeta b0\nalpha a1\n\nalpha a0\n", clusters: nil)
        #expect(targets.map(\.cluster) == ["alpha", "beta"])
        #expect(targets.first?.nodeNames == ["a0", "a1"])
        #expect(try ClusterTargets.fromNodeList("alpha a0\nbeta b0\n", clusters: ["beta"]).map(\.nodeNames) == [["b0"]])
        #expect(throws: BreakGlassChannelError.self) { try ClusterTargets.fromNodeList("alpha\n", clusters: nil) }
    }

    @Test("A node list with a name that could be an option or a path is refused at its line", arguments: [
        ("alpha a0\nalpha -rf\n", "line 2: '-rf' is not a valid node name: it starts with '-'"),
        ("../.. a0\n", "line 1: '../..' is not a valid cluster name: it contains '.' and '/'"),
    ])
    func nodeListNames(text: String, message: String) throws {
        let error = #expect(throws: BreakGlassChannelError.self) {
            try ClusterTargets.fromNodeList(text, clusters: nil)
        }
        #expect(error?.description == message)
    }
}
