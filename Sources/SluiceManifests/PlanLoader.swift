import Foundation
public import SluiceCore

/// A plan file read whole: the plan, its fleet and policy, and the spec they resolve to.
public struct LoadedPlan: Sendable {
    public var planPath: String
    public var fleetPath: String
    public var policyPath: String
    /// Whether the plan names no policy and got ``PlanManifest/defaultPolicy``.
    public var policyIsDefault: Bool
    public var plan: RolloutPlan
    public var fleet: Fleet
    public var spec: RolloutSpec
    /// Problems that do not stop the plan: a bake shorter than a lag (with a policy that only warns), a gate on a
    /// signal no source knows.
    public var warnings: [ManifestProblem]

    /// The policy's name, and that it is the default when the plan names none.
    public var policyDescription: String {
        policyIsDefault ? "\(spec.policy.name) (the default: the plan names no policy)" : spec.policy.name
    }
}

/// Loads and checks plans the way `plan validate` and `submit` do.
public struct PlanLoader: Sendable {
    /// Folders searched for `<policy>.yaml`, in order, before the `Policies/` folders above the plan.
    public var policyDirectories: [String]

    public init(policyDirectories: [String] = []) {
        self.policyDirectories = policyDirectories
    }

    /// Reads `planPath`, its fleet and its policy, and resolves them; every problem is placed at a file and line.
    public func load(_ planPath: String) throws(ManifestError) -> LoadedPlan {
        let (plan, reader) = try PlanManifest.decode(planPath)
        let planDirectory = URL(fileURLWithPath: planPath).deletingLastPathComponent()
        let fleetPath = Self.path(plan.fleetPath, relativeTo: planDirectory)
        let fleet: Fleet
        do {
            fleet = try FleetManifest.load(fleetPath)
        } catch {
            let line = reader.line(of: "spec.fleet")
            var problems = [ManifestProblem(file: planPath, line: line, field: "spec.fleet", message: "fleet file is not usable")]
            problems += error.problems
            throw ManifestError(problems)
        }
        let policyIsDefault = !reader.has("spec.policy")
        let policyPath = try findPolicy(plan.policyName, planDirectory: planDirectory, planPath: planPath, reader: reader)
        let (policy, policyWarnings) = try PolicyManifest.read(policyPath)
        switch RolloutSpec.resolve(plan: plan, fleet: fleet, policy: policy) {
        case .success(let spec):
            let lagProblems = Self.bakesShorterThanLag(spec, plan: plan).map {
                ManifestProblem(file: planPath, line: reader.line(of: $0.fieldPath), field: $0.fieldPath, message: $0.message)
            }
            if policy.requireBakeCoveringLag && !lagProblems.isEmpty { throw ManifestError(lagProblems) }
            return LoadedPlan(
                planPath: planPath, fleetPath: fleetPath, policyPath: policyPath, policyIsDefault: policyIsDefault,
                plan: plan, fleet: fleet, spec: spec, warnings: lagProblems + policyWarnings)
        case .failure(let failure):
            throw ManifestError(failure.issues.map {
                ManifestProblem(file: planPath, line: reader.line(of: $0.fieldPath), field: $0.fieldPath, message: $0.message)
            })
        }
    }

    /// Waves whose bake after each cluster is shorter than the longest a gated signal can hide a failure.
    static func bakesShorterThanLag(_ spec: RolloutSpec, plan: RolloutPlan) -> [PlanIssue] {
        guard let lag = spec.policy.longestLag else { return [] }
        return spec.waves.enumerated().compactMap { index, wave in
            guard wave.bakeAfterClusterSeconds < lag.hidesFailureForSeconds else { return nil }
            let need = DurationText.format(lag.hidesFailureForSeconds)
            return PlanIssue(
                fieldPath: "spec.waves[\(index)].bakeAfterCluster",
                message: "\(DurationText.format(wave.bakeAfterClusterSeconds)) is shorter than the \(need) "
                    + "\(lag.signal) can hide a failure (policy \(spec.policy.name)); bake at least \(need) after each "
                    + "cluster, or the rollout may reach the next cluster before the harm shows")
        }
    }

    /// `path` itself when absolute, else `path` under `directory`.
    static func path(_ path: String, relativeTo directory: URL) -> String {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).standardized.path
            : directory.appendingPathComponent(path).standardized.path
    }

    func findPolicy(
        _ name: String, planDirectory: URL, planPath: String, reader: ManifestReader
    ) throws(ManifestError) -> String {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            return Self.path(name, relativeTo: planDirectory)
        }
        var candidates = policyDirectories.map { URL(fileURLWithPath: $0).appendingPathComponent("\(name).yaml").path }
        var directory = planDirectory.standardized
        while true {
            candidates.append(directory.appendingPathComponent("Policies/\(name).yaml").path)
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("Policies/\(name).yaml").path)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        let named = reader.has("spec.policy")
            ? "no policy '\(name)' found" : "the plan names no policy and the default '\(name)' was not found"
        throw ManifestError([ManifestProblem(
            file: planPath, line: reader.line(of: "spec.policy"), field: "spec.policy",
            message: "\(named) (looked for \(name).yaml in --policies folders, in Policies/ folders above the plan "
                + "and in ./Policies); name a policy in Policies/ or give a path ending in .yaml")])
    }
}
