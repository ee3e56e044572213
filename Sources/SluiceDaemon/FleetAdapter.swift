/// What an adapter gives the daemon: a way to act on nodes, a way to read health signals.
enum FleetRole: CaseIterable, Sendable {
    case driver, signalSource

    var noun: String {
        switch self {
        case .driver: "driver"
        case .signalSource: "signal source"
        }
    }

    /// Why `sluiced` cannot start without one.
    var whyNeeded: String {
        switch self {
        case .driver: "nothing could apply or revert a batch"
        case .signalSource: "without one every gate sees no data and every rollout halts"
        }
    }
}

/// The daemon's registry of adapters, each chosen by one flag: the one list a new driver or signal source joins.
///
/// Each role must be filled by exactly one chosen adapter; `problem(choosing:)` says which flags to add or drop, so no
/// pair of flags needs a rule of its own.
enum FleetAdapter: CaseIterable, Sendable {
    /// `--driver-config`: an `ExecDriver` file of command templates (`SluiceDrivers`).
    case execDriver
    /// `--signals`: a recorded CSV or JSON-lines file (`SluiceSignals`).
    case recording
    /// `--prometheus`: a `PrometheusSource` file (`SluicePrometheus`).
    case prometheus
    /// `--simulate`: the simulated fleet, its driver and signals at once (`SluiceSimulation`).
    case simulator

    var flag: String {
        switch self {
        case .execDriver: "--driver-config"
        case .recording: "--signals"
        case .prometheus: "--prometheus"
        case .simulator: "--simulate"
        }
    }

    /// The flag as the usage shows it: `--simulate FLEET`.
    var usage: String { "\(flag) \(self == .simulator ? "FLEET" : "FILE")" }

    var roles: [FleetRole] {
        switch self {
        case .execDriver: [.driver]
        case .recording, .prometheus: [.signalSource]
        case .simulator: [.driver, .signalSource]
        }
    }

    /// Why `chosen` cannot run a daemon, or nil when every role is filled exactly once.
    static func problem(choosing chosen: [FleetAdapter]) -> String? {
        for role in FleetRole.allCases {
            let providers = chosen.filter { $0.roles.contains(role) }
            if providers.isEmpty {
                let options = allCases.filter { $0.roles.contains(role) }.map(\.usage)
                return "no \(role.noun): start sluiced with \(alternatives(options)) (\(role.whyNeeded))"
            }
            if providers.count > 1 {
                let flags = providers.map(\.flag)
                return "\(alternatives(flags, joinedBy: "and")) each bring a \(role.noun); keep one of them"
            }
        }
        return nil
    }

    /// `a, b or c`.
    private static func alternatives(_ words: [String], joinedBy last: String = "or") -> String {
        guard words.count > 1 else { return words.joined() }
        return words.dropLast().joined(separator: ", ") + " \(last) " + words.last!
    }
}
