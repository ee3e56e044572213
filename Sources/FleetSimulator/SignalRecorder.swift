/// A cluster's scrapes: a ring of the recent snapshots and the sums of the window being scraped.
///
/// A snapshot holds one value per `SimulatedSignal` (NaN: missing) without noise; noise is added when a snapshot is
/// read, from the snapshot's scrape number, so reading never changes the simulation.
struct SignalRecorder: Sendable, Equatable {
    /// Values per snapshot.
    static let signalCount = SimulatedSignal.allCases.count

    /// Steps between two scrapes.
    let scrapeSteps: Int
    /// Snapshots kept: enough to cover the signal delay.
    let capacity: Int
    /// Scrape time of each ring slot.
    private(set) var times: [Double]
    /// Scrape number of each ring slot (0: the baseline at time 0).
    private(set) var scrapeNumbers: [UInt64]
    /// `capacity × signalCount` values.
    private(set) var values: [Double]
    /// Snapshots written so far.
    private(set) var written = 0

    // MARK: The window being accumulated

    var steps = 0
    var responses = 0.0
    var rejected = 0.0
    var timedOut = 0.0
    var attempts = 0.0
    var failures = 0.0
    var seatsInUse = 0.0
    var queued = 0.0
    var agentArrivals = 0.0
    var agentSeats = 0.0
    var dnsFailure = 0.0
    var dnsLatencyMaxSeconds = 0.0

    /// An empty recorder for these parameters.
    init(parameters p: SimulationParameters) {
        scrapeSteps = max(1, Int((p.scrapeIntervalSeconds / p.stepSeconds).rounded()))
        let scrapeSeconds = Double(scrapeSteps) * p.stepSeconds
        capacity = Int((p.signalDelaySeconds / scrapeSeconds).rounded(.up)) + 2
        times = [Double](repeating: -.infinity, count: capacity)
        scrapeNumbers = [UInt64](repeating: 0, count: capacity)
        values = [Double](repeating: .nan, count: capacity * Self.signalCount)
    }

    /// Adds one step to the window.
    mutating func add(totals: StepTotals, dnsFailureShare: Double, dnsLatencyP99Seconds: Double) {
        steps += 1
        responses += totals.responses
        rejected += totals.rejected
        timedOut += totals.timedOut
        attempts += totals.attempts
        failures += totals.failures
        seatsInUse += totals.seatsInUse
        queued += totals.queued
        agentArrivals += totals.agentArrivals
        agentSeats += totals.agentSeats
        dnsFailure += dnsFailureShare
        dnsLatencyMaxSeconds = max(dnsLatencyMaxSeconds, dnsLatencyP99Seconds)
    }

    /// Stores a snapshot taken at `seconds` and clears the window.
    mutating func write(_ snapshot: [Double], atSeconds seconds: Double) {
        let slot = written % capacity
        times[slot] = seconds
        scrapeNumbers[slot] = UInt64(written)
        for index in 0..<Self.signalCount { values[slot * Self.signalCount + index] = snapshot[index] }
        written += 1
        steps = 0
        responses = 0
        rejected = 0
        timedOut = 0
        attempts = 0
        failures = 0
        seatsInUse = 0
        queued = 0
        agentArrivals = 0
        agentSeats = 0
        dnsFailure = 0
        dnsLatencyMaxSeconds = 0
    }

    /// The ring slot of the newest snapshot taken at or before `seconds`, or nil.
    func newestSlot(atOrBeforeSeconds seconds: Double) -> Int? {
        var best: Int?
        for slot in 0..<capacity where times[slot] <= seconds + 1e-9 {
            if let current = best, times[current] >= times[slot] { continue }
            best = slot
        }
        return best
    }

    /// The raw value of `signal` in ring slot `slot` (NaN: missing).
    func value(slot: Int, signal: Int) -> Double {
        values[slot * Self.signalCount + signal]
    }
}

