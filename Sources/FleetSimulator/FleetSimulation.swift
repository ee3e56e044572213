/// The whole fleet's state in virtual time. Deterministic: same specs, parameters, seed and calls ⇒ identical results.
///
/// A value type: copying a simulation forks it (both copies go on independently), which is how what-if comparisons
/// are made. Virtual time advances only through `advance(toSeconds:)`, in fixed steps of `parameters.stepSeconds`;
/// each step costs O(clusters × (request classes + priority levels)), whatever the number of nodes or requests.
/// Use it from one task at a time (it is `Sendable` as a value: send a copy, not a shared reference).
public struct FleetSimulation: Sendable {
    /// The model's parameters.
    public let parameters: SimulationParameters
    /// The seed of every random draw (arrival jitter, signal noise).
    public let seed: UInt64
    /// The clusters, in the order given.
    public let clusterSpecs: [SimulatedClusterSpec]
    /// Virtual seconds since the start.
    public private(set) var nowSeconds: Double = 0

    /// Threads that step the clusters (1: the calling thread alone). Results are the same for any number: each
    /// cluster's step reads nothing of the others.
    public var stepWorkers = 1

    /// Steps done; the model's time is `stepsDone × stepSeconds` (≤ `nowSeconds`).
    private var stepsDone = 0
    /// The clusters in spec order, each with the changes submitted for it.
    private var clusters: [SimulatedCluster]
    private let clusterIndexByName: [String: Int]
    /// Per ticket id: where its change is kept (nil: submitted for a cluster the fleet does not have).
    private var changePlaces: [ChangePlace?] = []

    /// A healthy fleet at steady state, no agent running anywhere, at time 0.
    ///
    /// Cluster names must be unique; `parameters.stepSeconds` must be positive.
    public init(clusters specs: [SimulatedClusterSpec], parameters: SimulationParameters = .default, seed: UInt64) {
        precondition(parameters.stepSeconds > 0, "SimulationParameters.stepSeconds must be positive")
        var indexByName: [String: Int] = [:]
        for (index, spec) in specs.enumerated() {
            precondition(indexByName[spec.name] == nil, "FleetSimulation: cluster name \(spec.name) is used twice")
            indexByName[spec.name] = index
        }
        self.parameters = parameters
        self.seed = seed
        clusterSpecs = specs
        clusterIndexByName = indexByName
        clusters = specs.enumerated().map {
            SimulatedCluster(model: ClusterModel(spec: $1, clusterIndex: $0, parameters: parameters))
        }
    }

    /// Cluster names, in spec order.
    public var clusterNames: [String] { clusterSpecs.map(\.name) }

    // MARK: Time

    /// Runs every whole step that ends at or before `toSeconds`, then sets `nowSeconds` to it (never backwards).
    ///
    /// Changes submitted at a time between two step boundaries take effect in the step that contains that time.
    public mutating func advance(toSeconds target: Double) {
        guard target > nowSeconds else { return }
        let dt = parameters.stepSeconds
        var stepsEnd = stepsDone
        while Double(stepsEnd + 1) * dt <= target + 1e-9 { stepsEnd += 1 }
        ClusterStepping.run(
            &clusters, steps: stepsDone..<stepsEnd, seed: seed, parameters: parameters, workers: stepWorkers)
        stepsDone = stepsEnd
        nowSeconds = target
    }

    // MARK: Changes

    /// Control-plane path: what a Kubernetes driver does (label the nodes, patch the DaemonSet).
    ///
    /// Mutating requests go through the simulated apiserver under the driver's identity
    /// (`parameters.driverPriorityLevel`) at `driverRequestsPerSecond`, then the DaemonSet controller, scheduler and
    /// kubelets start or stop the pods with `podLifecycleRequestsPerNode` more requests each at the controller
    /// manager's rate. Under saturation the requests are rejected or fail and the change crawls; with every apiserver
    /// down it stands still. When `deadlineSeconds` pass the ticket fails and the driver stops, but nodes already
    /// labelled still change (the DaemonSet controller goes on). Disabling stops whatever agent the nodes run.
    public mutating func submitControlPlaneChange(
        cluster: String, nodeIndices: Range<Int>, enable: Bool, profile: AgentAPIProfile, deadlineSeconds: Double
    ) -> ChangeTicket {
        submit(
            path: .controlPlane, cluster: cluster, nodeIndices: nodeIndices, enable: enable, profile: profile,
            deadlineSeconds: deadlineSeconds)
    }

