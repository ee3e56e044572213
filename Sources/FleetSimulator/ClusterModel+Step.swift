/// Totals of one step over all request classes.
struct StepTotals {
    var attempts = 0.0
    var failures = 0.0
    var responses = 0.0
    var rejected = 0.0
    var timedOut = 0.0
    var mutatingResponses = 0.0
    var mutatingSlow = 0.0
    var heartbeatAttempts = 0.0
    var heartbeatFailedOrRejected = 0.0
    var seatsInUse = 0.0
    var seatsDemanded = 0.0
    var queued = 0.0
    var agentArrivals = 0.0
    var agentSeats = 0.0
    var agentRejected = 0.0
    var executingMemoryBytes = 0.0
    var busyCPURequests = 0.0
    var rejectedPerPool = PoolLanes(repeating: 0)
}

/// The service time of a request: `(1 − share) × mean` plus an exponential tail of mean `share × mean`.
///
/// Knows, without a division, when a request's remaining time is so far beyond its mean service time that the tail
/// past it is negligible (the exponent below −40): then `shareSlowerThan` is 0 and `meanHoldSeconds` the mean, the
/// values their divisions would give, bit for bit. Most requests of a healthy cluster are there.
struct ServiceTimeTail {
    /// The tail's share of the mean service time.
    let share: Double
    /// `remaining > negligibleBeyond × service` puts the exponent below −40; +∞ (never) for a share outside
    /// [0.001, 1), where the bound below does not hold.
    ///
    /// With `r = remaining / service ≥ 1.01 × (1 + 40k)`, the exponent's magnitude `(r − (1 − k)) / k` is at least
    /// `41.4 + 0.01 / k` before rounding; the few roundings on the way change it by parts in 10^15, far below the
    /// margin of 1.4 over 40. The same holds for `(remaining − floor) / tail` of `meanHoldSeconds`.
    let negligibleBeyond: Double

    /// The tail of `share`, with the bound that holds for it.
    init(share: Double) {
        self.init(share: share, negligibleBeyond: (0.001..<1).contains(share) ? 1.01 * (1 + 40 * share) : .infinity)
    }

    /// The tail of `share` with a bound of the caller's (`.infinity`: always divide, for the tests).
    init(share: Double, negligibleBeyond: Double) {
        self.share = share
        self.negligibleBeyond = negligibleBeyond
    }

    /// Whether the tail beyond `remainingSeconds` is negligible for a mean service time of `serviceSeconds`.
    @inline(__always)
    func isNegligible(remainingSeconds: Double, serviceSeconds: Double) -> Bool {
        serviceSeconds >= 1e-8 && remainingSeconds > negligibleBeyond * serviceSeconds
    }
}

extension ClusterModel {
    /// Share of requests with mean service `serviceSeconds` and queue wait `waitSeconds` that take longer than
    /// `limitSeconds` in all.
    @inline(__always)
    static func shareSlowerThan(
        _ limitSeconds: Double, waitSeconds: Double, serviceSeconds: Double, tail: ServiceTimeTail
    ) -> Double {
        let remaining = limitSeconds - waitSeconds
        if tail.isNegligible(remainingSeconds: remaining, serviceSeconds: serviceSeconds) { return 0 }
        let k = tail.share
        if remaining <= 0 { return 1 }
        let normalized = remaining / max(serviceSeconds, 1e-12)
        if normalized <= 1 - k { return 1 }
        let exponent = -(normalized - (1 - k)) / k
        if exponent < -40 { return 0 }
        return _exp(exponent)
    }

    /// Mean time a request holds its seats when it is cut off after `remainingSeconds` (the request timeout less its
    /// queue wait): `E[min(X, remaining)]` for the service time X of `tail`.
    @inline(__always)
    static func meanHoldSeconds(serviceSeconds: Double, remainingSeconds: Double, tail: ServiceTimeTail) -> Double {
        if tail.isNegligible(remainingSeconds: remainingSeconds, serviceSeconds: serviceSeconds) {
            return serviceSeconds
        }
        let k = tail.share
        let floorSeconds = serviceSeconds * (1 - k)
        if remainingSeconds <= floorSeconds { return max(remainingSeconds, 1e-12) }
        let tailSeconds = k * serviceSeconds
        let exponent = -(remainingSeconds - floorSeconds) / max(tailSeconds, 1e-12)
        if exponent < -40 { return serviceSeconds }
        return floorSeconds + tailSeconds * (1 - _exp(exponent))
    }

