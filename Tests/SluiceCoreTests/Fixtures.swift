import SluiceCore

/// A small fleet and plan for decision tests.
enum Fixtures {
    static let fleet = Fleet(name: "test", clusters: [
        FleetCluster(name: "staging", labels: ["tier": "staging"], nodeCount: 10),
        FleetCluster(name: "small-b", labels: ["tier": "small"], nodeCount: 60),
        FleetCluster(name: "small-a", labels: ["tier": "small"], nodeCount: 40),
        FleetCluster(name: "large", labels: ["tier": "large"], nodeCount: 1000),
    ])

    static let gate = Gate(name: "errors", signal: "apiserver_429_ratio", aggregation: .max, windowSeconds: 60,
                           bound: .atMost(0.01), onNoData: .fail, action: .halt)

    static func policy(_ gates: [Gate] = [gate]) -> GatePolicy {
        GatePolicy(name: "test", gates: gates, maxSampleAgeSeconds: 120)
    }

    static func plan(manualLarge: Bool = false) -> RolloutPlan {
        RolloutPlan(
            name: "agent-2", artifact: ArtifactRef(name: "agent", version: "2"), fleetPath: "fleet.yaml",
            policyName: "test",
            waves: [
                WavePlan(name: "canary", clusters: .names(["staging"]), nodeBatches: [.count(1), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600),
                WavePlan(name: "small", clusters: .matchLabels(["tier": "small"]), maxConcurrentClusters: 2,
                         nodeBatches: [.percent(10), .percent(100)], bakeBetweenBatchesSeconds: 300,
                         bakeAfterClusterSeconds: 600),
                WavePlan(name: "large", clusters: .names(["large"]), nodeBatches: [.percent(1), .percent(100)],
                         bakeBetweenBatchesSeconds: 300, bakeAfterClusterSeconds: 600,
                         approval: manualLarge ? .manual : .automatic),
            ])
    }

    static func spec(manualLarge: Bool = false, gates: [Gate] = [gate]) throws -> RolloutSpec {
        try RolloutSpec.resolve(plan: plan(manualLarge: manualLarge), fleet: fleet, policy: policy(gates)).get()
    }

    /// Healthy samples of every gate signal for `clusters` at `now`.
    static func healthy(_ clusters: [String], now: Double, value: Double = 0) -> [String: ClusterSignals] {
        Dictionary(uniqueKeysWithValues: clusters.map {
            ($0, ClusterSignals(cluster: $0, samples: ["apiserver_429_ratio": [SignalSample(at: now, value: value)]]))
        })
    }
}

/// Drives the pure decision function the way the controller does, with a perfect driver and a clock it moves.
struct DecisionHarness {
    var spec: RolloutSpec
    var status: RolloutStatus
    var journal: [String: JournalEntry] = [:]
    var now: Double = 0
    var requests: [OperatorRequest] = []
    var nextRequestID: Int64 = 1
    /// Every action carried out, in order.
    var carriedOut: [FleetAction] = []
    /// When each carried-out action ran, by key.
    var carriedOutAt: [String: Double] = [:]
    var events: [RolloutEvent] = []
    var evaluations: [GateEvaluation] = []
    /// Signal value the watched clusters report; nil = no data.
    var signalValue: (String, Double) -> Double? = { _, _ in 0 }
    /// Every signal a watched cluster reports at a time, when set (overrides `signalValue`).
    var signalValues: ((String, Double) -> [String: Double])?
    /// Samples kept per cluster and signal, so windows see history.
    var history: [String: [String: [SignalSample]]] = [:]
    /// Whether the driver succeeds for an action.
    var driverSucceeds: (FleetAction) -> Bool = { _ in true }

    init(spec: RolloutSpec) {
        self.spec = spec
        status = RolloutStatus(spec: spec, now: 0)
    }

    mutating func request(_ verb: OperatorRequest.Verb, reason: String = "") {
        requests.append(OperatorRequest(id: nextRequestID, verb: verb, reason: reason, actor: "alice", generation: Int(nextRequestID)))
        nextRequestID += 1
    }

    /// One pass: decide, record intents, carry them out. Returns the decision.
    @discardableResult
    mutating func pass() -> Decision {
        var signals: [String: ClusterSignals] = [:]
        for cluster in Reconciler.clustersToWatch(spec: spec, status: status) {
            var clusterSignals = ClusterSignals(cluster: cluster)
            if let signalValues {
                for (name, value) in signalValues(cluster, now) {
                    history[cluster, default: [:]][name, default: []].append(SignalSample(at: now, value: value))
                }
                clusterSignals.samples = history[cluster] ?? [:]
            } else if let value = signalValue(cluster, now) {
                clusterSignals.samples["apiserver_429_ratio"] = [SignalSample(at: now, value: value)]
            }
            signals[cluster] = clusterSignals
        }
        let decision = Reconciler.decide(ReconcileInput(
            spec: spec, status: status, requests: requests, journal: journal, signals: signals, now: now))
        requests = []
        status = decision.status
        events += decision.events
        evaluations += decision.gateEvaluations
        for action in decision.actions {
            let attempts = (journal[action.key]?.attempts ?? 0) + 1
            journal[action.key] = JournalEntry(action: action, state: .intended, attempts: attempts, intendedAt: now)
        }
        for action in decision.actions {
            let ok = driverSucceeds(action)
            if ok {
                carriedOut.append(action)
                carriedOutAt[action.key] = now
            }
            journal[action.key]!.state = ok ? .done : .failed
            journal[action.key]!.completedAt = now
            journal[action.key]!.detail = ok ? "ok" : "apiserver said 429"
        }
        return decision
    }

    /// Passes every `stepSeconds` until `until` returns true or `limitSeconds` of virtual time pass.
    mutating func run(stepSeconds: Double = 30, limitSeconds: Double = 86_400, until: (RolloutStatus) -> Bool) {
        let end = now + limitSeconds
        while now <= end {
            pass()
            if until(status) { return }
            now += stepSeconds
        }
    }

    var appliedKeys: [String] { carriedOut.map(\.key) }
}
