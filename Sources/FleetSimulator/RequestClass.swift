/// What a request does, for latency categories and for the two max-inflight pools when APF is off.
enum RequestKind: UInt8, Sendable {
    case mutating
    case read
    case list
}

/// The fixed background request classes of every cluster, in storage order; agent classes follow them.
enum BackgroundClass: Int, CaseIterable {
    /// Node lease and status writes (`node-high`).
    case kubeletHeartbeat
    /// Kubelets' single-object reads (`system`).
    case kubeletReads
    /// Pod status writes, plus the writes of pods crash-looping on DNS failures (`system`).
    case kubeletPodStatus
    /// Controller-manager and scheduler (`workload-high`).
    case controllers
    /// Leader-election leases (`leader-election`).
    case leaderElection
    /// Other workloads' service accounts (`workload-low`).
    case workloads
    /// People, CI, other users (`global-default`).
    case globalDefault
    /// Kubelets relisting their pods after their apiserver died (herd only; `system`).
    case kubeletRelist
    /// kube-proxy and CoreDNS relisting endpoint slices and services (herd only; `workload-high`).
    case daemonRelist
    /// Controllers relisting every pod (herd only; `workload-high`).
    case controllerRelist
    /// Pods restarting once DNS is back and re-downloading what they need (herd only; `workload-low`).
    case recoveryHerd
    /// The rollout driver's node-label patches (control-plane path; level from the parameters).
    case driver
    /// DaemonSet controller, scheduler and kubelet starting or stopping agent pods (control-plane path).
    case podLifecycle
}

/// One class of requests of a cluster: its cost shape and its fluid state.
///
/// Quantities are expected values (fluid), not counts: `executing` is the time-average number of requests in
/// service, `queued` those waiting in APF queues, the backlogs clients waiting to retry. Per-step results are
/// overwritten every step; `interval…` fields add up over one scrape interval.
struct RequestClass: Sendable, Equatable {
    // MARK: Configuration

    /// APF priority level index (`APFPriorityLevel.index`).
    var level: Int
    /// Admission pool: the level with APF on; 0 exempt, 1 read-only, 2 mutating with APF off.
    var pool: Int
    /// Latency category and max-inflight pool.
    var kind: RequestKind
    /// True for the agent under a service account: one flow that fair queuing keeps to its own queues.
    var isSingleFlow: Bool
    /// True for the agent's own calls (reported in the agent-flow signals).
    var isAgent: Bool
    /// True when the class is a watch re-establishment (relisted after an apiserver dies).
    var isWatch: Bool
    /// Seats one request occupies while executing.
    var seats: Double
    /// Seats the work estimator gives one request before its level's own cap (`seats` is at most this).
    var estimatedSeats: Double
    /// Non-CPU part of the service time, seconds.
    var fixedSeconds: Double
    /// CPU part of the service time, seconds; stretched by CPU contention.
    var cpuSeconds: Double
    /// Memory one executing request holds, bytes.
    var memoryBytes: Double
    /// Steady arrivals per second (background), or 0.
    var ratePerSecond: Double
    /// Share of 429s retried by the clients of this class.
    var retryShareAfter429: Double
    /// Share of failures retried by the clients of this class.
    var retryShareAfterFailure: Double
    /// For agent classes: seconds between two calls of one agent.
    var agentIntervalSeconds: Double
    /// For agent classes: all agents call in the same second.
    var agentFiresInStep: Bool
    /// For agent classes: nodes running the profile this call belongs to.
    var agentNodes: Double
    /// For agent classes: the profile slot (index into the cluster's profiles).
    var agentProfileSlot: Int

    // MARK: Fluid state

    /// Requests waiting in APF queues.
    var queued: Double = 0
    /// Requests executing (time average over the step).
    var executing: Double = 0
    /// Clients waiting for Retry-After to retry a 429.
    var backlogAfter429: Double = 0
    /// Clients backing off to retry a failure.
    var backlogAfterFailure: Double = 0
    /// Requests of a herd not yet sent.
    var herdBacklog: Double = 0
    /// Rate at which the herd is sent, requests per second.
    var herdRatePerSecond: Double = 0
    /// Requests offered this step by a change ticket (driver and pod lifecycle classes only).
    var offeredByTickets: Double = 0
    /// Current mean service time, seconds.
    var serviceSeconds: Double = 0
    /// `1 + dt / hold` of the current step, where hold is the mean time a request holds its seats (service time cut
    /// off at the request timeout): executing requests end the step as `(executing + admitted) / occupancyDivisor`.
    var occupancyDivisor: Double = 2
    /// Current mean APF queue wait, seconds.
    var waitSeconds: Double = 0

    // MARK: Results of the last step

    var arrivals: Double = 0
    var admitted: Double = 0
    var completedOK: Double = 0
    var timedOut: Double = 0
    var rejectedAtOnce: Double = 0
    var rejectedAfterWait: Double = 0
    var failed: Double = 0

    // MARK: Sums over the current scrape interval

    var intervalOK: Double = 0
    var intervalOKWaitSeconds: Double = 0
    var intervalOKServiceSeconds: Double = 0
    var intervalTimedOut: Double = 0
    var intervalRejectedAtOnce: Double = 0
    var intervalRejectedAfterWait: Double = 0

