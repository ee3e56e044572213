/// One cluster's whole simulated state: request classes, apiservers, APF, DNS, agents, truth and signals.
///
/// Stepped by `FleetSimulation`; per-step cost is O(request classes + priority levels), independent of nodes and
/// requests. Per-node state (which node runs which agent profile) changes only on actions.
struct ClusterModel: Sendable {
    /// The cluster's spec.
    let spec: SimulatedClusterSpec
    /// Position in the fleet; the random stream of the cluster.
    let clusterIndex: Int
    /// Nodes, as a Double.
    let nodeCount: Double
    /// Pods of the cluster, as a Double.
    let podCount: Double
    /// Cost shapes for this cluster's size.
    let costModel: RequestCostModel

    /// Background classes (`BackgroundClass` order), then one class per agent profile slot and call.
    var classes: [RequestClass]
    /// Agent profiles ever used on this cluster, in order of first use; a node's slot is its index + 1.
    private(set) var profiles: [AgentAPIProfile] = []
    /// Nodes running each profile.
    private(set) var profileNodeCounts: [Int] = []
    /// Per node: 0 when it runs no agent, else profile slot + 1.
    private(set) var nodeProfileSlots: [UInt8]
    /// Nodes running any agent.
    private(set) var agentNodeCount = 0

    // MARK: Apiservers

    /// Per apiserver: the time it serves again after an OOM kill, or -infinity when it is up.
    var apiserverRestartAtSeconds: [Double]
    /// Apiservers serving.
    var apiserversUp: Int
    /// Share of watchers that lost their apiserver and must relist once one is up.
    var pendingRelistShare = 0.0
    /// Processor-sharing stretch of CPU work (1: no contention).
    var cpuStretch = 1.0
    /// Memory utilization of each serving apiserver (1: OOM).
    var memoryUtilization = 0.0

    // MARK: Admission

    /// APF's division of one apiserver's seats among levels.
    var seatDivision: APFSeatDivision
    /// The APF brake installed on the cluster, if any (its objects exist even with APF off, where they do nothing).
    private(set) var brake: APFBrake?
    /// Seats (APF) or requests (max-inflight) one apiserver admits per pool; `.infinity` for exempt.
    var poolCapacityPerApiserver = PoolLanes(repeating: 0)
    /// Queues per apiserver per pool (0: no queueing).
    private(set) var poolQueueCount: PoolLanes
    /// Queues of one flow per pool.
    private(set) var poolHandSize: PoolLanes
    /// Requests one queue of each pool holds.
    private(set) var poolQueueLengthLimit: PoolLanes
    /// Number of pools in use (8 levels with APF, 9 with the brake; 3 without APF).
    private(set) var poolCount: Int
    /// Steps between two re-divisions of the seats (APF's borrowing period; 1 with APF off, where it is unused).
    let borrowingPeriodSteps: Int
    /// Highest per-apiserver seat demand of each level in the current borrowing period.
    var levelDemandHighWater = PoolLanes(repeating: 0)
    /// Retry-After each pool answers with, seconds.
    var retryAfterSeconds: PoolLanes
    /// Seconds each pool has been rejecting without pause.
    var rejectingSeconds = PoolLanes(repeating: 0)
    /// Seconds each pool has been rejecting nothing.
    var quietSeconds = PoolLanes(repeating: 0)

    // MARK: DNS, results, truth, signals

    /// CoreDNS and caches.
    var dns = DNSModel()
    /// Availability of the last step.
    var availability = 1.0
    /// What really happened.
    var truth = ClusterGroundTruth()
    /// Scrapes and the window being accumulated.
    var recorder: SignalRecorder