extension ClusterModel {
    /// Takes a snapshot of the window just ended (scraped at `seconds`) and clears the classes' interval sums.
    mutating func scrapeSignals(atSeconds seconds: Double, parameters p: SimulationParameters) {
        var snapshot = [Double](repeating: .nan, count: SignalRecorder.signalCount)
        let window = Double(max(1, recorder.steps)) * p.stepSeconds
        let steps = Double(max(1, recorder.steps))
        let scrapeable = apiserversUp > 0 && cpuStretch <= p.scrapeFailsAboveCPUStretch
        if scrapeable {
            snapshot[SimulatedSignal.listLatencyP99Seconds.index] = latencyP99(kind: .list, parameters: p)
            snapshot[SimulatedSignal.mutatingLatencyP99Seconds.index] = latencyP99(kind: .mutating, parameters: p)
            snapshot[SimulatedSignal.readLatencyP99Seconds.index] = latencyP99(kind: .read, parameters: p)
            snapshot[SimulatedSignal.requestRate.index] = recorder.responses / window
            let responses = max(recorder.responses, 1e-12)
            snapshot[SimulatedSignal.ratio429.index] = recorder.rejected / responses
            snapshot[SimulatedSignal.ratio5xx.index] = recorder.timedOut / responses
            if p.apfEnabled {
                snapshot[SimulatedSignal.apfRejectedPerSecond.index] = recorder.rejected / window
                snapshot[SimulatedSignal.apfQueuedRequests.index] = recorder.queued / steps
                snapshot[SimulatedSignal.apfSeatsInUse.index] = recorder.seatsInUse / steps
                snapshot[SimulatedSignal.apfSeatsLimit.index] = Double(p.seatsPerApiserver * apiserversUp)
            }
            snapshot[SimulatedSignal.agentAPIRequestsPerSecond.index] = recorder.agentArrivals / window
            snapshot[SimulatedSignal.agentAPISeats.index] = recorder.agentSeats / steps
            snapshot[SimulatedSignal.agentPodsNotReady.index] = 0
            snapshot[SimulatedSignal.agentRestartsPerSecond.index] = 0
        }
        snapshot[SimulatedSignal.availability.index] =
            recorder.attempts > 0 ? max(0, 1 - recorder.failures / recorder.attempts) : 1
        snapshot[SimulatedSignal.dnsServfailRatio.index] = recorder.dnsFailure / steps
        snapshot[SimulatedSignal.dnsLookupLatencyP99Seconds.index] = recorder.dnsLatencyMaxSeconds
        if agentNodeCount > 0 { snapshot[SimulatedSignal.agentReadyRatio.index] = 1 }
        snapshot[SimulatedSignal.clusterNodes.index] = nodeCount
        snapshot[SimulatedSignal.agentNodes.index] = Double(agentNodeCount)
        recorder.write(snapshot, atSeconds: seconds)
        for index in classes.indices {
            classes[index].intervalOK = 0
            classes[index].intervalOKWaitSeconds = 0
            classes[index].intervalOKServiceSeconds = 0
            classes[index].intervalTimedOut = 0
            classes[index].intervalRejectedAtOnce = 0
            classes[index].intervalRejectedAfterWait = 0
        }
    }

    /// p99 latency of one kind of request over the window, seconds (NaN when there were none).
    ///
    /// As SLO monitoring computes it: the p99 of each class (resource and scope) that answered at least one request
    /// in the window, and the worst of them. Within a class: 429s after a full queue wait count as the wait limit,
    /// timeouts as the request timeout; the rest is queue wait plus service time (p99 ≈ 1.9 × mean).
    func latencyP99(kind: RequestKind, parameters p: SimulationParameters) -> Double {
        let k = p.serviceTimeTailShare
        let serviceP99Factor = (1 - k) + k * _log(100)
        var worst = -1.0
        for requestClass in classes where requestClass.kind == kind {
            let total =
                requestClass.intervalOK + requestClass.intervalTimedOut + requestClass.intervalRejectedAtOnce
                + requestClass.intervalRejectedAfterWait
            guard total >= 1 else { continue }
            var p99 = 0.0
            if requestClass.intervalTimedOut / total > 0.01 {
                p99 = p.requestTimeoutSeconds
            } else if (requestClass.intervalTimedOut + requestClass.intervalRejectedAfterWait) / total > 0.01 {
                p99 = p.queueWaitLimitSeconds
            }
            if requestClass.intervalOK / total > 0.01 {
                let wait = requestClass.intervalOKWaitSeconds / requestClass.intervalOK
                let service = requestClass.intervalOKServiceSeconds / requestClass.intervalOK
                p99 = max(p99, min(p.requestTimeoutSeconds, wait + service * serviceP99Factor))
            }
            worst = max(worst, p99)
        }
        return worst < 0 ? .nan : worst
    }

    /// Fills the window as if the cluster had run at its steady state, and writes the baseline snapshot at time 0.
    mutating func recordBaselineSnapshot(parameters p: SimulationParameters) {
        let window = Double(recorder.scrapeSteps) * p.stepSeconds
        var totals = StepTotals()
        for index in classes.indices {
            let requests = classes[index].ratePerSecond * window
            classes[index].intervalOK = requests
            classes[index].intervalOKServiceSeconds = requests * classes[index].serviceSeconds
            totals.responses += requests / Double(recorder.scrapeSteps)
            totals.attempts += requests / Double(recorder.scrapeSteps)
            if classes[index].level != 0 { totals.seatsInUse += classes[index].executing * classes[index].seats }
        }
        let dnsLatency = p.dnsLookupBaseLatencySeconds
        for _ in 0..<recorder.scrapeSteps {
            recorder.add(totals: totals, dnsFailureShare: 0, dnsLatencyP99Seconds: dnsLatency)
        }
        scrapeSignals(atSeconds: 0, parameters: p)
    }
}
