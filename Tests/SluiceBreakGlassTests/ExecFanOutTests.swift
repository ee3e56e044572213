import Foundation
import SluiceBreakGlass
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Synchronization
import Testing

/// The per-node command channel under the fan-out: how many commands really run at once, and how the program is found.
@Suite("The exec channel's fan-out")
struct ExecFanOutTests {
    /// A per-node command that marks itself running (a file in `running/`), logs how many were running when it
    /// started, and waits until the test creates `release/NODE`.
    static let waitForRelease = """
        D="$1"; n="$2"
        : > "$D/running/$n"
        ls "$D/running" | wc -l >> "$D/counts"
        while [ ! -e "$D/release/$n" ]; do sleep 0.01; done
        rm "$D/running/$n"
        """

    @Test("The exec channel runs its configured parallelism of commands even while taking in results is stalled")
    func parallelismHoldsWhileResultsWait() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["running", "release"] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let running = {
            let path = folder.appendingPathComponent("running").path
            return Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
        }
        func release(_ node: String) {
            let path = folder.appendingPathComponent("release/\(node)").path
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        // The first result taken in stalls there (as a slow disk sync or terminal would) until the test lets it go;
        // awaited, not blocked on, so no thread of the shared pool is held while other tests run.
        let (takingIn, letGo) = AsyncStream<Void>.makeStream()
        defer { letGo.finish() }
        let progressCalls = Mutex(0)
        let operation = BreakGlassOperation(
            // A long timeout: a command waits for the test's release, which a loaded machine may delay.
            channels: [
                ExecNodeChannel(
                    command: ["/bin/sh", "-c", Self.waitForRelease, "sh", folder.path, "{node}"], timeoutSeconds: 600)
            ],
            journal: BreakGlassJournal(path: folder.appendingPathComponent("journal.jsonl").path), store: nil,
            parallelism: 3, attempts: 1,
            progress: { _ in
                if progressCalls.withLock({ calls in
                    calls += 1
                    return calls == 1
                }) {
                    for await _ in takingIn { break }
                }
            })
        let nodes = (0..<6).map { "n\($0)" }
        let run = Task {
            try await operation.run(
                rollout: "r", artifact: ArtifactRef(name: "agent", version: "2"),
                targets: [ClusterTargets(cluster: "c", nodeIndices: Array(nodes.indices), nodeNames: nodes)],
                clusters: [], reason: "test", actor: "test", host: "test")
        }

        #expect(try await eventually { running() == ["n0", "n1", "n2"] })
        release("n0")
        #expect(try await eventually { running() == ["n1", "n2", "n3"] })
        // n0's result is stalled on its way in; n1 ends all the same, and its slot goes to the next node.
        release("n1")
        #expect(try await eventually { running() == ["n2", "n3", "n4"] }, "\(running())")

        letGo.finish()
        for node in nodes { release(node) }
        let report = try await run.value
        #expect(report.succeeded)
        #expect(report.results.map(\.node) == nodes)
        let counts = try String(contentsOf: folder.appendingPathComponent("counts"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(counts.max() == 3, "commands running at each start: \(counts)")
    }

    @Test("The program is looked up along PATH once per channel, not once a node")
    func pathIsSearchedOnce() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let early = folder.appendingPathComponent("early")
        let late = folder.appendingPathComponent("late")
        let log = folder.appendingPathComponent("calls.log").path
        func install(_ label: String, in directory: URL) throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("revert-node").path
            try "#!/bin/sh\necho \(label) \"$1\" >> \"$LOG\"\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try install("late", in: late)
        try FileManager.default.createDirectory(at: early, withIntermediateDirectories: true)
        let channel = ExecNodeChannel(
            command: ["revert-node", "{node}"], timeoutSeconds: 600,
            environment: ["PATH": "\(early.path):\(late.path)", "LOG": log])
        func revert(_ node: String) async throws {
            _ = try await channel.revert(
                RevertTarget(
                    rollout: "r", artifact: ArtifactRef(name: "agent", version: "2"), cluster: "c", nodes: [node],
                    nodeIndices: [0], reason: "test", runID: "run"))
        }
        try await revert("n0")
        // A program of the same name appears earlier on PATH: a lookup per node would now find it.
        try install("early", in: early)
        try await revert("n1")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "late n0\nlate n1\n")
    }
}