    /// Advances the cluster by one step: `[stepIndex × dt, (stepIndex + 1) × dt)`.
    mutating func step(stepIndex: Int, seed: UInt64, parameters p: SimulationParameters) {
        let dt = p.stepSeconds
        let startSeconds = Double(stepIndex) * dt
        let endSeconds = startSeconds + dt
        restartApiservers(atOrBeforeSeconds: startSeconds + 1e-9)
        if apiserversUp > 0 && pendingRelistShare > 0 { startRelistHerd(parameters: p) }
        if p.apfEnabled { updateBorrowing(stepIndex: stepIndex) }

        var work: [RequestClass] = []
        swap(&work, &classes)
        var totals = StepTotals()
        let crashLoopRequests = podCount * dns.failureShare * p.crashLoopRequestsPerPodPerSecond * p.stepSeconds
        work.withUnsafeMutableBufferPointer { buffer in
            Self.addArrivals(
                buffer, stepIndex: stepIndex, startSeconds: startSeconds, seed: seed,
                stream: UInt64(clusterIndex) << 20, retryAfterSeconds: retryAfterSeconds,
                crashLoopRequests: crashLoopRequests, parameters: p)
        }
        if apiserversUp == 0 {
            work.withUnsafeMutableBufferPointer { buffer in Self.failEverything(buffer, totals: &totals) }
        } else {
            work.withUnsafeMutableBufferPointer { buffer in
                admitAndServe(buffer, totals: &totals, parameters: p)
                checkMemory(buffer, totals: &totals, endSeconds: endSeconds, parameters: p)
            }
        }
        swap(&work, &classes)

        updateRetryAfter(rejectedPerPool: totals.rejectedPerPool, parameters: p)
        availability = totals.attempts > 0 ? max(0, 1 - totals.failures / totals.attempts) : 1
        // The mutating p99 is above the limit exactly when more than 1 % of mutating responses are slower.
        let mutatingSlowShare = totals.mutatingResponses > 0 ? totals.mutatingSlow / totals.mutatingResponses : 0
        let degraded = apiserversUp == 0 || mutatingSlowShare > 0.01 || availability < p.degradedAvailability
        let herdPods = dns.step(
            availability: availability, controlPlaneHealthy: !degraded, podCount: podCount, nodeCount: nodeCount,
            parameters: p)
        if herdPods > 0 {
            let herd = herdPods * p.recoveryHerdRequestsPerPod
            let index = BackgroundClass.recoveryHerd.rawValue
            classes[index].herdBacklog += herd
            classes[index].herdRatePerSecond = classes[index].herdBacklog / max(dt, p.recoveryHerdSpreadSeconds)
            truth.recoveryHerdRequests += herd
        }
        updateTruth(totals: totals, degraded: degraded, endSeconds: endSeconds, parameters: p)
        recorder.add(
            totals: totals, dnsFailureShare: dns.failureShare, dnsLatencyP99Seconds: dns.lookupLatencyP99Seconds)
        if (stepIndex + 1) % recorder.scrapeSteps == 0 { scrapeSignals(atSeconds: endSeconds, parameters: p) }
    }

    // MARK: Apiservers and herds

    /// Brings back the apiservers whose restart time has come.
    mutating func restartApiservers(atOrBeforeSeconds seconds: Double) {
        guard apiserversUp < apiserverRestartAtSeconds.count else { return }
        for index in apiserverRestartAtSeconds.indices
        where apiserverRestartAtSeconds[index] > -.infinity && apiserverRestartAtSeconds[index] <= seconds {
            apiserverRestartAtSeconds[index] = -.infinity
            apiserversUp += 1
        }
    }

