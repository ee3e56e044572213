import Testing
@testable import FleetSimulator

/// The APF brake: a ninth priority level of the agent's own, `lendablePercent: 100`, `borrowingLimitPercent: 0`.
@Suite("APF brake")
struct APFBrakeTests {
    /// The brake Sluice sizes for 10 % of each apiserver's seats (`APFBrakeSpec`: floor(0.1 × 245 / 0.9) = 27 shares).
    static let tenPercent = APFBrake(nominalConcurrencyShares: 27)
    static let name = SimulationScenario.clusterName
    /// Signals carry relative noise of σ = 2 % bounded to ±3.5 σ.
    static let noiseBound = 1 + 3.5 * 0.02

    /// Lanes 0 (exempt) to 8 (the brake) of a division vector.
    static func lanes(_ vector: PoolLanes) -> [Double] {
        (0...APFSeatDivision.brakeLane).map { vector[$0] }
    }

    @Test("With 27 shares, 600 seats divide as kube-apiserver's formula says with a ninth level")
    func sharesAndDivision() {
        let brake = Self.tenPercent
        #expect(brake == APFBrake(nominalConcurrencyShares: 27, queues: 64, handSize: 6, queueLengthLimit: 50))

        // By hand: Σ shares = 245 + 27 = 272, nominal = ceil(600 × shares / 272): system 30 → 66.2 → 67,
        // node-high 40 → 88.2 → 89, leader-election 10 → 22.1 → 23, workload-high 89, workload-low 100 → 220.6 → 221,
        // global-default 20 → 44.1 → 45, catch-all 5 → 11.0 → 12, brake 27 → 59.6 → 60; 606 in all.
        let division = APFSeatDivision(serverSeats: 600, brake: brake)
        #expect(Self.lanes(division.nominalSeats) == [0, 67, 89, 23, 89, 221, 45, 12, 60])
        #expect(division.nominalTotal == 606)
        // Minimum = nominal − round(nominal × lendable %): system 67 − 22, node-high 89 − 22, workload-high 89 − 45
        // (44.5 rounds away from zero, as Go's math.Round), workload-low 221 − 199, global-default 45 − 23; the
        // brake lends all (100 %).
        #expect(Self.lanes(division.minimumSeats) == [0, 45, 67, 23, 44, 22, 22, 12, 0])
        // borrowingLimitPercent 0: the brake's limit never passes its nominal 60 seats, 10 % of 600.
        #expect(division.maximumSeats[APFSeatDivision.brakeLane] == 60)
        #expect(division.maximumSeats[APFSeatDivision.brakeLane] <= 0.1 * 600)
        // Max seats per request in the level: max(1, min(ceil(0.15 × 60), 60 / 6)) = 9, so a full pod LIST costs 9.
        #expect(division.brakeMaximumSeatsPerRequest(handSize: 6) == 9)

        // Every default level's nominal seats shrink against the eight-level division.
        let defaults = APFSeatDivision(serverSeats: 600)
        #expect(Self.lanes(defaults.nominalSeats) == [0, 74, 98, 25, 98, 245, 49, 13, 0])
        #expect(defaults.nominalTotal == 602)
        for lane in 1..<APFSeatDivision.brakeLane {
            #expect(division.nominalSeats[lane] < defaults.nominalSeats[lane])
        }
    }

    @Test("an idle brake lends all its seats: the other levels share the whole nominal total")
    func idleBrakeLendsEverything() throws {
        var scenario = SimulationScenario(nodes: 2_000, apiservers: 3, profile: nil, brake: Self.tenPercent)
        scenario.run(toSeconds: 60)
        let division = try #require(scenario.simulation.seatDivision(cluster: Self.name))
        #expect(division.currentSeats[APFSeatDivision.brakeLane] == 0)
        let others = (1..<APFSeatDivision.brakeLane).reduce(0.0) { $0 + division.currentSeats[$1] }
        #expect(abs(others - 606) < 1e-3, "the default levels hold \(others) seats")
        // The server's seats are what they were: the brake's level is one of its levels.
        #expect(scenario.simulation.signals(cluster: Self.name)[SimulatedSignal.apfSeatsLimit.rawValue] == 1_800)
        #expect(scenario.truth.degradedSeconds == 0)
    }