    /// A healthy cluster at steady state, no agent running.
    init(spec: SimulatedClusterSpec, clusterIndex: Int, parameters p: SimulationParameters) {
        self.spec = spec
        self.clusterIndex = clusterIndex
        nodeCount = Double(spec.nodeCount)
        podCount = Double(spec.podCount)
        costModel = RequestCostModel(parameters: p, podCount: podCount, podsPerNode: Double(spec.podsPerNode))
        nodeProfileSlots = [UInt8](repeating: 0, count: spec.nodeCount)
        apiserverRestartAtSeconds = [Double](repeating: -.infinity, count: spec.apiserverCount)
        apiserversUp = spec.apiserverCount
        seatDivision = APFSeatDivision(serverSeats: p.seatsPerApiserver)
        borrowingPeriodSteps = p.apfEnabled ? max(1, Int((p.apfBorrowingPeriodSeconds / p.stepSeconds).rounded())) : 1
        var queues = PoolLanes(repeating: 0)
        var hands = PoolLanes(repeating: 0)
        var capacity = PoolLanes(repeating: 0)
        if p.apfEnabled {
            poolCount = APFPriorityLevel.allCases.count
            for level in APFPriorityLevel.allCases {
                queues[level.index] = Double(level.queueCount)
                hands[level.index] = Double(level.handSize)
            }
            capacity = seatDivision.currentSeats
            capacity[0] = .infinity
        } else {
            poolCount = 3
            capacity[0] = .infinity
            capacity[1] = Double(p.maxRequestsInflight)
            capacity[2] = Double(p.maxMutatingRequestsInflight)
        }
        poolQueueCount = queues
        poolHandSize = hands
        poolQueueLengthLimit = PoolLanes(repeating: Double(p.queueLengthLimit))
        poolCapacityPerApiserver = capacity
        retryAfterSeconds = PoolLanes(repeating: p.retryAfterInitialSeconds)
        recorder = SignalRecorder(parameters: p)
        classes = Self.backgroundClasses(costModel: costModel, spec: spec, parameters: p)
        startAtSteadyState(parameters: p)
        truth.apiserversUpNow = apiserversUp
        recordBaselineSnapshot(parameters: p)
    }

    /// The background classes in `BackgroundClass` order.
    private static func backgroundClasses(
        costModel m: RequestCostModel, spec: SimulatedClusterSpec, parameters p: SimulationParameters
    ) -> [RequestClass] {
        let nodes = Double(spec.nodeCount)
        let pods = Double(spec.podCount)
        var result: [RequestClass] = []
        for background in BackgroundClass.allCases {
            var requestClass: RequestClass
            switch background {
            case .kubeletHeartbeat:
                requestClass = m.mutatingClass(level: .nodeHigh)
                requestClass.ratePerSecond = nodes * p.kubeletHeartbeatsPerNodePerSecond
            case .kubeletReads:
                requestClass = m.readClass(level: .system)
                requestClass.ratePerSecond = nodes * p.kubeletReadsPerNodePerSecond
            case .kubeletPodStatus:
                requestClass = m.mutatingClass(level: .system)
                requestClass.ratePerSecond = pods * p.kubeletPodStatusWritesPerPodPerSecond
            case .controllers:
                requestClass = m.mutatingClass(level: .workloadHigh)
                requestClass.ratePerSecond =
                    p.controllerRequestsPerSecond + nodes * p.controllerRequestsPerNodePerSecond
            case .leaderElection:
                requestClass = m.mutatingClass(level: .leaderElection)
                requestClass.ratePerSecond = p.leaderElectionRequestsPerSecond
            case .workloads:
                requestClass = m.listClass(
                    level: .workloadLow, returned: p.workloadObjectsPerRequest, scanned: 0,
                    stored: p.workloadObjectsPerRequest)
                requestClass.ratePerSecond = nodes * p.workloadRequestsPerNodePerSecond
            case .globalDefault:
                requestClass = m.readClass(level: .globalDefault)
                requestClass.ratePerSecond = p.globalDefaultRequestsPerSecond
            case .kubeletRelist:
                requestClass = m.listClass(
                    level: .system, returned: Double(spec.podsPerNode), scanned: pods, stored: pods)
            case .daemonRelist:
                let endpoints = pods * p.endpointObjectsPerPod
                requestClass = m.listClass(level: .workloadHigh, returned: endpoints, scanned: 0, stored: endpoints)
            case .controllerRelist:
                requestClass = m.listClass(level: .workloadHigh, returned: pods, scanned: 0, stored: pods)
            case .recoveryHerd:
                requestClass = m.listClass(
                    level: .workloadLow, returned: p.recoveryHerdObjectsPerRequest, scanned: 0, stored: pods)
            case .driver:
                requestClass = m.mutatingClass(level: p.driverPriorityLevel)
                requestClass.retryShareAfter429 = 0
                requestClass.retryShareAfterFailure = 0
            case .podLifecycle:
                requestClass = m.mutatingClass(level: .workloadHigh)
                requestClass.retryShareAfter429 = 0
                requestClass.retryShareAfterFailure = 0
            }
            result.append(requestClass)
        }
        return result
    }

