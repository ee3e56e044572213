/// The changes submitted for one cluster, in submission order, and the part of each step that carries them out.
///
/// Everything a change reads or writes during a step belongs to its own cluster, so clusters with their changes can be
/// stepped independently: in any order, or on several threads at once.
struct ClusterChanges: Sendable {
    /// The cluster's changes, in submission order; a ticket finds its change by position here.
    private(set) var records: [ChangeRecord] = []
    /// Positions in `records` of the changes still at work, in submission order.
    private var activePositions: [Int] = []

    /// Whether some change is still at work on the cluster.
    var hasActive: Bool { !activePositions.isEmpty }

    /// Keeps `record`, at work when its status is in progress; returns its position.
    mutating func append(_ record: ChangeRecord) -> Int {
        records.append(record)
        let position = records.count - 1
        if case .inProgress = record.status { activePositions.append(position) }
        return position
    }

    /// Puts this step's ticket requests into the driver and pod-lifecycle classes; applies due node-direct changes.
    mutating func offerRequests(
        to cluster: inout ClusterModel, startSeconds: Double, parameters p: SimulationParameters
    ) {
        let dt = p.stepSeconds
        var driverOffered = 0.0
        var lifecycleBudget = p.controllerManagerRequestsPerSecond * dt
        var lifecycleOffered = 0.0
        var finished: [Int] = []
        for position in activePositions {
            var record = records[position]
            let total = record.nodes.count
            switch record.path {
            case .nodeDirect:
                if record.effectiveAtSeconds < startSeconds + dt - 1e-9 {
                    cluster.setAgent(nodes: record.nodes, slot: record.enable ? record.profileSlot : nil)
                    record.nodesDone = total
                    record.status = .succeeded
                    finished.append(position)
                    finished += supersedeControlPlaneChanges(
                        before: position, by: record.id, overlapping: record.nodes, atSeconds: startSeconds)
                }
            case .controlPlane:
                let driverNeeded = Double(total) * p.driverRequestsPerNode
                record.driverOffered =
                    record.driverGaveUp
                    ? 0 : max(0, min(driverNeeded - record.driverRequestsDone, p.driverRequestsPerSecond * dt))
                let available =
                    Double(Self.labelledNodes(record, parameters: p)) * p.podLifecycleRequestsPerNode
                    - record.lifecycleRequestsDone
                record.lifecycleOffered = max(0, min(available, lifecycleBudget))
                lifecycleBudget -= record.lifecycleOffered
                driverOffered += record.driverOffered
                lifecycleOffered += record.lifecycleOffered
            }
            records[position] = record
        }
        cluster.classes[BackgroundClass.driver.rawValue].offeredByTickets = driverOffered
        cluster.classes[BackgroundClass.podLifecycle.rawValue].offeredByTickets = lifecycleOffered
        if !finished.isEmpty { activePositions.removeAll { finished.contains($0) } }
    }

    /// Stops the control-plane changes submitted before the node-direct change at `position` (ticket `id`) on
    /// overlapping nodes: break-glass wins, and the DaemonSet controller no longer undoes it. Returns the positions
    /// stopped.
    private mutating func supersedeControlPlaneChanges(
        before position: Int, by id: Int, overlapping nodes: Range<Int>, atSeconds seconds: Double
    ) -> [Int] {
        var stopped: [Int] = []
        for other in activePositions where other < position && records[other].path == .controlPlane {
            guard records[other].nodes.overlaps(nodes) else { continue }
            records[other].driverGaveUp = true
            records[other].driverOffered = 0
            records[other].lifecycleOffered = 0
            if case .inProgress = records[other].status {
                records[other].status = .failed(
                    reason: "superseded by node-direct change \(id) at \(Int(seconds.rounded())) s with "
                        + "\(records[other].nodesDone) of \(records[other].nodes.count) nodes changed")
            }
            stopped.append(other)
        }
        return stopped
    }

    /// Nodes whose driver requests have all succeeded.
    private static func labelledNodes(_ record: ChangeRecord, parameters p: SimulationParameters) -> Int {
        let total = record.nodes.count
        guard p.driverRequestsPerNode > 0 else { return total }
        return min(total, Int((record.driverRequestsDone / p.driverRequestsPerNode + 1e-9).rounded(.down)))
    }

    /// Credits the step's successful ticket requests to the changes, in submission order, and changes their nodes.
    mutating func creditProgress(
        on cluster: inout ClusterModel, endSeconds: Double, parameters p: SimulationParameters
    ) {
        let driverClass = cluster.classes[BackgroundClass.driver.rawValue]
        let lifecycleClass = cluster.classes[BackgroundClass.podLifecycle.rawValue]
        let driverSuccess = driverClass.arrivals > 0 ? min(1, driverClass.completedOK / driverClass.arrivals) : 0
        let lifecycleSuccess =
            lifecycleClass.arrivals > 0 ? min(1, lifecycleClass.completedOK / lifecycleClass.arrivals) : 0
        cluster.classes[BackgroundClass.driver.rawValue].offeredByTickets = 0
        cluster.classes[BackgroundClass.podLifecycle.rawValue].offeredByTickets = 0
        var finished: [Int] = []
        for position in activePositions {
            var record = records[position]
            guard record.path == .controlPlane else { continue }
            let total = record.nodes.count
            record.driverRequestsDone += record.driverOffered * driverSuccess
            record.lifecycleRequestsDone += record.lifecycleOffered * lifecycleSuccess
            record.driverOffered = 0
            record.lifecycleOffered = 0
            let labelled = Self.labelledNodes(record, parameters: p)
            let changed =
                p.podLifecycleRequestsPerNode > 0
                ? min(
                    labelled, Int((record.lifecycleRequestsDone / p.podLifecycleRequestsPerNode + 1e-9).rounded(.down)))
                : labelled
            if changed > record.nodesDone {
                let lower = record.nodes.lowerBound
                cluster.setAgent(
                    nodes: (lower + record.nodesDone)..<(lower + changed),
                    slot: record.enable ? record.profileSlot : nil)
                record.nodesDone = changed
            }
            if case .inProgress = record.status {
                if record.nodesDone == total {
                    record.status = .succeeded
                } else if endSeconds >= record.deadlineAtSeconds - 1e-9 {
                    record.driverGaveUp = true
                    record.status = .failed(reason: Self.deadlineMissed(record, on: cluster))
                } else {
                    record.status = .inProgress(done: record.nodesDone, total: total)
                }
            }
            if record.nodesDone == total || (record.driverGaveUp && record.nodesDone >= labelled) {
                finished.append(position)
            }
            records[position] = record
        }
        if !finished.isEmpty { activePositions.removeAll { finished.contains($0) } }
    }

    /// Why `record` failed at its deadline, with the cluster's state then.
    private static func deadlineMissed(_ record: ChangeRecord, on cluster: ClusterModel) -> String {
        let truth = cluster.truth
        let deadline = Int((record.deadlineAtSeconds - record.submittedAtSeconds).rounded())
        let availability = Int((truth.availabilityNow * 100).rounded())
        return "deadline of \(deadline) s passed with \(record.nodesDone) of \(record.nodes.count) nodes changed "
            + "(apiserver availability \(availability) %, \(truth.apiserversUpNow) of "
            + "\(cluster.spec.apiserverCount) apiservers up)"
    }
}
