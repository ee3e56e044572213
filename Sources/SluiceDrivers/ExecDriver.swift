import Foundation
public import SluiceCore
public import SluiceManifests

/// A driver that runs command templates (kubectl, ssh, a script) for each batch, without a shell.
///
/// `{nodes}` standing alone expands to one argument per node; inside a longer argument it is the node names joined
/// by commas. Large batches are split into calls of at most `maxNodesPerCall` nodes. A call that exits non-zero or
/// outlives its timeout fails the action; the templates must be idempotent (`kubectl label --overwrite`).
///
/// Before any command runs, every value that goes into it is checked (``CommandValue``): a cluster or node name that
/// starts with '-', holds a control character or '/', or an artifact, version or rollout that could be an option,
/// fails the action without running anything, so a name never becomes an option or a path.
public struct ExecDriver: FleetDriver {
    public var config: ExecDriverConfig
    /// Extra environment for the commands.
    public var environment: [String: String]

    public init(config: ExecDriverConfig, environment: [String: String] = [:]) {
        self.config = config
        self.environment = environment
    }

    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        let template = action.kind == .apply ? config.apply : config.revert
        let nodes = action.nodes.map(cluster.nodeName(at:))
        try Self.check(cluster: cluster.name, nodes: nodes, artifact: artifact, rollout: action.rollout)
        var outputs: [String] = []
        for start in stride(from: 0, to: nodes.count, by: config.maxNodesPerCall) {
            let chunk = Array(nodes[start..<min(nodes.count, start + config.maxNodesPerCall)])
            let arguments = Self.expand(
                template,
                values: [
                    "cluster": cluster.name, "artifact": artifact.name, "version": artifact.version,
                    "rollout": action.rollout, "batch": String(action.batch + 1),
                ],
                nodes: chunk)
            let run = try await CommandRunner.run(arguments, environment: environment, timeoutSeconds: config.timeoutSeconds)
            guard run.status == 0 else {
                throw ExecDriverError.commandFailed(
                    command: arguments.prefix(6).joined(separator: " "), status: run.status, output: run.output,
                    timedOut: run.timedOut)
            }
            outputs.append(run.output)
        }
        return outputs.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Throws ``ExecDriverError/unsafeValue(what:value:problem:)`` for the first value that must not reach a command.
    public static func check(
        cluster: String, nodes: [String], artifact: ArtifactRef, rollout: String
    ) throws(ExecDriverError) {
        let values = [("cluster", cluster, true)] + nodes.map { ("node", $0, true) } + [
            ("artifact", artifact.name, true), ("version", artifact.version, false), ("rollout", rollout, true),
        ]
        for (what, value, isPathComponent) in values {
            if let problem = CommandValue.problem(value, isPathComponent: isPathComponent) {
                throw .unsafeValue(what: what, value: value, problem: problem)
            }
        }
    }

    /// The arguments of `template` with its placeholders replaced; `${...}` is the shell's and is left alone.
    static func expand(_ template: [String], values: [String: String], nodes: [String]) -> [String] {
        var values = values
        values["nodes"] = nodes.joined(separator: ",")
        return template.flatMap { word -> [String] in
            if word == "{nodes}" { return nodes }
            return [ExecDriverManifest.substitute(word) { values[$0] }]
        }
    }
}

/// Why an exec driver call failed.
public enum ExecDriverError: Error, CustomStringConvertible {
    case commandFailed(command: String, status: Int32, output: String, timedOut: Bool)
    case cannotStart(command: String, reason: String)
    /// A value refused before any command ran: `what` is `cluster`, `node`, `artifact`, `version` or `rollout`.
    case unsafeValue(what: String, value: String, problem: String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let output, let timedOut):
            let what = timedOut ? "timed out and was killed" : "exited with status \(status)"
            return "`\(command)` \(what): \(output.suffix(500))"
        case .cannotStart(let command, let reason):
            return "cannot run `\(command)`: \(reason)"
        case .unsafeValue(let what, let value, let problem):
            return "refused to run any command with the \(what) \(KubernetesName.quoted(value)): \(problem); "
                + "rename it (fleet and plan files check names when they are read)"
        }
    }
}
