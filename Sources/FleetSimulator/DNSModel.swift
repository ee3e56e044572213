/// CoreDNS and the node and client caches in front of it, as shares of a cluster's lookups.
///
/// While the control plane is reachable, lookups that miss the node caches are answered by CoreDNS. Once it is lost
/// (availability below `controlPlaneLostBelowAvailability`), cached answers expire over the horizon, so the share of
/// lookups that need CoreDNS and that it cannot answer ramps as `min(1, t / horizon)`. Failing lookups are retried
/// through the search list and the resolver (× `dnsQueriesPerFailedLookup`), which can saturate CoreDNS; saturated
/// CoreDNS pods get restarted, come back unsynced and answer SERVFAIL for everything until the apiserver is healthy
/// again. After `dnsResyncSeconds` of healthy control plane (not degraded: the same test as the ground truth's)
/// CoreDNS resyncs and clients recover over `dnsRecoverySeconds`; the pods that failed then restart and re-download
/// (the recovery herd). So DNS always recovers after the apiserver, never with it.
struct DNSModel: Sendable, Equatable {
    /// CoreDNS has lost the control plane.
    private(set) var controlPlaneLost = false
    /// Seconds the control plane has been healthy since the loss (for the resync).
    private(set) var healthySeconds = 0.0
    /// Share of lookups whose cached answer expired and that CoreDNS cannot answer (the ramp).
    private(set) var expiredShare = 0.0
    /// Share of CoreDNS pods restarted while the control plane was lost: unsynced, answering SERVFAIL.
    private(set) var unsyncedShare = 0.0
    /// Share of queries CoreDNS drops because it is saturated.
    private(set) var saturatedShare = 0.0
    /// Share of lookups failing (SERVFAIL or timeout).
    private(set) var failureShare = 0.0
    /// p99 lookup latency, seconds.
    private(set) var lookupLatencyP99Seconds = 0.0
    /// Highest failure share since DNS started failing (sizes the recovery herd).
    private(set) var peakFailureShareSinceOnset = 0.0

    /// Advances one step given this step's control-plane availability and health (not degraded); returns the
    /// recovery herd's size in pod restarts (`pods × peak failure share`) when DNS has just stopped failing, else 0.
    mutating func step(
        availability: Double, controlPlaneHealthy: Bool, podCount: Double, nodeCount: Double,
        parameters p: SimulationParameters
    ) -> Double {
        let dt = p.stepSeconds
        if controlPlaneLost {
            if controlPlaneHealthy {
                healthySeconds += dt
                if healthySeconds >= p.dnsResyncSeconds {
                    controlPlaneLost = false
                    healthySeconds = 0
                }
            } else {
                healthySeconds = 0
            }
        } else if availability < p.controlPlaneLostBelowAvailability {
            controlPlaneLost = true
            healthySeconds = 0
        }
        if controlPlaneLost {
            expiredShare = min(1, expiredShare + dt / max(dt, p.dnsCacheHorizonSeconds))
            if saturatedShare > 0 {
                unsyncedShare += (1 - unsyncedShare) * min(1, p.corednsRestartSharePerSecondWhenSaturated * dt)
            }
        } else {
            expiredShare = max(0, expiredShare - dt / max(dt, p.dnsRecoverySeconds))
            unsyncedShare = max(0, unsyncedShare - dt / max(dt, p.dnsResyncSeconds))
        }
        if expiredShare == 0 && unsyncedShare == 0 && saturatedShare == 0 && failureShare == 0 {
            lookupLatencyP99Seconds = p.dnsLookupBaseLatencySeconds
            return 0
        }
        let expiredFailing = expiredShare * p.dnsExpiredLookupFailureShare
        let missFailing = unsyncedShare + (1 - unsyncedShare) * saturatedShare
        let lookups = podCount * p.dnsLookupsPerPodPerSecond
        let queriesPerLookup =
            expiredFailing * p.dnsQueriesPerFailedLookup
            + (1 - expiredFailing) * p.dnsCacheMissShare * (1 + missFailing * (p.dnsQueriesPerFailedLookup - 1))
        let capacity = max(2, nodeCount * p.corednsPodsPerNode) * p.corednsQueriesPerSecondPerPod
        let utilization = lookups * queriesPerLookup / capacity
        saturatedShare = 0.5 * saturatedShare + 0.5 * max(0, 1 - 1 / max(utilization, 1e-9))
        if saturatedShare < 1e-9 { saturatedShare = 0 }
        failureShare = min(1, expiredFailing + (1 - expiredFailing) * p.dnsCacheMissShare * missFailing)
        let timeoutShare = saturatedShare * (expiredFailing + (1 - expiredFailing) * p.dnsCacheMissShare)
        if timeoutShare > 0.01 {
            lookupLatencyP99Seconds = 2 * p.dnsResolverTimeoutSeconds
        } else {
            let searchListFactor = failureShare > 0.01 ? p.dnsQueriesPerFailedLookup / 2 : 1
            lookupLatencyP99Seconds =
                p.dnsLookupBaseLatencySeconds * searchListFactor / max(0.05, 1 - min(utilization, 0.95))
        }
        if failureShare > p.dnsFailureShare {
            peakFailureShareSinceOnset = max(peakFailureShareSinceOnset, failureShare)
            return 0
        }
        if peakFailureShareSinceOnset > 0 && !controlPlaneLost {
            let herdPods = podCount * peakFailureShareSinceOnset
            peakFailureShareSinceOnset = 0
            return herdPods
        }
        return 0
    }
}
