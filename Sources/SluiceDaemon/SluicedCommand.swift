public import ArgumentParser
import AsyncAlgorithms
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import SluiceController
import SluiceCore
import SluiceDrivers
import SluiceManifests
import SluiceSignals
import SluiceStore

/// `sluiced`: the daemon that drives every rollout recorded in the database.
public struct SluicedCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sluiced",
        abstract: "Drive the rollouts recorded in Sluice's database, gate by gate.",
        discussion: """
            One daemon drives a database at a time (a lease with a fencing number); a second one started on the same
            database stands by and takes over when the lease expires. Stop it with SIGTERM or Ctrl-C: the pass in
            progress finishes and the lease is given up.

            Exit codes: 0 stopped cleanly (or idle with --exit-when-idle), 1 a runtime failure, 2 bad configuration,
            3 the database cannot be used.
            """)

    @Option(name: .long, help: "The database file (default: $SLUICE_DB or ~/.local/state/sluice/sluice.db).")
    var db: String?

    @Option(name: .long, help: "An ExecDriver file with the apply and revert command templates.")
    var driverConfig: String?

    @Option(name: .long, help: "A recorded signal file (.csv or .jsonl) to gate on.")
    var signals: String?

    @Option(name: .long, help: "Seconds added to the recording's timestamps to put them on the controller's clock.")
    var signalsOffset: Double = 0

    @Option(name: .long, help: "Wall seconds between reconcile passes.")
    var interval: Double = 5

    @Option(name: .long, help: "Run in virtual time: each pass moves the clock this many seconds (kept in the database).")
    var virtualStep: Double?

    @Option(name: .long, help: "This daemon's name in the lease (default: host:pid).")
    var owner: String?

    @Option(name: .long, help: "Seconds a lease lives without renewal before a standby takes over.")
    var leaseTTL: Double = 15

    @Flag(name: .long, help: "Exit once no rollout needs the daemon any more.")
    var exitWhenIdle = false

    public init() {}

    public func validate() throws {
        if interval < 0 { throw ValidationError("--interval must not be negative") }
        if let virtualStep, virtualStep <= 0 { throw ValidationError("--virtual-step must be positive") }
        if leaseTTL <= 0 { throw ValidationError("--lease-ttl must be positive") }
    }

    public func run() async throws {
        let logger = Logger(label: "sluiced")
        let path = db ?? SluiceStore.defaultPath(environment: ProcessInfo.processInfo.environment)
        let store: SluiceStore
        do {
            store = try SluiceStore(path: path)
        } catch {
            FileHandle.standardError.write(Data("sluiced: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let driver: any FleetDriver
        let source: any SignalSource
        do {
            driver = try makeDriver()
            source = try makeSignals()
        } catch {
            FileHandle.standardError.write(Data("sluiced: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let virtualClock = try virtualStep.map { try StoredVirtualClock(store: store, stepSeconds: $0) }
        let controller = RolloutController(
            store: store, driver: driver, signals: source, clock: virtualClock ?? WallClock(),
            owner: owner ?? "\(ProcessInfo.processInfo.hostName):\(getpid())", leaseTTLSeconds: leaseTTL,
            logger: logger, faultHook: FaultSwitch.fromEnvironment())
        let exitWhenIdle = self.exitWhenIdle
        let ticks = AsyncTimerSequence(interval: .milliseconds(max(1, Int(interval * 1000))), clock: .continuous)
        let service = ControllerService(controller: controller, ticks: ticks) { outcome in
            guard case .reconciled(let active, _) = outcome else { return false }
            if let virtualClock, let lease = try await controller.acquireLease() {
                try await virtualClock.advance(lease: lease)
            }
            return exitWhenIdle && active == 0
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("sluiced started", metadata: ["db": "\(path)", "owner": "\(controller.owner)"])
        try await group.run()
    }

    func makeDriver() throws -> any FleetDriver {
        guard let driverConfig else { return UnconfiguredDriver() }
        return ExecDriver(config: try ExecDriverManifest.load(driverConfig))
    }

    func makeSignals() throws -> any SignalSource {
        guard let signals else { return NoSignalSource() }
        return try RecordedSignalSource(path: signals, offsetSeconds: signalsOffset)
    }
}

/// The driver of a daemon started without one: every action fails, saying how to configure one.
struct UnconfiguredDriver: FleetDriver {
    func execute(_ action: FleetAction, on cluster: FleetCluster, artifact: ArtifactRef) async throws -> String {
        throw ValidationError("no driver configured: start sluiced with --driver-config FILE")
    }
}

/// The signal source of a daemon started without one: nothing is known, so every gate sees no data.
struct NoSignalSource: SignalSource {
    func samples(cluster: String, signal: String, from: Double, through: Double) throws -> [SignalSample] {
        throw ValidationError("no signal source configured (start sluiced with --signals FILE)")
    }
}