    @Test(
        "the December 2024 agent behind a 10 % brake: rejected and held in its own level; the cluster stays unharmed",
        arguments: [(7_500, 5), (5_000, 3)])
    func incidentAgentBehindBrake(nodes: Int, apiservers: Int) throws {
        var unbraked = SimulationScenario(nodes: nodes, apiservers: apiservers)
        unbraked.run(toSeconds: 1_800, sampleEverySeconds: 60)
        var braked = SimulationScenario(nodes: nodes, apiservers: apiservers, brake: Self.tenPercent)
        braked.run(toSeconds: 1_800)

        // Without the brake the cluster goes down, as the unguarded calibration shows.
        let without = unbraked.truth
        #expect(without.degradedSeconds > 1_500)
        #expect(without.apiserverOOMKills >= apiservers)
        #expect(without.dnsFailureSeconds > 1_000)
        #expect(without.peakMemoryUtilization > 1)

        // With it the agent runs on every node, almost all its calls get 429 in its own level, and it never holds
        // more than the brake's 60 seats per apiserver (6.7 LISTs of 9 seats).
        let with = braked.truth
        #expect(with.peakAgentNodes == nodes)
        #expect(with.agentRequestsRejected > 0.99 * with.agentRequests)
        let seats = try #require(braked.maximum(.agentAPISeats))
        #expect(seats <= 60 * Double(apiservers) * Self.noiseBound, "agent holds \(seats) seats")
        let settled = try #require(braked.mean(.agentAPISeats, from: 300))
        #expect(abs(settled / (60 * Double(apiservers)) - 1) < 0.02, "agent holds \(settled) seats on average")
        // The brake's 429s are real 429s of the apiservers: the cluster-wide 429 ratio shows them.
        #expect(try #require(braked.mean(.ratio429, from: 300)) > 0.2)

        // And nothing else is harmed: 6.7 executing 225k-pod LISTs hold 30 GB beside the 64 GB an apiserver of a
        // 7,500-node cluster holds anyway (of 128 GB), and their CPU stays within the cores.
        #expect(with.degradedSeconds == 0)
        #expect(with.downSeconds == 0)
        #expect(with.dnsFailureSeconds == 0)
        #expect(with.kubeletImpairedSeconds == 0)
        #expect(with.apiserverOOMKills == 0)
        #expect(with.peakMemoryUtilization < 0.75)
        #expect(with.peakCPUStretch == 1)
        #expect(with.minimumAvailability > 0.999)
        #expect(try #require(braked.maximum(.mutatingLatencyP99Seconds)) < 0.5)
    }

    @Test("the brake bounds seats, not memory: past 10,000 nodes its few LISTs still OOM the apiservers")
    func seatsDoNotBoundMemory() throws {
        // 11,000 nodes × 30 pods: an apiserver holds 92 GB for the cluster anyway, and each of the 6.7 LISTs the brake
        // admits per apiserver holds 6.6 GB more; 128 GB is passed although the agent keeps to its 60 seats.
        var scenario = SimulationScenario(nodes: 11_000, apiservers: 5, brake: Self.tenPercent)
        scenario.run(toSeconds: 600, sampleEverySeconds: 60)
        let truth = scenario.truth
        #expect(truth.peakMemoryUtilization > 1)
        #expect(truth.apiserverOOMKills >= 5)
        #expect(truth.degradedSeconds > 300)
        let seats = try #require(scenario.maximum(.agentAPISeats))
        #expect(seats <= 60 * 5 * Self.noiseBound, "agent holds \(seats) seats")
        // At 10,000 nodes it still holds, with 3 % of memory to spare.
        var smaller = SimulationScenario(nodes: 10_000, apiservers: 5, brake: Self.tenPercent)
        smaller.run(toSeconds: 600, sampleEverySeconds: 60)
        #expect(smaller.truth.apiserverOOMKills == 0)
        #expect(smaller.truth.degradedSeconds == 0)
        #expect(smaller.truth.peakMemoryUtilization > 0.95)
    }

    @Test("node-credential agents are not moved by the brake: they keep system's seats and can still do harm")
    func nodeCredentialAgentsNotMoved() throws {
        var serviceAccount = SimulationScenario(nodes: 2_000, apiservers: 1, brake: Self.tenPercent)
        serviceAccount.run(toSeconds: 600)
        var nodeCredentials = SimulationScenario(
            nodes: 2_000, apiservers: 1, profile: .listAllPodsWithNodeCredentials, brake: Self.tenPercent)
        nodeCredentials.run(toSeconds: 600)
        let held = try #require(serviceAccount.mean(.agentAPISeats, from: 300))
        let unheld = try #require(nodeCredentials.mean(.agentAPISeats, from: 300))
        #expect(held <= 60 * Self.noiseBound, "service-account agent holds \(held) seats")
        #expect(unheld > 300, "node-credential agent holds \(unheld) seats")
        // Next to the kubelets in `system` it slows them, brake or not.
        #expect(nodeCredentials.truth.degradedSeconds > 500)
        #expect(serviceAccount.truth.degradedSeconds == 0)

        var incident = SimulationScenario(
            nodes: 7_500, apiservers: 5, profile: .listAllPodsWithNodeCredentials, brake: Self.tenPercent)
        incident.run(toSeconds: 600, sampleEverySeconds: 60)
        #expect(incident.truth.apiserverOOMKills >= 5)
        #expect(incident.truth.downSeconds > 120)
    }