    /// Nothing arrives, waits or executes: the step has nothing to do for this class.
    @inline(__always)
    var isIdle: Bool {
        arrivals == 0 && executing == 0 && queued == 0
    }

    /// Sets the per-step results to those of a step with no requests.
    @inline(__always)
    mutating func clearStepResults() {
        admitted = 0
        completedOK = 0
        timedOut = 0
        rejectedAtOnce = 0
        rejectedAfterWait = 0
        failed = 0
        waitSeconds = 0
    }

    /// Mean service time at CPU stretch `stretch`, seconds.
    @inline(__always)
    func serviceSeconds(stretch: Double) -> Double {
        fixedSeconds + cpuSeconds * stretch
    }
}

/// Cost shapes of requests, derived from the parameters and the cluster's size.
struct RequestCostModel: Sendable {
    let parameters: SimulationParameters
    let podCount: Double
    let podsPerNode: Double

    /// APF's LIST work estimate: `ceil(objectsStored / objectsPerSeat)` clamped to [1, maxSeats].
    ///
    /// kube-apiserver charges a LIST served from the watch cache by the objects *stored* of its resource, even when a
    /// field selector returns only a few of them.
    func listSeats(objectsStored: Double) -> Double {
        min(parameters.maxSeatsPerRequest, max(1, (objectsStored / parameters.objectsPerSeat).rounded(.up)))
    }

    /// A class with the cost of a LIST returning `returned` objects after scanning `scanned` (0: none).
    func listClass(level: APFPriorityLevel, returned: Double, scanned: Double, stored: Double) -> RequestClass {
        let serviceSeconds = 0.01 + returned * parameters.listServiceSecondsPerObject
        return makeClass(
            level: level, kind: .list, seats: listSeats(objectsStored: stored),
            fixedSeconds: serviceSeconds * (1 - parameters.listCPUShare),
            cpuSeconds: serviceSeconds * parameters.listCPUShare + scanned
                * parameters.filteredListScanSecondsPerObject,
            memoryBytes: max(1, returned) * parameters.bytesPerPodObject
        )
    }

    /// A class with the cost of a mutating single-object request.
    func mutatingClass(level: APFPriorityLevel) -> RequestClass {
        makeClass(
            level: level, kind: .mutating, seats: 1,
            fixedSeconds: parameters.mutatingServiceSeconds - parameters.mutatingCPUSeconds,
            cpuSeconds: parameters.mutatingCPUSeconds, memoryBytes: parameters.bytesPerPodObject
        )
    }

    /// A class with the cost of a single-object read.
    func readClass(level: APFPriorityLevel) -> RequestClass {
        makeClass(
            level: level, kind: .read, seats: 1,
            fixedSeconds: parameters.readServiceSeconds - parameters.readCPUSeconds,
            cpuSeconds: parameters.readCPUSeconds, memoryBytes: parameters.bytesPerPodObject
        )
    }

    /// The class of one agent call pattern.
    func agentClass(call: APICallPattern, identity: ClientIdentity, slot: Int) -> RequestClass {
        let level = APFPriorityLevel(agentIdentity: identity)
        var requestClass: RequestClass
        switch call.scope {
        case .clusterWidePodList:
            requestClass = listClass(level: level, returned: podCount, scanned: 0, stored: podCount)
        case .nodeScopedPodList:
            requestClass = listClass(level: level, returned: podsPerNode, scanned: podCount, stored: podCount)
        case .watchNodePods:
            requestClass = listClass(level: level, returned: podsPerNode, scanned: 0, stored: 1)
            requestClass.kind = .read
            requestClass.isWatch = true
        case .getSingleObject:
            requestClass = readClass(level: level)
        }
        requestClass.isAgent = true
        requestClass.isSingleFlow = identity == .serviceAccount
        // A decoded pattern bypasses the initializer's check: a non-positive interval counts as one step.
        requestClass.agentIntervalSeconds = call.intervalSeconds > 0 ? call.intervalSeconds : parameters.stepSeconds
        requestClass.agentFiresInStep = call.firesInStep
        requestClass.agentProfileSlot = slot
        return requestClass
    }

    private func makeClass(
        level: APFPriorityLevel, kind: RequestKind, seats: Double, fixedSeconds: Double, cpuSeconds: Double,
        memoryBytes: Double
    ) -> RequestClass {
        let pool: Int
        if parameters.apfEnabled {
            pool = level.index
        } else {
            pool = level == .exempt ? 0 : (kind == .mutating ? 2 : 1)
        }
        return RequestClass(
            level: level.index, pool: pool, kind: kind, isSingleFlow: false, isAgent: false, isWatch: false,
            seats: parameters.apfEnabled ? seats : 1, estimatedSeats: parameters.apfEnabled ? seats : 1,
            fixedSeconds: max(0, fixedSeconds), cpuSeconds: max(0, cpuSeconds), memoryBytes: memoryBytes,
            ratePerSecond: 0, retryShareAfter429: parameters.clientRetryShareAfter429,
            retryShareAfterFailure: parameters.clientRetryShareAfterFailure, agentIntervalSeconds: 0,
            agentFiresInStep: false, agentNodes: 0, agentProfileSlot: -1
        )
    }
}
