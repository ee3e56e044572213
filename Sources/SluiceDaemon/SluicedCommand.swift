public import ArgumentParser
import AsyncAlgorithms
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SluiceBreakGlass
import SluiceCommandSupport
import SluiceController
import SluiceCore
import SluiceDrivers
import SluiceManifests
import SluiceNotify
import SluicePrometheus
import SluiceSignals
import SluiceSimulation
import SluiceStore
import UnixSignals

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
            """,
        version: SluiceVersion.line(program: "sluiced", sqlite: SluiceStore.sqliteVersion))

    @Option(name: .long, help: "The database file (default: $SLUICE_DB or ~/.local/state/sluice/sluice.db).")
    var db: String?

    @Option(name: .long, help: "An ExecDriver file with the apply and revert command templates.")
    var driverConfig: String?

    @Option(name: .long, help: "A recorded signal file (.csv or .jsonl) to gate on.")
    var signals: String?

    @Option(name: .long, help: "Seconds added to the recording's timestamps to put them on the controller's clock.")
    var signalsOffset: Double = 0

    @Option(name: .long, help: "A PrometheusSource file: gate on Prometheus queries (see docs/prometheus.md).")
    var prometheus: String?

    @Option(
        name: .long,
        help: "Use the simulator as the fleet: this fleet file's clusters, simulated (no real cluster is touched).")
    var simulate: String?

    @Option(name: .long, help: "With --simulate: the simulation's seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "With --simulate and the wall clock: simulated seconds per wall second.")
    var speed: Double = 1

    @Option(name: .long, help: "A BreakGlass file whose node-direct channels revert clusters the policy escalates.")
    var breakGlassConfig: String?

    @Option(
        name: .long, help: "A Notifier file: webhooks told of halts, rollbacks, break-glass, approvals and completion.")
    var notifier: String?

    @Option(name: .long, help: "Wall seconds between reconcile passes.")
    var interval: Double = 5

    @Option(
        name: .long, help: "Run in virtual time: each pass moves the clock this many seconds (kept in the database).")
    var virtualStep: Double?

    @Option(name: .long, help: "This daemon's name in the lease (default: host:pid).")
    var owner: String?

    @Option(name: .long, help: "Seconds a lease lives without renewal before a standby takes over.")
    var leaseTTL: Double = 15

    @Option(name: .long, help: "Serve /metrics, /healthz and /readyz over HTTP on HOST:PORT (e.g. 127.0.0.1:9464).")
    var listen: String?

    @Option(
        name: .long, help: "The least severe log lines written: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(name: .long, help: "Log lines as text (for people) or json (one object per line, for a log pipeline).")
    var logFormat: LogFormat = .text

    @Flag(name: .long, help: "Exit once no rollout needs the daemon any more.")
    var exitWhenIdle = false

    public init() {}

    /// Runs `sluiced`; usage errors exit 2 like any other bad configuration.
    public static func main() async { await mainExitingTwoOnUsageErrors() }

    public func validate() throws {
        if interval < 0 { throw ValidationError("--interval must not be negative") }
        if let listen, OperatorEndpoint.address(listen) == nil {
            throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:9464)")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--log-level '\(logLevel)' is not a level; use one of \(levels)")
        }
        if let virtualStep, virtualStep <= 0 { throw ValidationError("--virtual-step must be positive") }
        if leaseTTL <= 0 { throw ValidationError("--lease-ttl must be positive") }
        if leaseTTL <= interval {
            throw ValidationError(
                "--lease-ttl (\(leaseTTL.formatted(maxFractionDigits: 3)) s) must be longer than --interval "
                    + "(\(interval.formatted(maxFractionDigits: 3)) s), or a standby takes the lease between passes")
        }
        if speed <= 0 { throw ValidationError("--speed must be positive") }
        if let problem = FleetAdapter.problem(choosing: chosenAdapters.map(\.adapter)) {
            throw ValidationError(problem)
        }
    }

    public func run() async throws {
        let logger = logFormat.logger(label: "sluiced", level: Logger.Level(rawValue: logLevel) ?? .info)
        let path = db ?? SluiceStore.defaultPath(environment: ProcessInfo.processInfo.environment)
        let store = try openStore(path, logger: logger)
        let fleet: FleetWiring
        let notifierConfig: NotifierConfig?
        do {
            fleet = try makeFleet(store: store)
            notifierConfig = try notifier.map(NotifierManifest.load)
        } catch {
            FileHandle.standardError.write(Data("sluiced: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        let metrics = ControllerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let controller = RolloutController(
            store: store, driver: fleet.driver, signals: fleet.signals, clock: fleet.clock,
            owner: owner ?? "\(ProcessInfo.processInfo.hostName):\(getpid())", leaseTTLSeconds: leaseTTL,
            logger: logger, faultHook: FaultSwitch.fromEnvironment(), nodeDirect: fleet.nodeDirect, metrics: metrics)
        var services = [controllerService(controller, fleet: fleet)]
        if let background = fleet.background { services.append(.init(service: background)) }
        if let listen, let (host, port) = OperatorEndpoint.address(listen) {
            services.append(
                .init(
                    service: operatorEndpoint(
                        host: host, port: port, registry: registry, metrics: metrics, store: store, logger: logger)))
        }
        if let notifierConfig {
            // Only the lease holder notifies: a standby daemon on the same database stays quiet.
            let owner = controller.owner
            let notifications = NotifierService(
                config: notifierConfig, store: store, logger: logger,
                holdsLease: { (try? store.currentLease())??.owner == owner })
            services.append(.init(service: notifications))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("sluiced started", metadata: startMetadata(path: path, owner: controller.owner))
        try await group.run()
        logger.info("sluiced stopped", metadata: ["owner": "\(controller.owner)"])
    }

    /// The database at `path`, created when missing; exit 3 when it cannot be used.
    func openStore(_ path: String, logger: Logger) throws -> SluiceStore {
        let isNew = !FileManager.default.fileExists(atPath: path)
        do {
            let store = try SluiceStore(path: path)
            if isNew { logger.notice("created the database \(path)") }
            return store
        } catch {
            FileHandle.standardError.write(Data("sluiced: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }

    /// The reconcile loop, a pass each `interval`; it ends the daemon once idle when `--exit-when-idle` says so.
    func controllerService(
        _ controller: RolloutController, fleet: FleetWiring
    ) -> ServiceGroupConfiguration.ServiceConfiguration {
        let exitWhenIdle = self.exitWhenIdle
        let ticks = AsyncTimerSequence(interval: .milliseconds(max(1, Int(interval * 1000))), clock: .continuous)
        let service = ControllerService(controller: controller, ticks: ticks) { outcome in
            guard case .reconciled(let active, _, _) = outcome else { return false }
            if outcome.needsTime { try await fleet.afterPass(controller) }
            return exitWhenIdle && active == 0
        }
        return .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)
    }

    /// `/metrics`, `/healthz` and `/readyz`: ready while the database can be read; the rollouts by phase are
    /// counted at each scrape.
    func operatorEndpoint(
        host: String, port: Int, registry: PrometheusCollectorRegistry, metrics: ControllerMetrics,
        store: SluiceStore, logger: Logger
    ) -> OperatorEndpoint {
        OperatorEndpoint(
            host: host, port: port, registry: registry,
            readiness: {
                do {
                    _ = try store.currentLease()
                    return nil
                } catch {
                    return "the database cannot be read: \(error)"
                }
            },
            beforeScrape: { if let counts = try? store.rolloutCountByPhase() { metrics.rolloutsByPhase(counts) } },
            logger: logger)
    }

    /// The configuration in the start line: enough to tell from the log alone what this daemon drives and reads.
    func startMetadata(path: String, owner: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "version": "\(SluiceVersion.number)", "db": "\(path)", "owner": "\(owner)",
            "interval": "\(interval)", "leaseTTL": "\(leaseTTL)",
            "clock": "\(virtualStep.map { "virtual, \($0) s a pass" } ?? "wall")",
        ]
        if let simulate { metadata["simulate"] = "\(simulate)" }
        if let driverConfig { metadata["driver"] = "\(driverConfig)" }
        if let signals { metadata["signals"] = "\(signals)" }
        if let prometheus { metadata["prometheus"] = "\(prometheus)" }
        if let breakGlassConfig { metadata["breakGlass"] = "\(breakGlassConfig)" }
        if let notifier { metadata["notifier"] = "\(notifier)" }
        if let listen { metadata["listen"] = "\(listen)" }
        return metadata
    }

    /// The adapters given on the command line, each with its file.
    var chosenAdapters: [(adapter: FleetAdapter, path: String)] {
        FleetAdapter.allCases.compactMap { adapter in
            let path: String? =
                switch adapter {
                case .execDriver: driverConfig
                case .recording: signals
                case .prometheus: prometheus
                case .simulator: simulate
                }
            return path.map { (adapter, $0) }
        }
    }

    /// The driver, signals and clock the daemon runs with, from its flags.
    func makeFleet(store: SluiceStore) throws -> FleetWiring {
        var driver: (any FleetDriver)?
        var signals: (any SignalSource)?
        for (adapter, path) in chosenAdapters {
            switch adapter {
            case .simulator: return try simulatedFleet(path)
            case .execDriver: driver = ExecDriver(config: try ExecDriverManifest.load(path))
            case .recording: signals = try RecordedSignalSource(path: path, offsetSeconds: signalsOffset)
            case .prometheus: signals = try prometheusSource(path)
            }
        }
        guard let driver, let signals else {
            throw ValidationError(FleetAdapter.problem(choosing: chosenAdapters.map(\.adapter)) ?? "no fleet")
        }
        let nodeDirect = try breakGlassConfig.map {
            BreakGlassDriver(
                channels: BreakGlassChannels.from(
                    config: try BreakGlassManifest.load($0), environment: ProcessInfo.processInfo.environment))
        }
        guard let virtualStep else {
            var wiring = FleetWiring(driver: driver, signals: signals, clock: WallClock())
            wiring.nodeDirect = nodeDirect
            return wiring
        }
        let clock = try StoredVirtualClock(store: store, stepSeconds: virtualStep)
        var wiring = FleetWiring(driver: driver, signals: signals, clock: clock) { controller in
            if let lease = try await controller.acquireLease() { try await clock.advance(lease: lease) }
        }
        wiring.nodeDirect = nodeDirect
        return wiring
    }

    /// The simulated fleet of the fleet file at `path`: its driver, signals and clock, moved by the daemon's passes
    /// in virtual time or by a pacer in wall time.
    func simulatedFleet(_ path: String) throws -> FleetWiring {
        let simulated = SimulatedFleet(fleet: try FleetManifest.load(path), seed: seed)
        let clock = SimulationClock(fleet: simulated)
        let signals = SimulatorSignalSource(fleet: simulated)
        let pacing: SimulatorDriver.Pacing = virtualStep == nil ? .live(pollSeconds: 0.05) : .virtual(stepSeconds: 5)
        var wiring =
            virtualStep.map { step in
                FleetWiring(
                    driver: SimulatorDriver(fleet: simulated, pacing: pacing), signals: signals, clock: clock,
                    afterPass: { _ in await simulated.advance(by: step) })
            }
            ?? FleetWiring(
                driver: SimulatorDriver(fleet: simulated, pacing: pacing), signals: signals, clock: clock,
                background: SimulationPacer(fleet: simulated, speed: speed))
        wiring.nodeDirect = SimulatorDriver(fleet: simulated, pacing: pacing, path: .nodeDirect)
        return wiring
    }

    /// Prometheus as the signal source, from the `PrometheusSource` file at `path`.
    func prometheusSource(_ path: String) throws -> PrometheusSignalSource {
        let config = try PrometheusSourceManifest.load(path)
        // URLSession on Linux takes a CA bundle only process-wide, through this variable (read by libcurl setup).
        if let caFile = config.caFile { setenv("URLSessionCertificateAuthorityInfoFile", caFile, 1) }
        return PrometheusSignalSource(config: config)
    }
}

/// What the daemon drives and reads, and how its time moves.
struct FleetWiring {
    var driver: any FleetDriver
    var signals: any SignalSource
    var clock: any ControllerClock
    /// Runs after a pass in which some rollout needs time to pass (a virtual clock moves here).
    var afterPass: @Sendable (RolloutController) async throws -> Void = { _ in }
    /// A service that runs beside the controller (the simulation's pacer).
    var background: (any Service)?
    /// The break-glass channels, for escalated reverts.
    var nodeDirect: (any FleetDriver)?

    init(
        driver: any FleetDriver, signals: any SignalSource, clock: any ControllerClock,
        afterPass: @escaping @Sendable (RolloutController) async throws -> Void = { _ in },
        background: (any Service)? = nil
    ) {
        self.driver = driver
        self.signals = signals
        self.clock = clock
        self.afterPass = afterPass
        self.background = background
    }
}

/// Moves a simulated fleet forward at `speed` simulated seconds per wall second.
struct SimulationPacer: Service {
    let fleet: SimulatedFleet
    let speed: Double

    func run() async throws {
        let start = ContinuousClock.now
        for try await _ in AsyncTimerSequence(interval: .milliseconds(50), clock: .continuous)
            .cancelOnGracefulShutdown()
        {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            await fleet.advance(to: seconds * speed)
        }
    }
}
