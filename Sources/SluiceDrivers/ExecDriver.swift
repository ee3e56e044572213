import Foundation
public import SluiceCore

/// A driver that runs command templates (kubectl, ssh, a script) for each batch, without a shell.
///
/// `{nodes}` standing alone expands to one argument per node; inside a longer argument it is the node names joined
/// by commas. Large batches are split into calls of at most `maxNodesPerCall` nodes. A call that exits non-zero or
/// outlives its timeout fails the action; the templates must be idempotent (`kubectl label --overwrite`). With a
/// `verify` step, an apply succeeds only once the verify command has exited 0 for every chunk (``Verification``);
/// reverts are not verified. A rollout with an APF brake runs `brake` once per cluster before its first batch and
/// `release` once after the rollout (``APFBrakeSpec``), with `{serviceAccount}`, `{namespace}` and `{shares}` too.
///
/// Before any command runs, every value that goes into it is checked (``CommandValue``): a cluster or node name that
/// starts with '-', holds a control character or '/', or an artifact, version or rollout that could be an option,
/// fails the action without running anything, so a name never becomes an option or a path.
public struct ExecDriver: FleetDriver {
    public var config: ExecDriverConfig
    /// Extra environment for the commands.
    public var environment: [String: String]
    /// What the verify step reads and sleeps on between tries; tests pass one that only pretends to wait.
    public var clock: any Clock<Duration>

    public init(
        config: ExecDriverConfig, environment: [String: String] = [:], clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.config = config
        self.environment = environment
        self.clock = clock
    }

    /// Runs the action's template on each chunk of its nodes; after an apply, the verify step too when there is one.
    ///
    /// Returns the output of every call that succeeded (a verify's failed tries are left out).
    public func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        let nodes = action.nodes.map(cluster.nodeName(at:))
        try Self.check(cluster: cluster.name, nodes: nodes, artifact: artifact, rollout: action.rollout)
        let values = [
            "cluster": cluster.name, "artifact": artifact.name, "version": artifact.version,
            "rollout": action.rollout, "batch": String(action.batch + 1),
        ]
        if action.kind == .brake || action.kind == .release {
            return try await brake(action, values: values)
        }
        let chunks = stride(from: 0, to: nodes.count, by: config.maxNodesPerCall).map {
            Array(nodes[$0..<min(nodes.count, $0 + config.maxNodesPerCall)])
        }
        let template = action.kind == .apply ? config.apply : config.revert
        var outputs: [String] = []
        for chunk in chunks {
            let arguments = Self.expand(template, values: values, nodes: chunk)
            let run = try await CommandRunner.run(arguments, environment: environment, timeoutSeconds: config.timeoutSeconds)
            guard run.status == 0 else { throw ExecDriverError.failedRun(arguments, run) }
            outputs.append(run.output)
        }
        if action.kind == .apply, let verify = config.verify {
            let verification = Verification(
                step: verify, environment: environment, callTimeoutSeconds: config.timeoutSeconds)
            let commands = chunks.map { Self.expand(verify.command, values: values, nodes: $0) }
            // A local: Swift 6.3 does not open the existential for `some Clock` straight from the stored property.
            let clock = clock
            outputs += try await verification.run(commands, clock: clock)
        }
        return outputs.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the `brake` or `release` template once for the cluster.
    func brake(_ action: FleetAction, values: [String: String]) async throws -> String {
        guard let brake = action.brake else {
            throw ExecDriverError.cannotStart(command: action.kind.rawValue, reason: "the action carries no APF brake")
        }
        guard let template = action.kind == .brake ? config.brake : config.release else {
            throw ExecDriverError.noBrakeCommand(action.kind)
        }
        for (what, value) in [("service account", brake.serviceAccount), ("namespace", brake.namespace)] {
            if let problem = CommandValue.problem(value, isPathComponent: true) {
                throw ExecDriverError.unsafeValue(what: what, value: value, problem: problem)
            }
        }
        var values = values
        values["serviceAccount"] = brake.serviceAccount
        values["namespace"] = brake.namespace
        values["shares"] = String(brake.nominalConcurrencyShares)
        let arguments = Self.expand(template, values: values, nodes: [])
        let run = try await CommandRunner.run(arguments, environment: environment, timeoutSeconds: config.timeoutSeconds)
        guard run.status == 0 else { throw ExecDriverError.failedRun(arguments, run) }
        return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
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
            return [Placeholders.substitute(word) { values[$0] }]
        }
    }
}

/// Why an exec driver call failed.
public enum ExecDriverError: Error, CustomStringConvertible {
    case commandFailed(command: String, status: Int32, output: String, timedOut: Bool)
    /// The verify command still failed when its `timeoutSeconds` had passed; the rest is its last try's.
    case notVerified(command: String, timeoutSeconds: Double, status: Int32, output: String, timedOut: Bool)
    case cannotStart(command: String, reason: String)
    /// A value refused before any command ran: `what` is `cluster`, `node`, `artifact`, `version` or `rollout`.
    case unsafeValue(what: String, value: String, problem: String)
    /// The rollout has an APF brake and the driver file no `brake`/`release` command (`kind` says which).
    case noBrakeCommand(FleetAction.Kind)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let output, let timedOut):
            return "`\(command)` \(Self.outcome(status: status, output: output, timedOut: timedOut))"
        case .notVerified(let command, let timeoutSeconds, let status, let output, let timedOut):
            return "`\(command)` did not succeed within \(DurationText.format(timeoutSeconds)) "
                + "(last: \(Self.outcome(status: status, output: output, timedOut: timedOut)))"
        case .cannotStart(let command, let reason):
            return "cannot run `\(command)`: \(reason)"
        case .unsafeValue(let what, let value, let problem):
            return "refused to run any command with the \(what) \(KubernetesName.quoted(value)): \(problem); "
                + "rename it (fleet and plan files check names when they are read)"
        case .noBrakeCommand(let kind):
            return "the rollout's plan sets an APF brake, but the driver file has no spec.\(kind.rawValue) command; "
                + "add spec.brake and spec.release (see Examples/kubectl/driver.yaml), or drop apfBrake from the plan"
        }
    }

    /// `commandFailed` for the run of `arguments`, which shows the first six words of the command.
    static func failedRun(_ arguments: [String], _ run: CommandRunner.Run) -> Self {
        .commandFailed(command: shown(arguments), status: run.status, output: run.output, timedOut: run.timedOut)
    }

    /// `notVerified` after `run`, the last try of `arguments`.
    static func unverifiedRun(_ arguments: [String], timeoutSeconds: Double, last run: CommandRunner.Run) -> Self {
        .notVerified(
            command: shown(arguments), timeoutSeconds: timeoutSeconds, status: run.status, output: run.output,
            timedOut: run.timedOut)
    }

    /// The start of a command, enough to recognise it in an error.
    static func shown(_ arguments: [String]) -> String { arguments.prefix(6).joined(separator: " ") }

    /// How a run ended, with the end of its output: `exited with status 3: no such node`.
    static func outcome(status: Int32, output: String, timedOut: Bool) -> String {
        let what = timedOut ? "timed out and was killed" : "exited with status \(status)"
        return "\(what): \(output.suffix(500))"
    }
}