    @Test("installing or removing the brake is an API call: refused while every apiserver is down")
    func refusedWhileDown() throws {
        // A node-credential agent takes the cluster down even with the brake installed.
        var scenario = SimulationScenario(
            nodes: 7_500, apiservers: 5, profile: .listAllPodsWithNodeCredentials, brake: Self.tenPercent)
        var seconds = 0.0
        while scenario.truth.apiserversUpNow > 0 && seconds < 600 {
            seconds += 1
            scenario.simulation.advance(toSeconds: seconds)
        }
        try #require(scenario.truth.apiserversUpNow == 0)
        let division = try #require(scenario.simulation.seatDivision(cluster: Self.name))
        let removed = scenario.simulation.setAPFBrake(nil, cluster: Self.name)
        let replaced = scenario.simulation.setAPFBrake(APFBrake(nominalConcurrencyShares: 5), cluster: Self.name)
        #expect(!removed && !replaced)
        #expect(scenario.simulation.apfBrake(cluster: Self.name) == Self.tenPercent)
        #expect(scenario.simulation.seatDivision(cluster: Self.name) == division)
        let unknown = scenario.simulation.setAPFBrake(Self.tenPercent, cluster: "nope")
        #expect(!unknown)
        #expect(scenario.simulation.apfBrake(cluster: "nope") == nil)
    }

    @Test("removing the brake restores the default division and sends the agent back to workload-low")
    func removalRestoresDefaults() throws {
        var scenario = SimulationScenario(nodes: 2_000, apiservers: 1, brake: Self.tenPercent)
        scenario.run(toSeconds: 300)
        #expect(scenario.simulation.apfBrake(cluster: Self.name) == Self.tenPercent)
        // Installing the same brake again changes nothing.
        let before = scenario.simulation
        let again = scenario.simulation.setAPFBrake(Self.tenPercent, cluster: Self.name)
        #expect(again)
        #expect(scenario.simulation.seatDivision(cluster: Self.name) == before.seatDivision(cluster: Self.name))

        let removed = scenario.simulation.setAPFBrake(nil, cluster: Self.name)
        #expect(removed)
        #expect(scenario.simulation.apfBrake(cluster: Self.name) == nil)
        let division = try #require(scenario.simulation.seatDivision(cluster: Self.name))
        let defaults = APFSeatDivision(serverSeats: 600)
        #expect(division.nominalSeats == defaults.nominalSeats)
        #expect(division.minimumSeats == defaults.minimumSeats)
        #expect(division.maximumSeats == defaults.maximumSeats)
        #expect(division.nominalTotal == 602)
        scenario.run(toSeconds: 900)
        // workload-low's nominal 245 seats plus what the idle levels lend, as without a brake.
        let seats = try #require(scenario.mean(.agentAPISeats, from: 600))
        #expect(seats > 300 && seats <= 400, "agent holds \(seats) seats")
    }

    @Test("a brake installed while the agent runs takes its calls, queued and executing ones included")
    func installWhileRunning() throws {
        var scenario = SimulationScenario(nodes: 2_000, apiservers: 1)
        scenario.run(toSeconds: 300)
        #expect(try #require(scenario.mean(.agentAPISeats, from: 150)) > 300)
        let installed = scenario.simulation.setAPFBrake(Self.tenPercent, cluster: Self.name)
        #expect(installed)
        scenario.run(toSeconds: 600)
        #expect(try #require(scenario.maximum(.agentAPISeats, from: 360)) <= 60 * Self.noiseBound)
        #expect(scenario.truth.degradedSeconds == 0)
    }

    @Test("with APF off the brake's objects exist but change nothing")
    func apfOffChangesNothing() {
        var parameters = SimulationParameters.default
        parameters.apfEnabled = false
        var plain = SimulationScenario(nodes: 5_000, apiservers: 3, parameters: parameters)
        var braked = SimulationScenario(nodes: 5_000, apiservers: 3, brake: Self.tenPercent, parameters: parameters)
        plain.run(toSeconds: 600)
        braked.run(toSeconds: 600)
        #expect(braked.simulation.apfBrake(cluster: Self.name) == Self.tenPercent)
        #expect(braked.truth == plain.truth)
        #expect(braked.samples.map(\.signals) == plain.samples.map(\.signals))
    }

    @Test("a run with a brake is deterministic")
    func deterministic() {
        var first = SimulationScenario(nodes: 5_000, apiservers: 3, brake: Self.tenPercent, seed: 7)
        var second = SimulationScenario(nodes: 5_000, apiservers: 3, brake: Self.tenPercent, seed: 7)
        first.run(toSeconds: 600)
        second.run(toSeconds: 600)
        #expect(first.truth == second.truth)
        #expect(first.samples.map(\.signals) == second.samples.map(\.signals))
    }
}
