import Foundation
import SluiceTestSupport
import SluiceBreakGlass
import SluiceCore
import SluiceStore
import Testing

/// A real etcd on loopback, in a temporary data directory, stopped when the test is done.
final class LocalEtcd {
    static let binary = "/usr/bin/etcd"
    let process: Process
    let directory: URL
    let clientURL: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (clientPort, peerPort) = (try freeLoopbackPort(), try freeLoopbackPort())
        clientURL = URL(string: "http://127.0.0.1:\(clientPort)")!
        let peerURL = "http://127.0.0.1:\(peerPort)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--name", "sluice-test", "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", clientURL.absoluteString, "--advertise-client-urls", clientURL.absoluteString,
            "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
            "--initial-cluster", "sluice-test=\(peerURL)",
        ]
        let log = directory.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var log: String { (try? String(contentsOf: directory.appendingPathComponent("etcd.log"), encoding: .utf8)) ?? "" }

}

@Suite("The etcd kill switch against a real etcd on loopback")
struct EtcdKillSwitchTests {
    static var etcdInstalled: Bool {
        let installed = FileManager.default.isExecutableFile(atPath: LocalEtcd.binary)
        if !installed {
            print(
                """
                ************************************************************************************************
                SKIPPED: the etcd kill-switch test needs /usr/bin/etcd (Debian package etcd-server), not installed.
                .ci/run installs it; run `apt-get install etcd-server` to run this test here.
                ************************************************************************************************
                """)
        }
        return installed
    }

    @Test(
        "break-glass sets one kill-switch key per cluster; a second run sets the same value again",
        .enabled(if: etcdInstalled))
    func killSwitch() async throws {
        let etcd = try LocalEtcd()
        defer { etcd.stop() }
        let channel = EtcdKillSwitchChannel(endpoint: etcd.clientURL, timeoutSeconds: 30)
        // etcd is ready once it answers a range request.
        var ready = false
        let deadline = Date().addingTimeInterval(30)
        while !ready && Date() < deadline && etcd.process.isRunning {
            do {
                _ = try await channel.read(artifact: "probe", cluster: "probe")
                ready = true
            } catch {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(ready, "etcd did not start: \(etcd.log.suffix(2000))")

        let store = try SluiceStore()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = BreakGlassJournal(path: directory.appendingPathComponent("bg.jsonl").path)
        let targets = [
            ClusterTargets(cluster: "alpha", nodeIndices: [0, 1, 2], nodeNames: ["a0", "a1", "a2"]),
            ClusterTargets(cluster: "beta", nodeIndices: [0], nodeNames: ["b0"]),
        ]
        let operation = BreakGlassOperation(channels: [channel], journal: journal, store: store, parallelism: 2)
        let artifact = ArtifactRef(name: "agent", version: "2.0.0")
        let report = try await operation.run(
            rollout: "r", artifact: artifact, targets: targets, clusters: [], reason: "dns failing", actor: "oncall",
            host: "test")
        #expect(report.succeeded, "\(report.failed)")
        #expect(report.results.count == 4)
        for cluster in ["alpha", "beta"] {
            let value = try #require(try await channel.read(artifact: "agent", cluster: cluster))
            #expect(value.stop)
            #expect(value.rollout == "r")
            #expect(value.cluster == cluster)
            #expect(value.reason == "dns failing")
            #expect(value.runID == report.runID)
        }
        #expect(try await channel.read(artifact: "agent", cluster: "gamma") == nil)
        let again = try await operation.run(
            rollout: "r", artifact: artifact, targets: targets, clusters: [], reason: "dns failing", actor: "oncall",
            host: "test")
        #expect(again.succeeded)
        #expect(try await channel.read(artifact: "agent", cluster: "alpha")?.runID == again.runID)
    }

    @Test("An etcd that does not answer fails the nodes after the configured tries, and says so")
    func unreachable() async throws {
        let port = try freeLoopbackPort()
        let channel = EtcdKillSwitchChannel(endpoint: URL(string: "http://127.0.0.1:\(port)")!, timeoutSeconds: 1)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let operation = BreakGlassOperation(
            channels: [channel], journal: BreakGlassJournal(path: directory.appendingPathComponent("j.jsonl").path),
            store: nil, attempts: 2, retryDelay: { _ in .zero })
        let report = try await operation.run(
            rollout: "r", artifact: ArtifactRef(name: "agent", version: "1"),
            targets: [ClusterTargets(cluster: "alpha", nodeIndices: [0], nodeNames: ["a0"])], clusters: [],
            reason: "x", actor: "a", host: "h")
        #expect(!report.succeeded)
        #expect(report.failed.map(\.attempts) == [2])
        #expect(report.recordedInDatabase == false)
        #expect(
            BreakGlassJournal(path: directory.appendingPathComponent("j.jsonl").path).records().map(\.type) == [
                .intent, .node, .finished,
            ])
    }
}
