public import FleetSimulator
public import SluiceCore

/// One cell of the scenario matrix: a plan on its fleet with one agent profile and seed, run unguarded (the truth:
/// does this change harm the fleet?) and under Sluice.
public struct ScenarioResult: Sendable, Codable, Equatable {
    /// What Sluice did with the change, judged against what the change does unguarded.
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// A harmless change went everywhere.
        case completed
        /// A harmful change was stopped before any harm.
        case stopped
        /// A harmful change went everywhere without harm: the plan's pacing alone kept it safe.
        case completedSafely
        /// A harmless change was stopped.
        case falseHalt
        /// The fleet was harmed under Sluice.
        case harm

        /// Whether Sluice did what it is for.
        public var isGood: Bool { self != .falseHalt && self != .harm }
    }

    public var plan: String
    public var profile: String
    public var seed: UInt64
    public var unguarded: SimulationOutcome
    public var guarded: SimulationOutcome

    public init(plan: String, profile: String, seed: UInt64, unguarded: SimulationOutcome, guarded: SimulationOutcome) {
        self.plan = plan
        self.profile = profile
        self.seed = seed
        self.unguarded = unguarded
        self.guarded = guarded
    }

    /// Whether the change harms the fleet when nobody stops it.
    public var harmful: Bool { unguarded.harmed }

    public var verdict: Verdict {
        if guarded.harmed { return .harm }
        let completed = guarded.finalPhase == RolloutPhase.completed.rawValue
        if harmful { return completed ? .completedSafely : .stopped }
        return completed ? .completed : .falseHalt
    }
}

extension SimulationOutcome {
    /// Any control plane degraded, or DNS failing, at any time of the run.
    public var harmed: Bool { clustersDegraded > 0 || dnsFailureClusterMinutes > 0 }
}

/// The rates the matrix is judged by.
public struct ScenarioRates: Sendable, Codable, Equatable {
    public var harmless: Int
    public var falseHalts: Int
    public var harmful: Int
    /// Harmful changes under which the fleet was harmed all the same.
    public var harmedUnderSluice: Int

    public init(_ results: [ScenarioResult]) {
        harmless = results.filter { !$0.harmful }.count
        falseHalts = results.filter { $0.verdict == .falseHalt }.count
        harmful = results.filter(\.harmful).count
        harmedUnderSluice = results.filter { $0.harmful && $0.guarded.harmed }.count
    }
}

/// Runs plans under every given agent profile and seed, unguarded and under Sluice.
public struct ScenarioMatrix: Sendable {
    /// A plan to run: its name in reports and its spec resolved against `fleet`.
    public struct Plan: Sendable {
        public var name: String
        public var spec: RolloutSpec
        public var fleet: Fleet

        public init(name: String, spec: RolloutSpec, fleet: Fleet) {
            self.name = name
            self.spec = spec
            self.fleet = fleet
        }
    }

    public var plans: [Plan]
    public var profiles: [AgentAPIProfile]
    public var seeds: [UInt64]
    /// The longest a guarded run may last, in virtual time.
    public var horizonSeconds: Double

    public init(plans: [Plan], profiles: [AgentAPIProfile], seeds: [UInt64], horizonSeconds: Double = 48 * 3600) {
        self.plans = plans
        self.profiles = profiles
        self.seeds = seeds
        self.horizonSeconds = horizonSeconds
    }

    /// Every cell, plans outermost, in order; `progress` hears each result as it comes.
    public func run(progress: (ScenarioResult) -> Void = { _ in }) async throws -> [ScenarioResult] {
        var results: [ScenarioResult] = []
        for plan in plans {
            for profile in profiles {
                for seed in seeds {
                    var spec = plan.spec
                    spec.artifact.apiProfile = profile.name
                    let runner = SimulationRunner(fleet: plan.fleet, seed: seed, horizonSeconds: horizonSeconds)
                    async let unguarded = runner.unguarded(profile: profile)
                    async let guarded = runner.guarded(spec)
                    let result = ScenarioResult(
                        plan: plan.name, profile: profile.name, seed: seed, unguarded: await unguarded,
                        guarded: try await guarded)
                    progress(result)
                    results.append(result)
                }
            }
        }
        return results
    }
}
