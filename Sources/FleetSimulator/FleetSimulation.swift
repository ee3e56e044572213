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

    /// Steps done; the model's time is `stepsDone × stepSeconds` (≤ `nowSeconds`).
    private var stepsDone = 0
    private var clusters: [ClusterModel]
    private let clusterIndexByName: [String: Int]
    private var changes: [ChangeRecord] = []
    /// Per cluster: ids of the changes still at work, in submission order.
    private var activeChangeIDs: [[Int]]

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
        clusters = specs.enumerated().map { ClusterModel(spec: $1, clusterIndex: $0, parameters: parameters) }
        activeChangeIDs = [[Int]](repeating: [], count: specs.count)
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
        while Double(stepsDone + 1) * dt <= target + 1e-9 {
            runStep()
        }
        nowSeconds = target
    }

    private mutating func runStep() {
        let stepIndex = stepsDone
        let startSeconds = Double(stepIndex) * parameters.stepSeconds
        for index in clusters.indices {
            let hasChanges = !activeChangeIDs[index].isEmpty
            if hasChanges { offerChangeRequests(clusterIndex: index, startSeconds: startSeconds) }
            clusters[index].step(stepIndex: stepIndex, seed: seed, parameters: parameters)
            if hasChanges {
                creditChangeProgress(clusterIndex: index, endSeconds: startSeconds + parameters.stepSeconds)
            }
        }
        stepsDone += 1
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
        let ticket = ChangeTicket(id: changes.count, cluster: cluster)
        let clusterIndex = clusterIndexByName[cluster]
        var status = ChangeStatus.inProgress(done: 0, total: nodeIndices.count)
        var slot: Int?
        if let clusterIndex {
            let nodeCount = clusterSpecs[clusterIndex].nodeCount
            if nodeIndices.lowerBound < 0 || nodeIndices.upperBound > nodeCount {
                status = .failed(
                    reason: "node indices \(nodeIndices) are outside cluster \(cluster)'s nodes 0..<\(nodeCount)")
            } else if !(deadlineSeconds > 0) {
                status = .failed(reason: "the deadline must be positive, got \(deadlineSeconds) s")
            } else if nodeIndices.isEmpty {
                status = .succeeded
            } else if enable {
                slot = clusters[clusterIndex].slot(for: profile)
            }
        } else {
            status = .failed(reason: "no cluster named \(cluster) in the simulated fleet")
        }
        let record = ChangeRecord(
            path: path, clusterIndex: clusterIndex, nodes: nodeIndices, enable: enable, profileSlot: slot,
            submittedAtSeconds: nowSeconds, deadlineAtSeconds: nowSeconds + deadlineSeconds,
            effectiveAtSeconds: nowSeconds + parameters.nodeDirectLatencySeconds, status: status)
        changes.append(record)
        if let clusterIndex, case .inProgress = status {
            activeChangeIDs[clusterIndex].append(ticket.id)
        }
        return ticket
    }

    /// Where a change stands; `.failed` for a ticket this simulation did not issue.
    public func changeStatus(_ ticket: ChangeTicket) -> ChangeStatus {
        guard changes.indices.contains(ticket.id), ticket.cluster == clusterName(of: changes[ticket.id]) else {
            return .failed(reason: "unknown change ticket \(ticket.id) for cluster \(ticket.cluster)")
        }
        return changes[ticket.id].status
    }

    private func clusterName(of record: ChangeRecord) -> String? {
        record.clusterIndex.map { clusterSpecs[$0].name }
    }

    /// Puts this step's ticket requests into the driver and pod-lifecycle classes; applies due node-direct changes.
    private mutating func offerChangeRequests(clusterIndex: Int, startSeconds: Double) {
        let p = parameters
        let dt = p.stepSeconds
        var driverOffered = 0.0
        var lifecycleBudget = p.controllerManagerRequestsPerSecond * dt
        var lifecycleOffered = 0.0
        var finished: [Int] = []
        for id in activeChangeIDs[clusterIndex] {
            var record = changes[id]
            let total = record.nodes.count
            switch record.path {
            case .nodeDirect:
                if record.effectiveAtSeconds < startSeconds + dt - 1e-9 {
                    clusters[clusterIndex].setAgent(nodes: record.nodes, slot: record.enable ? record.profileSlot : nil)
                    record.nodesDone = total
                    record.status = .succeeded
                    finished.append(id)
                    finished += supersedeControlPlaneChanges(
                        clusterIndex: clusterIndex, before: id, overlapping: record.nodes, atSeconds: startSeconds)
                }
            case .controlPlane:
                let driverNeeded = Double(total) * p.driverRequestsPerNode
                record.driverOffered =
                    record.driverGaveUp
                    ? 0 : max(0, min(driverNeeded - record.driverRequestsDone, p.driverRequestsPerSecond * dt))
                let available =
                    Double(labelledNodes(record)) * p.podLifecycleRequestsPerNode - record.lifecycleRequestsDone
                record.lifecycleOffered = max(0, min(available, lifecycleBudget))
                lifecycleBudget -= record.lifecycleOffered
                driverOffered += record.driverOffered
                lifecycleOffered += record.lifecycleOffered
            }
            changes[id] = record
        }
        clusters[clusterIndex].classes[BackgroundClass.driver.rawValue].offeredByTickets = driverOffered
        clusters[clusterIndex].classes[BackgroundClass.podLifecycle.rawValue].offeredByTickets = lifecycleOffered
        if !finished.isEmpty { activeChangeIDs[clusterIndex].removeAll { finished.contains($0) } }
    }

    /// Stops the control-plane changes submitted before node-direct change `id` on overlapping nodes: break-glass
    /// wins, and the DaemonSet controller no longer undoes it. Returns the ids stopped.
    private mutating func supersedeControlPlaneChanges(
        clusterIndex: Int, before id: Int, overlapping nodes: Range<Int>, atSeconds seconds: Double
    ) -> [Int] {
        var stopped: [Int] = []
        for other in activeChangeIDs[clusterIndex] where other < id && changes[other].path == .controlPlane {
            guard changes[other].nodes.overlaps(nodes) else { continue }
            changes[other].driverGaveUp = true
            changes[other].driverOffered = 0
            changes[other].lifecycleOffered = 0
            if case .inProgress = changes[other].status {
                changes[other].status = .failed(
                    reason: "superseded by node-direct change \(id) at \(Int(seconds.rounded())) s with "
                        + "\(changes[other].nodesDone) of \(changes[other].nodes.count) nodes changed")
            }
            stopped.append(other)
        }
        return stopped
    }

    /// Nodes whose driver requests have all succeeded.
    private func labelledNodes(_ record: ChangeRecord) -> Int {
        let total = record.nodes.count
        guard parameters.driverRequestsPerNode > 0 else { return total }
        return min(total, Int((record.driverRequestsDone / parameters.driverRequestsPerNode + 1e-9).rounded(.down)))
    }

    /// Credits the step's successful ticket requests to the changes, in submission order, and changes their nodes.
    private mutating func creditChangeProgress(clusterIndex: Int, endSeconds: Double) {
        let p = parameters
        let driverClass = clusters[clusterIndex].classes[BackgroundClass.driver.rawValue]
        let lifecycleClass = clusters[clusterIndex].classes[BackgroundClass.podLifecycle.rawValue]
        let driverSuccess = driverClass.arrivals > 0 ? min(1, driverClass.completedOK / driverClass.arrivals) : 0
        let lifecycleSuccess =
            lifecycleClass.arrivals > 0 ? min(1, lifecycleClass.completedOK / lifecycleClass.arrivals) : 0
        clusters[clusterIndex].classes[BackgroundClass.driver.rawValue].offeredByTickets = 0
        clusters[clusterIndex].classes[BackgroundClass.podLifecycle.rawValue].offeredByTickets = 0
        var finished: [Int] = []
        for id in activeChangeIDs[clusterIndex] {
            var record = changes[id]
            guard record.path == .controlPlane else { continue }
            let total = record.nodes.count
            record.driverRequestsDone += record.driverOffered * driverSuccess
            record.lifecycleRequestsDone += record.lifecycleOffered * lifecycleSuccess
            record.driverOffered = 0
            record.lifecycleOffered = 0
            let labelled = labelledNodes(record)
            let changed =
                p.podLifecycleRequestsPerNode > 0
                ? min(
                    labelled, Int((record.lifecycleRequestsDone / p.podLifecycleRequestsPerNode + 1e-9).rounded(.down)))
                : labelled
            if changed > record.nodesDone {
                let lower = record.nodes.lowerBound
                clusters[clusterIndex].setAgent(
                    nodes: (lower + record.nodesDone)..<(lower + changed),
                    slot: record.enable ? record.profileSlot : nil)
                record.nodesDone = changed
            }
            if case .inProgress = record.status {
                if record.nodesDone == total {
                    record.status = .succeeded
                } else if endSeconds >= record.deadlineAtSeconds - 1e-9 {
                    record.driverGaveUp = true
                    let truth = clusters[clusterIndex].truth
                    let deadline = Int((record.deadlineAtSeconds - record.submittedAtSeconds).rounded())
                    let availability = Int((truth.availabilityNow * 100).rounded())
                    record.status = .failed(
                        reason: "deadline of \(deadline) s passed with \(record.nodesDone) of \(total) nodes changed "
                            + "(apiserver availability \(availability) %, \(truth.apiserversUpNow) of "
                            + "\(clusterSpecs[clusterIndex].apiserverCount) apiservers up)")
                } else {
                    record.status = .inProgress(done: record.nodesDone, total: total)
                }
            }
            if record.nodesDone == total || (record.driverGaveUp && record.nodesDone >= labelled) {
                finished.append(id)
            }
            changes[id] = record
        }
        if !finished.isEmpty { activeChangeIDs[clusterIndex].removeAll { finished.contains($0) } }
    }

    // MARK: Reading

    /// Nodes currently running an agent (any profile) in the whole fleet.
    public var agentNodeCountFleetWide: Int { clusters.reduce(0) { $0 + $1.agentNodeCount } }

    /// Nodes currently running the agent (any profile); 0 for an unknown cluster.
    public func agentNodeCount(cluster: String) -> Int {
        guard let index = clusterIndexByName[cluster] else { return 0 }
        return clusters[index].agentNodeCount
    }

    /// Nodes of `nodeIndices` currently running `profile` (nil: running no agent); 0 for an unknown cluster.
    public func nodeCount(cluster: String, nodeIndices: Range<Int>, running profile: AgentAPIProfile?) -> Int {
        guard let index = clusterIndexByName[cluster] else { return 0 }
        let model = clusters[index]
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
        let recorder = clusters[index].recorder
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
        return clusters[index].truth
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
        guard let index = clusterIndexByName[cluster], clusters[index].apiserversUp > 0 else { return false }
        clusters[index].setBrake(brake)
        return true
    }

    /// The brake installed on `cluster`, if any.
    public func apfBrake(cluster: String) -> APFBrake? {
        guard let index = clusterIndexByName[cluster] else { return nil }
        return clusters[index].brake
    }

    /// The current APF division of one apiserver's seats on `cluster` (for tests), or nil for an unknown cluster.
    func seatDivision(cluster: String) -> APFSeatDivision? {
        guard let index = clusterIndexByName[cluster] else { return nil }
        return clusters[index].seatDivision
    }
}