    /// Node-direct path (break-glass): starts or stops the agent on the nodes after `nodeDirectLatencySeconds`,
    /// whatever the apiserver's state. Disabling stops whatever agent the nodes run.
    public mutating func nodeDirect(
        cluster: String, nodeIndices: Range<Int>, enable: Bool, profile: AgentAPIProfile
    ) -> ChangeTicket {
        submit(
            path: .nodeDirect, cluster: cluster, nodeIndices: nodeIndices, enable: enable, profile: profile,
            deadlineSeconds: .infinity)
    }

    private mutating func submit(
        path: ChangeRecord.Path, cluster: String, nodeIndices: Range<Int>, enable: Bool, profile: AgentAPIProfile,
        deadlineSeconds: Double
    ) -> ChangeTicket {
        let ticket = ChangeTicket(id: changePlaces.count, cluster: cluster)
        guard let clusterIndex = clusterIndexByName[cluster] else {
            changePlaces.append(nil)
            return ticket
        }
        var status = ChangeStatus.inProgress(done: 0, total: nodeIndices.count)
        var slot: Int?
        let nodeCount = clusterSpecs[clusterIndex].nodeCount
        if nodeIndices.lowerBound < 0 || nodeIndices.upperBound > nodeCount {
            status = .failed(
                reason: "node indices \(nodeIndices) are outside cluster \(cluster)'s nodes 0..<\(nodeCount)")
        } else if !(deadlineSeconds > 0) {
            status = .failed(reason: "the deadline must be positive, got \(deadlineSeconds) s")
        } else if nodeIndices.isEmpty {
            status = .succeeded
        } else if enable {
            slot = clusters[clusterIndex].model.slot(for: profile)
        }
        let record = ChangeRecord(
            id: ticket.id, path: path, nodes: nodeIndices, enable: enable, profileSlot: slot,
            submittedAtSeconds: nowSeconds, deadlineAtSeconds: nowSeconds + deadlineSeconds,
            effectiveAtSeconds: nowSeconds + parameters.nodeDirectLatencySeconds, status: status)
        let position = clusters[clusterIndex].changes.append(record)
        changePlaces.append(ChangePlace(cluster: clusterIndex, position: position))
        return ticket
    }

    /// Where a change stands; `.failed` for a ticket this simulation did not issue.
    public func changeStatus(_ ticket: ChangeTicket) -> ChangeStatus {
        guard changePlaces.indices.contains(ticket.id) else { return unknown(ticket) }
        guard let place = changePlaces[ticket.id] else {
            return .failed(reason: "no cluster named \(ticket.cluster) in the simulated fleet")
        }
        guard ticket.cluster == clusterSpecs[place.cluster].name else { return unknown(ticket) }
        return clusters[place.cluster].changes.records[place.position].status
    }

    private func unknown(_ ticket: ChangeTicket) -> ChangeStatus {
        .failed(reason: "unknown change ticket \(ticket.id) for cluster \(ticket.cluster)")
    }

    /// Where the change of a ticket is kept: the cluster, and the position among the cluster's changes.
    private struct ChangePlace: Sendable {
        let cluster: Int
        let position: Int
    }

    // MARK: Reading

    /// Nodes currently running an agent (any profile) in the whole fleet.
    public var agentNodeCountFleetWide: Int { clusters.reduce(0) { $0 + $1.model.agentNodeCount } }

    /// Nodes currently running the agent (any profile); 0 for an unknown cluster.
    public func agentNodeCount(cluster: String) -> Int {
        guard let index = clusterIndexByName[cluster] else { return 0 }
        return clusters[index].model.agentNodeCount
    }

    /// Nodes of `nodeIndices` currently running `profile` (nil: running no agent); 0 for an unknown cluster.
    public func nodeCount(cluster: String, nodeIndices: Range<Int>, running profile: AgentAPIProfile?) -> Int {
        guard let index = clusterIndexByName[cluster] else { return 0 }
        let model = clusters[index].model
        if let profile {
            guard let slot = model.profiles.firstIndex(of: profile) else { return 0 }
            return model.nodes(in: nodeIndices, runningSlot: slot)
        }
        return model.nodes(in: nodeIndices, runningSlot: nil)
    }