    /// Puts every background class at its steady state (Little's law) and settles the CPU stretch.
    private mutating func startAtSteadyState(parameters p: SimulationParameters) {
        for _ in 0..<20 {
            var busyCPU = 0.0
            for index in classes.indices {
                let service = classes[index].serviceSeconds(stretch: cpuStretch)
                classes[index].serviceSeconds = service
                classes[index].executing = classes[index].ratePerSecond * service
                busyCPU += classes[index].executing * classes[index].cpuSeconds * cpuStretch / max(service, 1e-9)
            }
            updateCPUStretch(busyRequests: busyCPU, memoryUtilization: 0, parameters: p, smoothing: 0)
        }
    }

    /// Sets the stretch from the requests in their CPU phase, all apiservers together.
    mutating func updateCPUStretch(
        busyRequests: Double, memoryUtilization utilization: Double, parameters p: SimulationParameters,
        smoothing: Double
    ) {
        guard apiserversUp > 0 else {
            cpuStretch = 1
            return
        }
        let gcShare =
            p.gcCPUShareAtMemoryLimit
            * max(0, min(1, (utilization - p.gcPressureStartUtilization) / max(1e-9, 1 - p.gcPressureStartUtilization)))
        let cores = p.apiserverCores * (1 - gcShare)
        let wanted = busyRequests / Double(apiserversUp) + nodeCount * p.backgroundCPUCoresPerNode
        let target = max(1, wanted / max(cores, 1e-9))
        cpuStretch = smoothing * cpuStretch + (1 - smoothing) * target
    }

    // MARK: Agents

    /// The profile slot of `profile`, adding it (and its request classes) on first use.
    mutating func slot(for profile: AgentAPIProfile) -> Int {
        if let existing = profiles.firstIndex(of: profile) { return existing }
        precondition(profiles.count < 254, "FleetSimulator: more than 254 agent profiles on cluster \(spec.name)")
        profiles.append(profile)
        profileNodeCounts.append(0)
        let slot = profiles.count - 1
        for call in profile.calls {
            classes.append(costModel.agentClass(call: call, identity: profile.identity, slot: slot))
            if brake != nil { routeAgentClass(classes.count - 1) }
        }
        return slot
    }

    /// Makes the nodes of `range` run `slot`'s profile (or nothing, when `slot` is nil); returns nodes changed.
    ///
    /// Agents that stop take their queued requests and pending retries with them; requests already executing
    /// finish on the apiserver.
    @discardableResult
    mutating func setAgent(nodes range: Range<Int>, slot: Int?) -> Int {
        let clamped = range.clamped(to: 0..<spec.nodeCount)
        let newValue = UInt8(slot.map { $0 + 1 } ?? 0)
        let countsBefore = profileNodeCounts
        var changed = 0
        for node in clamped where nodeProfileSlots[node] != newValue {
            let old = Int(nodeProfileSlots[node])
            if old > 0 { profileNodeCounts[old - 1] -= 1 }
            if newValue > 0 { profileNodeCounts[Int(newValue) - 1] += 1 }
            nodeProfileSlots[node] = newValue
            changed += 1
        }
        guard changed > 0 else { return 0 }
        agentNodeCount = profileNodeCounts.reduce(0, +)
        truth.peakAgentNodes = max(truth.peakAgentNodes, agentNodeCount)
        for index in BackgroundClass.allCases.count..<classes.count {
            let slotIndex = classes[index].agentProfileSlot
            let before = Double(countsBefore[slotIndex])
            let after = Double(profileNodeCounts[slotIndex])
            classes[index].agentNodes = after
            if after < before {
                let kept = before > 0 ? after / before : 0
                classes[index].queued *= kept
                classes[index].backlogAfter429 *= kept
                classes[index].backlogAfterFailure *= kept
                classes[index].herdBacklog *= kept
            }
        }
        return changed
    }