    /// Watchers that lost their apiserver relist now that one serves: kubelets, node daemons, controllers, agents.
    mutating func startRelistHerd(parameters p: SimulationParameters) {
        let share = pendingRelistShare
        pendingRelistShare = 0
        let spread = max(p.stepSeconds, p.relistSpreadSeconds)
        func add(_ index: Int, _ requests: Double) {
            guard requests > 0 else { return }
            classes[index].herdBacklog += requests
            classes[index].herdRatePerSecond = classes[index].herdBacklog / spread
        }
        add(BackgroundClass.kubeletRelist.rawValue, nodeCount * share)
        add(BackgroundClass.daemonRelist.rawValue, nodeCount * share)
        add(BackgroundClass.controllerRelist.rawValue, p.controllerFullRelists * share)
        for index in BackgroundClass.allCases.count..<classes.count where classes[index].isWatch {
            add(index, classes[index].agentNodes * share)
        }
    }

    /// Re-divides APF seats among levels at the end of each borrowing period, from the period's peak demand.
    mutating func updateBorrowing(stepIndex: Int) {
        guard stepIndex > 0 && stepIndex % borrowingPeriodSteps == 0 else { return }
        seatDivision.reallocate(demandSeats: levelDemandHighWater)
        poolCapacityPerApiserver = seatDivision.currentSeats
        poolCapacityPerApiserver[0] = .infinity
        levelDemandHighWater = PoolLanes(repeating: 0)
    }

    /// Retry-After doubles while a pool keeps rejecting and halves back while it rejects nothing.
    mutating func updateRetryAfter(rejectedPerPool: PoolLanes, parameters p: SimulationParameters) {
        guard p.apfEnabled else { return }
        // Nothing to do while no pool rejects and every Retry-After is at its initial value (a cluster at rest).
        let initial = p.retryAfterInitialSeconds
        guard rejectedPerPool.anyAbove(1e-6) || retryAfterSeconds.anyAbove(initial) else { return }
        let dt = p.stepSeconds
        for pool in 0..<poolCount {
            if rejectedPerPool[pool] > 1e-6 {
                quietSeconds[pool] = 0
                rejectingSeconds[pool] += dt
                if rejectingSeconds[pool] >= retryAfterSeconds[pool] {
                    retryAfterSeconds[pool] = min(p.retryAfterMaxSeconds, 2 * retryAfterSeconds[pool])
                    rejectingSeconds[pool] = 0
                }
            } else if retryAfterSeconds[pool] > p.retryAfterInitialSeconds {
                rejectingSeconds[pool] = 0
                quietSeconds[pool] += dt
                if quietSeconds[pool] >= retryAfterSeconds[pool] {
                    retryAfterSeconds[pool] = max(p.retryAfterInitialSeconds, retryAfterSeconds[pool] / 2)
                    quietSeconds[pool] = 0
                }
            }
        }
    }

    // MARK: The fluid request flow

    /// New requests, due retries, herds and ticket requests of the step.
    private static func addArrivals(
        _ buffer: UnsafeMutableBufferPointer<RequestClass>, stepIndex: Int, startSeconds: Double, seed: UInt64,
        stream clusterStream: UInt64, retryAfterSeconds: PoolLanes, crashLoopRequests: Double,
        parameters p: SimulationParameters
    ) {
        let dt = p.stepSeconds
        let failureRelease = min(1, dt / max(dt, p.clientFailureBackoffSeconds))
        for index in 0..<buffer.count {
            var arrivals = buffer[index].ratePerSecond * dt + buffer[index].offeredByTickets
            if buffer[index].isAgent && buffer[index].agentNodes > 0 {
                let interval = buffer[index].agentIntervalSeconds
                if buffer[index].agentFiresInStep {
                    let nextFiring = (startSeconds / interval - 1e-9).rounded(.up) * interval
                    if nextFiring < startSeconds + dt - 1e-9 { arrivals += buffer[index].agentNodes }
                } else {
                    let mean = buffer[index].agentNodes * dt / interval
                    let stream = clusterStream | UInt64(index)
                    let draw = SplitMix64.gaussian(seed: seed, stream: stream, counter: UInt64(stepIndex))
                    arrivals += max(0, mean + p.agentArrivalJitter * mean.squareRoot() * draw)
                }
            }
            if buffer[index].backlogAfter429 > 0 {
                let pool = buffer[index].pool
                let released = buffer[index].backlogAfter429 * min(1, dt / max(dt, retryAfterSeconds[pool]))
                buffer[index].backlogAfter429 -= released
                arrivals += released
            }
            if buffer[index].backlogAfterFailure > 0 {
                let released = buffer[index].backlogAfterFailure * failureRelease
                buffer[index].backlogAfterFailure -= released
                arrivals += released
            }
            if buffer[index].herdBacklog > 0 {
                let released = min(buffer[index].herdBacklog, buffer[index].herdRatePerSecond * dt)
                buffer[index].herdBacklog -= released
                if buffer[index].herdBacklog <= 1e-9 {
                    buffer[index].herdBacklog = 0
                    buffer[index].herdRatePerSecond = 0
                }
                arrivals += released
            }
            if index == BackgroundClass.kubeletPodStatus.rawValue { arrivals += crashLoopRequests }
            buffer[index].arrivals = arrivals
        }
    }

