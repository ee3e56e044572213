public import Foundation
public import SluiceCore
import SluiceDrivers

import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Reverts node by node with a command template (`ssh {node} systemctl stop {artifact}`), without a shell.
///
/// Placeholders: `{node}`, `{cluster}`, `{artifact}`, `{version}`, `{rollout}`. A command that exits non-zero or
/// outlives the timeout fails the node (its process group is killed). The template must be idempotent. A node,
/// cluster, artifact or rollout that could become an option or a path fails the node before anything runs (node
/// names can come from a `--nodes-from` file that no fleet check saw).
///
/// The program is looked up along `PATH` once, when the channel is made (one channel serves a whole run), not once a
/// node.
public struct ExecNodeChannel: BreakGlassChannel {
    public let command: [String]
    public let timeoutSeconds: Double
    /// Extra environment for the commands.
    public let environment: [String: String]
    /// `command[0]` resolved along `PATH`; nil when it has a placeholder (resolved per node) or is found nowhere.
    let program: String?

    public init(command: [String], timeoutSeconds: Double = 30, environment: [String: String] = [:]) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        let given = command.first ?? ""
        program = given.contains("{") ? nil : ExecutableLookup.path(of: given, environment: environment)
    }

    public var name: String { "exec" }
    public var maxNodesPerCall: Int { 1 }

    public func revert(_ target: RevertTarget) async throws -> String {
        var outputs: [String] = []
        for node in target.nodes {
            do {
                try ExecDriver.check(
                    cluster: target.cluster, nodes: [node], artifact: target.artifact, rollout: target.rollout)
            } catch {
                throw BreakGlassChannelError(error.description)
            }
            let values = [
                "node": node, "cluster": target.cluster, "artifact": target.artifact.name,
                "version": target.artifact.version, "rollout": target.rollout,
            ]
            let arguments = command.map { Placeholders.substitute($0) { values[$0] } }
            let resolved = program.map { [$0] + arguments.dropFirst() } ?? arguments
            // The break-glass token is the operator's, not the node command's.
            let run = try await CommandRunner.run(
                resolved, environment: environment.merging([BreakGlassAuthority.tokenVariable: ""]) { $1 },
                timeoutSeconds: timeoutSeconds)
            guard run.status == 0 else {
                throw BreakGlassChannelError(
                    run.timedOut
                        ? "`\(arguments.prefix(4).joined(separator: " "))` timed out after \(Int(timeoutSeconds)) s and was killed"
                        : "`\(arguments.prefix(4).joined(separator: " "))` exited with status \(run.status): \(run.output.suffix(300))"
                )
            }
            outputs.append(run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return outputs.joined(separator: "; ")
    }
}

/// Sets a kill switch in a separate etcd that node agents watch: one key per artifact and cluster.
///
/// The key is `<prefix>/<artifact>/<cluster>`; the value is JSON naming the rollout, version, reason and run. Written
/// with etcd v3's JSON gateway (`POST /v3/kv/put`, key and value base64). A put is idempotent. etcd is expected on
/// an address of its own (loopback or a management network), not behind the Kubernetes apiserver.
public struct EtcdKillSwitchChannel: BreakGlassChannel {
    public var endpoint: URL
    public var prefix: String
    public var timeoutSeconds: Double

    public init(endpoint: URL, prefix: String = "/sluice/killswitch", timeoutSeconds: Double = 10) {
        self.endpoint = endpoint
        self.prefix = prefix
        self.timeoutSeconds = timeoutSeconds
    }

    public var name: String { "etcd-killswitch" }
    public var maxNodesPerCall: Int { .max }

    /// The key for `artifact` in `cluster`.
    public func key(artifact: String, cluster: String) -> String { "\(prefix)/\(artifact)/\(cluster)" }

    /// The value break-glass writes under the key.
    public struct Value: Codable, Sendable, Equatable {
        public var stop: Bool
        public var rollout: String
        public var artifact: String
        public var version: String
        public var cluster: String
        public var reason: String
        public var runID: String
    }

    public func revert(_ target: RevertTarget) async throws -> String {
        let key = key(artifact: target.artifact.name, cluster: target.cluster)
        let value = Value(
            stop: true, rollout: target.rollout, artifact: target.artifact.name, version: target.artifact.version,
            cluster: target.cluster, reason: target.reason, runID: target.runID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try JSONSerialization.data(withJSONObject: [
            "key": Data(key.utf8).base64EncodedString(), "value": try encoder.encode(value).base64EncodedString(),
        ])
        let (data, status) = try await post(path: "/v3/kv/put", body: body)
        guard status == 200 else {
            throw BreakGlassChannelError(
                "etcd at \(endpoint.absoluteString) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))"
            )
        }
        return "kill switch \(key) set (\(target.nodes.count) nodes)"
    }

    /// The kill-switch value stored for `artifact` in `cluster`, read back through `POST /v3/kv/range`; nil if unset.
    public func read(artifact: String, cluster: String) async throws -> Value? {
        let body = try JSONSerialization.data(withJSONObject: [
            "key": Data(key(artifact: artifact, cluster: cluster).utf8).base64EncodedString()
        ])
        let (data, status) = try await post(path: "/v3/kv/range", body: body)
        guard status == 200 else { throw BreakGlassChannelError("etcd answered \(status) to a range request") }
        struct Range: Decodable {
            struct KeyValue: Decodable { var value: String? }
            var kvs: [KeyValue]?
        }
        guard let encoded = try JSONDecoder().decode(Range.self, from: data).kvs?.first?.value,
            let raw = Data(base64Encoded: encoded)
        else { return nil }
        return try JSONDecoder().decode(Value.self, from: raw)
    }

    func post(path: String, body: Data) async throws -> (Data, Int) {
        var request = HTTPClientRequest(url: endpoint.appendingPathComponent(path).absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.milliseconds(Int64(timeoutSeconds * 1000))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (Data(answer.readableBytesView), Int(response.status.code))
    }
}
