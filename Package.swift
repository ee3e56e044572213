// swift-tools-version:6.1
import PackageDescription

/// Strict settings shared by every target.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluiced", targets: ["sluiced"]),
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // SHA-256 for the audit log's hash chain and break-glass credentials (Foundation has none on Linux).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // HTTP for the etcd kill switch, linked into `sluice`: URLSession would load libcurl and some thirty libraries
        // at every CLI start (a third of its start-up time).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The daemon's own metrics: recorded through swift-metrics, served in Prometheus's text format.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Deque: the simulated fleet's bounded rings of scraped samples.
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // The pure rollout core: plan and policy model, the decision function. No I/O, no clock reads.
        .target(name: "SluiceCore", swiftSettings: strictSettings),
        // Reading plan, fleet and policy files with file:line:field errors.
        .target(
            name: "SluiceManifests",
            dependencies: ["SluiceCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The SQLite store: the only module that imports GRDB.
        .target(
            name: "SluiceStore",
            dependencies: [
                "SluiceCore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's own counters (pages a pass visits) for the history-growth test and the benchmark.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Drivers that act on nodes (exec command templates).
        .target(
            name: "SluiceDrivers",
            dependencies: [
                "SluiceCore", "SluiceManifests", .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        // Health-signal sources (recorded files).
        .target(name: "SluiceSignals", dependencies: ["SluiceCore"], swiftSettings: strictSettings),
        // Health signals read from Prometheus's HTTP API (URLSession; no other HTTP client).
        .target(
            name: "SluicePrometheus", dependencies: ["SluiceCore", "SluiceManifests"], swiftSettings: strictSettings
        ),
        // A deterministic model of Kubernetes control planes under load; knows nothing of rollouts.
        .target(name: "FleetSimulator", swiftSettings: strictSettings),
        // The reconcile loop, the lease and the action journal around the pure core.
        .target(
            name: "SluiceController",
            dependencies: [
                "SluiceCore", "SluiceStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: strictSettings
        ),
        // The simulator as a driver and a signal source, and virtual-time runs of the real controller.
        .target(
            name: "SluiceSimulation",
            dependencies: [
                "SluiceCore", "SluiceManifests", "SluiceStore", "SluiceController", "FleetSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        // Break-glass: node-direct revert channels that need neither the control plane nor the daemon.
        .target(
            name: "SluiceBreakGlass",
            dependencies: [
                "SluiceCore", "SluiceManifests", "SluiceStore", "SluiceDrivers",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Webhook notifications of the event log (halts, rollbacks, break-glass, approvals, completions).
        .target(
            name: "SluiceNotify",
            dependencies: [
                "SluiceCore", "SluiceStore", "SluiceManifests",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // What both executables share on the command line: usage errors exit 2.
        .target(
            name: "SluiceCommandSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings,
            plugins: ["SourceRevision"]
        ),
        // The commit `--version` names, written before each build.
        .plugin(name: "SourceRevision", capability: .buildTool(), path: "Sources/SourceRevisionPlugin"),
        // `sluiced` as a library.
        .target(
            name: "SluiceDaemon",
            dependencies: [
                "SluiceCore", "SluiceManifests", "SluiceStore", "SluiceController", "SluiceDrivers", "SluiceSignals",
                "SluiceSimulation", "SluiceBreakGlass", "SluicePrometheus", "SluiceNotify", "SluiceCommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The rollout report as one self-contained HTML page: data in, HTML out, no I/O.
        .target(name: "SluiceReport", dependencies: ["SluiceCore"], swiftSettings: strictSettings),
        // `sluice` as a library.
        .target(
            name: "SluiceCLI",
            dependencies: [
                "SluiceCore", "SluiceManifests", "SluiceStore", "SluiceSimulation", "SluiceSignals", "FleetSimulator",
                "SluiceReport", "SluiceBreakGlass", "SluiceCommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sluiced",
            dependencies: ["SluiceDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sluice",
            dependencies: ["SluiceCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        // What the benchmarks share: timing, spawning, a report with baselines and a history file, an idle fleet.
        .target(name: "SluiceBenchSupport", dependencies: ["SluiceCore"], swiftSettings: strictSettings),
        // Benchmark: the incident fleet for hours of virtual time (`swift run -c release sluice-sim-bench`), and the
        // daemon's pass over a simulated fleet (`--daemon-pass`).
        .executableTarget(
            name: "sluice-sim-bench",
            dependencies: [
                "FleetSimulator", "SluiceSimulation", "SluiceController", "SluiceStore", "SluiceManifests", "SluiceCore",
                "SluiceBenchSupport",
            ],
            swiftSettings: strictSettings
        ),
        // Benchmark: the store, a daemon pass and the CLI as history grows (`.build/release/sluice-store-bench`).
        // Imports GRDB only for its baseline, a bare SQLite commit.
        .executableTarget(
            name: "sluice-store-bench",
            dependencies: [
                "SluiceStore", "SluiceController", "SluiceCore", "SluiceBenchSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Benchmark: a break-glass fan-out and its journal's cost to every store open
        // (`.build/release/sluice-break-glass-bench`).
        .executableTarget(
            name: "sluice-break-glass-bench",
            dependencies: [
                "SluiceBreakGlass", "SluiceStore", "SluiceController", "SluiceCore", "SluiceBenchSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // What tests that run real processes share.
        .target(name: "SluiceTestSupport", dependencies: ["SluiceManifests"], swiftSettings: strictSettings),
        .testTarget(
            name: "SluiceCoreTests", dependencies: ["SluiceCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceManifestsTests", dependencies: ["SluiceManifests", "SluiceCore", "SluiceTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceStoreTests", dependencies: ["SluiceStore", "SluiceCore", "SluiceTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceDriversTests", dependencies: ["SluiceDrivers", "SluiceCore", "SluiceTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceSignalsTests", dependencies: ["SluiceSignals", "SluiceCore", "SluiceTestSupport"],
            swiftSettings: strictSettings
        ),
        // Includes a real Prometheus on loopback (Debian's `prometheus` package) fed by promtool backfill.
        .testTarget(
            name: "SluicePrometheusTests",
            dependencies: [
                "SluicePrometheus", "SluiceSignals", "SluiceManifests", "SluiceController", "SluiceStore", "SluiceCore",
                "SluiceDaemon", "SluiceSimulation", "SluiceTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Includes webhooks on a python3 stand-in HTTP server on loopback.
        .testTarget(
            name: "SluiceNotifyTests",
            dependencies: [
                "SluiceNotify", "SluiceStore", "SluiceCore", "SluiceManifests", "SluiceTestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FleetSimulatorTests", dependencies: ["FleetSimulator"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceControllerTests",
            dependencies: [
                "SluiceController", "SluiceStore", "SluiceCore", "SluiceManifests", "SluiceSignals", "SluiceTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceSimulationTests",
            dependencies: ["SluiceSimulation", "SluiceCore", "SluiceManifests", "FleetSimulator"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceCLITests",
            dependencies: [
                "SluiceCLI", "SluiceCore", "SluiceStore", "SluiceBreakGlass", "FleetSimulator",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceReportTests", dependencies: ["SluiceReport", "SluiceCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceBreakGlassTests",
            dependencies: [
                "SluiceBreakGlass", "SluiceCore", "SluiceManifests", "SluiceStore", "SluiceController", "SluiceSimulation",
                "FleetSimulator", "sluice", "sluiced", "SluiceTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        // Real `sluiced` and `sluice` processes: kill and restart, two daemons on one database.
        .testTarget(
            name: "SluiceIntegrationTests",
            dependencies: ["sluiced", "sluice", "SluiceStore", "SluiceCore", "SluiceManifests", "SluiceTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