    /// No apiserver serves: every request fails (connection refused) and some clients back off to retry.
    private static func failEverything(_ buffer: UnsafeMutableBufferPointer<RequestClass>, totals: inout StepTotals) {
        for index in 0..<buffer.count {
            let arrivals = buffer[index].arrivals
            buffer[index].failed = arrivals
            buffer[index].backlogAfterFailure += arrivals * buffer[index].retryShareAfterFailure
            buffer[index].admitted = 0
            buffer[index].completedOK = 0
            buffer[index].timedOut = 0
            buffer[index].rejectedAtOnce = 0
            buffer[index].rejectedAfterWait = 0
            buffer[index].queued = 0
            buffer[index].executing = 0
            totals.attempts += arrivals
            totals.failures += arrivals
            if index == BackgroundClass.kubeletHeartbeat.rawValue {
                totals.heartbeatAttempts += arrivals
                totals.heartbeatFailedOrRejected += arrivals
            }
            if buffer[index].isAgent { totals.agentArrivals += arrivals }
        }
    }

    /// APF (or max-inflight) admission, service with CPU stretch, timeouts, queue limits and 429s.
    ///
    /// Occupancy is fluid: a class admitting `x` requests in a step ends it with `(E + x) / (1 + dt / L)` executing
    /// (implicit Euler of `dE/dt = λ − E / L`), stable for any service time. Each pool's seats not held by requests
    /// already executing are shared between the single-flow agent (fair queuing keeps it to `handSize` queues) and
    /// everyone else by weighted max-min; within each group in proportion to demand.
    private mutating func admitAndServe(
        _ buffer: UnsafeMutableBufferPointer<RequestClass>, totals: inout StepTotals, parameters p: SimulationParameters
    ) {
        // Per-pool scratch rows on the stack, one value per pool that can be in use (8 levels and the brake): 8 rows
        // of sums starting at 0, then copies of the per-pool settings (SIMD vectors indexed by a variable spill on
        // every write, and `PoolLanes` adds a branch to every access).
        withUnsafeTemporaryAllocation(of: Double.self, capacity: AdmissionRows.count * PoolLanes.count) { scratch in
            let rows = AdmissionRows(base: scratch.baseAddress!, length: PoolLanes.count)
            rows.zeroSums()
            poolCapacityPerApiserver.store(to: rows.capacityPerApiserver)
            poolQueueCount.store(to: rows.queueCount)
            poolHandSize.store(to: rows.handSize)
            poolQueueLengthLimit.store(to: rows.queueLength)
            levelDemandHighWater.store(to: rows.highWater)
            admitAndServe(buffer, rows: rows, totals: &totals, parameters: p)
        }
    }