    /// Nodes running `slot`'s profile within `range`.
    func nodes(in range: Range<Int>, runningSlot slot: Int?) -> Int {
        let value = UInt8(slot.map { $0 + 1 } ?? 0)
        return range.clamped(to: 0..<spec.nodeCount).reduce(0) { $0 + (nodeProfileSlots[$1] == value ? 1 : 0) }
    }

    // MARK: APF brake

    /// Installs the APF brake (nil removes it): the seats are re-divided with the brake's level among the levels, and
    /// the service-account agents' classes move into it (or back to their identity's level).
    ///
    /// As kube-apiserver does when it digests a configuration change, the seats are re-divided at once from the seat
    /// demand seen so far in the borrowing period, which then starts anew; an idle new brake level starts at its
    /// minimum, 0 seats, and gets seats at the next re-division after its demand shows. Requests of a moved class
    /// that are queued, executing or waiting to retry move with the class: a real apiserver would let the executing
    /// ones finish in the old level and serve or time out the queued ones there, a difference that lasts at most one
    /// request timeout. With APF off the objects are kept but change nothing.
    mutating func setBrake(_ newBrake: APFBrake?) {
        guard newBrake != brake else { return }
        brake = newBrake
        let p = costModel.parameters
        guard p.apfEnabled else { return }
        let lane = APFSeatDivision.brakeLane
        seatDivision = APFSeatDivision(serverSeats: p.seatsPerApiserver, brake: newBrake)
        seatDivision.reallocate(demandSeats: levelDemandHighWater)
        levelDemandHighWater = PoolLanes(repeating: 0)
        poolCapacityPerApiserver = seatDivision.currentSeats
        poolCapacityPerApiserver[0] = .infinity
        poolQueueCount[lane] = Double(newBrake?.queues ?? 0)
        poolHandSize[lane] = Double(newBrake?.handSize ?? 0)
        poolQueueLengthLimit[lane] = Double(newBrake?.queueLengthLimit ?? 0)
        poolCount = newBrake == nil ? APFSeatDivision.levelCount : PoolLanes.count
        retryAfterSeconds[lane] = p.retryAfterInitialSeconds
        rejectingSeconds[lane] = 0
        quietSeconds[lane] = 0
        for index in BackgroundClass.allCases.count..<classes.count { routeAgentClass(index) }
    }

    /// Puts agent class `index` in the level its identity and the brake decide, with the seats that level allows.
    ///
    /// The brake's FlowSchema matches the agent's service account only: node-credential and exempt agents, and every
    /// class with APF off, are left as they are.
    private mutating func routeAgentClass(_ index: Int) {
        let slot = classes[index].agentProfileSlot
        guard costModel.parameters.apfEnabled, profiles[slot].identity == .serviceAccount else { return }
        var seats = classes[index].estimatedSeats
        let level: Int
        if let brake {
            level = APFSeatDivision.brakeLane
            seats = min(seats, seatDivision.brakeMaximumSeatsPerRequest(handSize: brake.handSize))
        } else {
            level = APFPriorityLevel(agentIdentity: .serviceAccount).index
        }
        classes[index].level = level
        classes[index].pool = level
        classes[index].seats = seats
    }
}