    /// What monitoring would show now: noisy, delayed by scrape, may be missing (nil) when the apiserver cannot be
    /// scraped. Keys are `SimulatedSignal` raw values; a missing key means no data. Empty for an unknown cluster.
    ///
    /// The values are those of the newest scrape at least `signalDelaySeconds` old (before that, the steady state
    /// at time 0), each with seeded noise that depends only on the seed, the cluster, the scrape and the signal:
    /// reading never changes the simulation, and the same scrape always reads the same.
    public func signals(cluster: String) -> [String: Double] {
        guard let index = clusterIndexByName[cluster] else { return [:] }
        var result: [String: Double] = [:]
        visitSignals(clusterIndex: index) { signal, value in result[signal.rawValue] = value }
        return result
    }

    /// `signals(cluster:)` without the dictionary: calls `body` with each signal monitoring shows now for the
    /// cluster at `clusterIndex` (spec order), in `SimulatedSignal.allCases` order, skipping the missing ones.
    public func visitSignals(clusterIndex index: Int, _ body: (SimulatedSignal, Double) -> Void) {
        let recorder = clusters[index].model.recorder
        let visibleAt = nowSeconds - parameters.signalDelaySeconds
        guard let slot = recorder.newestSlot(atOrBeforeSeconds: max(0, visibleAt)) else { return }
        let scrape = recorder.scrapeNumbers[slot]
        for signal in SimulatedSignal.allCases {
            let raw = recorder.value(slot: slot, signal: signal.index)
            guard !raw.isNaN else { continue }
            body(signal, noisy(raw, signal: signal, clusterIndex: index, scrape: scrape))
        }
    }

    private func noisy(_ value: Double, signal: SimulatedSignal, clusterIndex: Int, scrape: UInt64) -> Double {
        let stream = UInt64(clusterIndex) << 20 | 0x8_0000 | UInt64(signal.index)
        let relative = parameters.signalNoiseRelative
        let floor = parameters.signalNoiseAbsoluteRatio
        func draw(_ part: UInt64) -> Double {
            SplitMix64.gaussian(seed: seed, stream: stream | part << 8, counter: scrape)
        }
        switch signal.noiseKind {
        case .none:
            return value
        case .relative:
            return value * max(0, 1 + relative * draw(0))
        case .ratio:
            return min(1, max(0, value * (1 + relative * draw(0)) + floor * abs(draw(1))))
        case .availability:
            let shortfall = (1 - value) * max(0, 1 + relative * draw(0)) + floor * abs(draw(1))
            return min(1, max(0, 1 - shortfall))
        }
    }

    /// What really happened to the cluster so far; a zero value for an unknown cluster.
    public func groundTruth(cluster: String) -> ClusterGroundTruth {
        guard let index = clusterIndexByName[cluster] else { return ClusterGroundTruth() }
        return clusters[index].model.truth
    }
}

// MARK: APF brake

extension FleetSimulation {
    /// Installs the brake on `cluster` (nil removes it). Creating or deleting the objects is an API call:
    /// returns false, changing nothing, when no apiserver of the cluster serves.
    ///
    /// Also false for an unknown cluster. Installing the brake already installed, or removing none, changes nothing
    /// and returns true. The change takes effect from the next step: the seats are re-divided at once among the levels
    /// (the brake's level, idle, starts at 0 seats and gets its share at the next re-division, within
    /// `apfBorrowingPeriodSeconds`), and the agent's requests in flight (queued, executing, waiting to retry) move
    /// with its calls to the new level. With APF off the objects are recorded but change nothing.
    public mutating func setAPFBrake(_ brake: APFBrake?, cluster: String) -> Bool {
        guard let index = clusterIndexByName[cluster], clusters[index].model.apiserversUp > 0 else { return false }
        clusters[index].model.setBrake(brake)
        return true
    }

    /// The brake installed on `cluster`, if any.
    public func apfBrake(cluster: String) -> APFBrake? {
        guard let index = clusterIndexByName[cluster] else { return nil }
        return clusters[index].model.brake
    }

    /// The current APF division of one apiserver's seats on `cluster` (for tests), or nil for an unknown cluster.
    func seatDivision(cluster: String) -> APFSeatDivision? {
        guard let index = clusterIndexByName[cluster] else { return nil }
        return clusters[index].model.seatDivision
    }
}