    /// Admits what the free seats of each pool allow, then serves, queues or rejects every class for one step.
    private mutating func admitAndServe(
        _ buffer: UnsafeMutableBufferPointer<RequestClass>, rows: AdmissionRows, totals: inout StepTotals,
        parameters p: SimulationParameters
    ) {
        let tail = ServiceTimeTail(share: p.serviceTimeTailShare)
        sumSeatDemand(buffer, rows: rows, tail: tail, parameters: p)
        divideFreeSeats(rows: rows, totals: &totals, parameters: p)
        levelDemandHighWater = PoolLanes(loading: rows.highWater)
        for index in 0..<buffer.count {
            if buffer[index].isIdle {
                buffer[index].clearStepResults()
                continue
            }
            let outcome = served(buffer[index], rows: rows, tail: tail, parameters: p)
            buffer[index].record(outcome)
            let slowShare =
                buffer[index].kind == .mutating
                ? Self.shareSlowerThan(
                    p.degradedMutatingP99Seconds, waitSeconds: outcome.waitSeconds,
                    serviceSeconds: buffer[index].serviceSeconds, tail: tail)
                : 0
            totals.count(
                outcome, of: buffer[index], slowShare: slowShare, stretch: cpuStretch,
                isHeartbeat: index == BackgroundClass.kubeletHeartbeat.rawValue)
            rows.rejectedPerPool[buffer[index].pool] += outcome.rejected
        }
        totals.rejectedPerPool = PoolLanes(loading: rows.rejectedPerPool)
    }

    /// Sums, per pool, the seats held by executing requests and those waiting ones would take (each discounted by
    /// the share of the step it would hold them), and the waiting requests of pooled and single-flow classes; keeps
    /// each class's service time and occupancy divisor for `serve`.
    @inline(__always)
    private func sumSeatDemand(
        _ buffer: UnsafeMutableBufferPointer<RequestClass>, rows: AdmissionRows, tail: ServiceTimeTail,
        parameters p: SimulationParameters
    ) {
        let dt = p.stepSeconds
        let stretch = cpuStretch
        let timeout = p.requestTimeoutSeconds
        for index in 0..<buffer.count where !buffer[index].isIdle {
            let service = buffer[index].serviceSeconds(stretch: stretch)
            buffer[index].serviceSeconds = service
            let hold = Self.meanHoldSeconds(
                serviceSeconds: service, remainingSeconds: timeout - buffer[index].waitSeconds, tail: tail)
            let factor = 1 + dt / hold
            buffer[index].occupancyDivisor = factor
            let pool = buffer[index].pool
            let seats = buffer[index].seats
            let waiting = buffer[index].queued + buffer[index].arrivals
            rows.heldOccupancy[pool] += seats * buffer[index].executing / factor
            if buffer[index].isSingleFlow {
                rows.extraSingle[pool] += seats * waiting / factor
                rows.waitingSingle[pool] += waiting
            } else {
                rows.extraPooled[pool] += seats * waiting / factor
                rows.waitingPooled[pool] += waiting
            }
        }
    }

    /// Sets, per pool, the share of waiting pooled and single-flow requests its free seats admit: all when they fit;
    /// else a single flow gets at most its hand's share of the queues, as shuffle sharding gives it.
    @inline(__always)
    private func divideFreeSeats(rows: AdmissionRows, totals: inout StepTotals, parameters p: SimulationParameters) {
        let up = Double(apiserversUp)
        for pool in 0..<poolCount {
            rows.ratioPooled[pool] = 1
            rows.ratioSingle[pool] = 1
            let demand = rows.heldOccupancy[pool] + rows.extraPooled[pool] + rows.extraSingle[pool]
            if p.apfEnabled && pool > 0 { rows.highWater[pool] = max(rows.highWater[pool], demand / up) }
            let capacity = rows.capacityPerApiserver[pool] * up
            guard capacity < .infinity else { continue }
            totals.seatsDemanded += demand
            let free = capacity - rows.heldOccupancy[pool]
            let wantPooled = rows.extraPooled[pool]
            let wantSingle = rows.extraSingle[pool]
            if wantPooled + wantSingle <= free { continue }
            if free <= 0 {
                rows.ratioPooled[pool] = 0
                rows.ratioSingle[pool] = 0
            } else if wantSingle <= 0 {
                rows.ratioPooled[pool] = free / wantPooled
            } else if wantPooled <= 0 {
                rows.ratioSingle[pool] = free / wantSingle
            } else {
                let hand = max(1, rows.handSize[pool])
                let others = max(hand, rows.queueCount[pool] - hand)
                let singleShare = free * hand / (hand + others)
                if wantSingle <= singleShare {
                    rows.ratioPooled[pool] = (free - wantSingle) / wantPooled
                } else if wantPooled <= free - singleShare {
                    rows.ratioSingle[pool] = (free - wantPooled) / wantSingle
                } else {
                    rows.ratioSingle[pool] = singleShare / wantSingle
                    rows.ratioPooled[pool] = (free - singleShare) / wantPooled
                }
            }
        }
    }

    /// What one busy class's step does: admits its share of the waiting requests, completes or times out what
    /// ran, queues what the queues and the wait limit allow and rejects the rest.
    @inline(__always)
    private func served(
        _ request: RequestClass, rows: AdmissionRows, tail: ServiceTimeTail, parameters p: SimulationParameters
    ) -> StepOutcome {
        let pool = request.pool
        let single = request.isSingleFlow
        let waiting = request.queued + request.arrivals
        let admitted = waiting * (single ? rows.ratioSingle[pool] : rows.ratioPooled[pool])
        var executing = (request.executing + admitted) / request.occupancyDivisor
        if executing < 1e-9 { executing = 0 }  // lets a class that has finished its work become idle
        let completed = request.executing + admitted - executing
        let timeoutShare = Self.shareSlowerThan(
            p.requestTimeoutSeconds, waitSeconds: request.waitSeconds, serviceSeconds: request.serviceSeconds,
            tail: tail)
        let timedOut = completed * timeoutShare
        let (queued, rejectedAtOnce, rejectedAfterWait) = queueOrReject(
            waiting - admitted, waiting: waiting, admitted: admitted, single: single, pool: pool, rows: rows,
            parameters: p)
        let waitSeconds =
            queued > 0 ? min(p.queueWaitLimitSeconds, queued * p.stepSeconds / max(admitted, 1e-12)) : 0
        return StepOutcome(
            admitted: admitted, executing: executing, queued: queued, completedOK: completed - timedOut,
            timedOut: timedOut, rejectedAtOnce: rejectedAtOnce, rejectedAfterWait: rejectedAfterWait,
            waitSeconds: waitSeconds)
    }

    /// What of `unadmitted` waits in the queues and what is rejected, at once (the queues are full) or after
    /// waiting out the limit; a single flow queues only in its hand's queues.
    @inline(__always)
    private func queueOrReject(
        _ unadmitted: Double, waiting: Double, admitted: Double, single: Bool, pool: Int, rows: AdmissionRows,
        parameters p: SimulationParameters
    ) -> (queued: Double, rejectedAtOnce: Double, rejectedAfterWait: Double) {
        guard unadmitted > 1e-12 else { return (0, 0, 0) }
        let queues = rows.queueCount[pool]
        guard queues > 0 else { return (0, unadmitted, 0) }
        let groupQueues = single ? rows.handSize[pool] : queues
        let groupWaiting = single ? rows.waitingSingle[pool] : rows.waitingPooled[pool]
        let lengthCap =
            Double(apiserversUp) * groupQueues * rows.queueLength[pool] * waiting / max(groupWaiting, 1e-12)
        let waitCap = p.queueWaitLimitSeconds * admitted / p.stepSeconds
        var queued = min(unadmitted, lengthCap, waitCap)
        if queued < 1e-9 { queued = 0 }
        let rejected = unadmitted - queued
        return lengthCap <= waitCap ? (queued, rejected, 0) : (queued, 0, rejected)
    }

    /// OOM-kills one apiserver when executing requests push memory past the limit, then updates the CPU stretch.
    ///
    /// Load balancing keeps the serving apiservers alike, so when one passes the limit they all do: one dies per
    /// step, its requests fail, the others take its clients and die in turn unless the load falls.
    private mutating func checkMemory(
        _ buffer: UnsafeMutableBufferPointer<RequestClass>, totals: inout StepTotals, endSeconds: Double,
        parameters p: SimulationParameters
    ) {
        let upBefore = Double(apiserversUp)
        let memoryPerApiserver =
            p.apiserverBaseMemoryBytes + nodeCount * p.apiserverMemoryBytesPerNode
            + totals.executingMemoryBytes / upBefore
        memoryUtilization = memoryPerApiserver / p.apiserverMemoryBytes
        var busy = totals.busyCPURequests
        if memoryUtilization > 1 {
            let lostShare = 1 / upBefore
            for index in 0..<buffer.count {
                let lost = (buffer[index].executing + buffer[index].queued) * lostShare
                buffer[index].executing -= buffer[index].executing * lostShare
                buffer[index].queued -= buffer[index].queued * lostShare
                buffer[index].failed += lost
                buffer[index].backlogAfterFailure += lost * buffer[index].retryShareAfterFailure
                totals.failures += lost
                if index == BackgroundClass.kubeletHeartbeat.rawValue { totals.heartbeatFailedOrRejected += lost }
            }
            busy *= 1 - lostShare
            totals.seatsInUse *= 1 - lostShare
            totals.agentSeats *= 1 - lostShare
            totals.queued *= 1 - lostShare
            if let victim = apiserverRestartAtSeconds.firstIndex(of: -.infinity) {
                apiserverRestartAtSeconds[victim] = endSeconds + p.apiserverRestartSeconds
            }
            apiserversUp -= 1
            pendingRelistShare = 1 - (1 - pendingRelistShare) * (1 - lostShare)
            truth.apiserverOOMKills += 1
        }
        updateCPUStretch(busyRequests: busy, memoryUtilization: memoryUtilization, parameters: p, smoothing: 0.5)
    }

    // MARK: Ground truth

    /// Adds this step to the ground truth.
    private mutating func updateTruth(
        totals: StepTotals, degraded: Bool, endSeconds: Double, parameters p: SimulationParameters
    ) {
        let dt = p.stepSeconds
        let down = availability < p.downAvailability
        let dnsFailing = dns.failureShare > p.dnsFailureShare
        let heartbeatBad =
            totals.heartbeatAttempts > 0 ? totals.heartbeatFailedOrRejected / totals.heartbeatAttempts : 0
        let kubeletImpaired = heartbeatBad > p.kubeletImpairedShare
        if degraded {
            truth.degradedSeconds += dt
            if truth.firstDegradedAtSeconds == nil { truth.firstDegradedAtSeconds = endSeconds }
            truth.lastDegradedAtSeconds = endSeconds
        }
        if down {
            truth.downSeconds += dt
            if truth.firstDownAtSeconds == nil { truth.firstDownAtSeconds = endSeconds }
        }
        if dnsFailing {
            truth.dnsFailureSeconds += dt
            if truth.firstDnsFailureAtSeconds == nil { truth.firstDnsFailureAtSeconds = endSeconds }
            truth.lastDnsFailureAtSeconds = endSeconds
        }
        if kubeletImpaired {
            truth.kubeletImpairedSeconds += dt
            if truth.firstKubeletImpairedAtSeconds == nil { truth.firstKubeletImpairedAtSeconds = endSeconds }
        }
        truth.isDegradedNow = degraded
        truth.isDownNow = down
        truth.isDnsFailingNow = dnsFailing
        truth.availabilityNow = availability
        truth.minimumAvailability = min(truth.minimumAvailability, availability)
        truth.dnsFailureShareNow = dns.failureShare
        if dnsFailing && dns.failureShare > truth.peakDnsFailureShare {
            truth.peakDnsFailureShare = dns.failureShare
            truth.peakDnsFailureAtSeconds = endSeconds
        }
        truth.peakSeatsDemanded = max(truth.peakSeatsDemanded, totals.seatsDemanded)
        if totals.responses > 0 { truth.peak429Ratio = max(truth.peak429Ratio, totals.rejected / totals.responses) }
        truth.peakRequestsPerSecond = max(truth.peakRequestsPerSecond, totals.attempts / dt)
        truth.peakMemoryUtilization = max(truth.peakMemoryUtilization, memoryUtilization)
        truth.peakCPUStretch = max(truth.peakCPUStretch, cpuStretch)
        truth.apiserversUpNow = apiserversUp
        truth.agentRequests += totals.agentArrivals
        truth.agentRequestsRejected += totals.agentRejected
        truth.peakAgentNodes = max(truth.peakAgentNodes, agentNodeCount)
    }
}

/// The rows of `admitAndServe`'s scratch, a value per pool each: sums that start at 0, then the pools' settings.
private struct AdmissionRows {
    /// Seats held by requests already executing.
    let heldOccupancy: UnsafeMutablePointer<Double>
    /// Seats waiting pooled and single-flow requests would take, and how many wait.
    let extraPooled, extraSingle, waitingPooled, waitingSingle: UnsafeMutablePointer<Double>
    /// The share of waiting requests admitted.
    let ratioPooled, ratioSingle: UnsafeMutablePointer<Double>
    let rejectedPerPool: UnsafeMutablePointer<Double>
    let capacityPerApiserver, queueCount, handSize, queueLength, highWater: UnsafeMutablePointer<Double>

    /// Rows: eight sums, then five settings.
    static let count = 13

    init(base: UnsafeMutablePointer<Double>, length: Int) {
        heldOccupancy = base
        extraPooled = base + length
        extraSingle = base + 2 * length
        waitingPooled = base + 3 * length
        waitingSingle = base + 4 * length
        ratioPooled = base + 5 * length
        ratioSingle = base + 6 * length
        rejectedPerPool = base + 7 * length
        capacityPerApiserver = base + 8 * length
        queueCount = base + 9 * length
        handSize = base + 10 * length
        queueLength = base + 11 * length
        highWater = base + 12 * length
    }

    /// Sets every sum (the rows up to `rejectedPerPool`) to 0.
    @inline(__always)
    func zeroSums() { heldOccupancy.initialize(repeating: 0, count: capacityPerApiserver - heldOccupancy) }
}

/// What one request class did in a step.
struct StepOutcome {
    var admitted: Double
    var executing: Double
    var queued: Double
    var completedOK: Double
    var timedOut: Double
    var rejectedAtOnce: Double
    var rejectedAfterWait: Double
    /// The queue wait of what completed.
    var waitSeconds: Double

    var rejected: Double { rejectedAtOnce + rejectedAfterWait }
    /// Every answer given: completed, timed out or rejected.
    var responses: Double { completedOK + timedOut + rejected }
}

extension RequestClass {
    /// Keeps `outcome` as this step's results, sends the rejected and timed-out requests clients retry to the
    /// backlogs, and adds it to the interval's sums.
    @inline(__always)
    mutating func record(_ outcome: StepOutcome) {
        admitted = outcome.admitted
        executing = outcome.executing
        queued = outcome.queued
        completedOK = outcome.completedOK
        timedOut = outcome.timedOut
        rejectedAtOnce = outcome.rejectedAtOnce
        rejectedAfterWait = outcome.rejectedAfterWait
        failed = 0
        waitSeconds = outcome.waitSeconds
        backlogAfter429 += outcome.rejected * retryShareAfter429
        backlogAfterFailure += outcome.timedOut * retryShareAfterFailure
        intervalOK += outcome.completedOK
        intervalOKWaitSeconds += outcome.completedOK * outcome.waitSeconds
        intervalOKServiceSeconds += outcome.completedOK * serviceSeconds
        intervalTimedOut += outcome.timedOut
        intervalRejectedAtOnce += outcome.rejectedAtOnce
        intervalRejectedAfterWait += outcome.rejectedAfterWait
    }
}

extension StepTotals {
    /// Adds what `request` did in the step (`outcome`); `slowShare` is the share of its completed mutating requests
    /// slower than the degraded bound, `stretch` the CPU stretch.
    @inline(__always)
    mutating func count(
        _ outcome: StepOutcome, of request: RequestClass, slowShare: Double, stretch: Double, isHeartbeat: Bool
    ) {
        let rejected = outcome.rejected
        let responses = outcome.responses
        let arrivals = request.arrivals
        attempts += arrivals
        failures += outcome.timedOut
        self.responses += responses
        self.rejected += rejected
        timedOut += outcome.timedOut
        queued += outcome.queued
        executingMemoryBytes += outcome.executing * request.memoryBytes
        busyCPURequests += outcome.executing * request.cpuSeconds * stretch / max(request.serviceSeconds, 1e-12)
        if request.level != 0 { seatsInUse += outcome.executing * request.seats }
        if request.kind == .mutating {
            mutatingResponses += responses
            mutatingSlow += outcome.completedOK * slowShare + outcome.rejectedAfterWait + outcome.timedOut
        }
        if isHeartbeat {
            heartbeatAttempts += arrivals
            heartbeatFailedOrRejected += rejected + outcome.timedOut
        }
        if request.isAgent {
            agentArrivals += arrivals
            agentSeats += outcome.executing * request.seats
            agentRejected += rejected
        }
    }
}
