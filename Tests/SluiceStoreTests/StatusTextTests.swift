import Foundation
import SluiceCore
import Testing

@testable import SluiceStore

/// The status text put together from cached parts is the text `Codec.encode` writes, byte for byte.
@Suite struct StatusTextTests {
    /// A status of `clusters` clusters, some of them started, with baselines, cost samples and gate tracks whose keys
    /// sort differently by UTF-8 than by case-insensitive or numeric comparison.
    static func status(clusters: Int) throws -> RolloutStatus {
        var status = RolloutStatus(spec: try Fixtures.spec(), now: 0)
        let names = (0..<clusters).map { $0 % 3 == 0 ? "Zeta-\($0)" : $0 % 3 == 1 ? "alpha-\($0)" : "b\($0)" }
        status.clusters = names.enumerated().map { index, name in
            var progress = ClusterProgress(cluster: name, wave: index % 2, totalBatches: 4)
            if index % 4 == 0 {
                progress.state = .baking
                progress.appliedBatches = 2
                progress.bakeUntil = 1234.5
                progress.inFlight = "apply/\(name)/2"
            }
            return progress
        }
        for (index, name) in names.enumerated() {
            status.baselines[GateOnCluster(gate: index % 2 == 0 ? "latency" : "Errors", cluster: name)] =
                0.1 * Double(index)
            status.costSamples[name] = CostSample(pods: Double(index * 30), costPerNode: 1.0 / Double(index + 3))
        }
        status.gateTracks[GateOnCluster(gate: "latency", cluster: names[0])] = GateTrack(failing: 2, since: 90)
        status.message = #"halted by gate "x": "clusters":[] and "baselines":{} / \ é"#
        return status
    }

    @Test("Each status of a changing rollout is written as Codec.encode writes it")
    func sameTextAsCodec() throws {
        let store = try SluiceStore()
        var status = try Self.status(clusters: 12)
        var steps: [(String, (inout RolloutStatus) -> Void)] = [
            ("unchanged", { _ in }),
            ("one cluster moves on", { $0.clusters[3].state = .done }),
            ("a cost sample changes", { $0.costSamples["b2"]?.costPerNode = 0.75 }),
            ("a baseline is added", { $0.baselines[GateOnCluster(gate: "latency", cluster: "(fleet)")] = 3 }),
            ("a gate track clears", { $0.gateTracks = [:] }),
            ("a cost sample goes", { $0.costSamples["Zeta-0"] = nil }),
            ("a cluster goes", { $0.clusters.removeLast() }),
            (
                "the phase and time change",
                {
                    $0.phase = .halted
                    $0.updatedAt = 99.25
                }
            ),
        ]
        steps.append(("everything at once", { $0 = try! Self.status(clusters: 5) }))
        var parts = StatusParts()
        for (step, change) in steps {
            change(&status)
            #expect(try store.encodedStatus(status, rollout: "r") == Codec.encode(status), "\(step)")
            // Put together from its parts, not encoded whole for want of an unambiguous splice.
            #expect(try parts.splicedText(of: status) == Codec.encode(status), "\(step)")
        }
    }

    @Test("Two rollouts keep their parts apart")
    func rolloutsApart() throws {
        let store = try SluiceStore()
        let big = try Self.status(clusters: 9)
        let small = try Self.status(clusters: 2)
        for _ in 0..<2 {
            #expect(try store.encodedStatus(big, rollout: "big") == Codec.encode(big))
            #expect(try store.encodedStatus(small, rollout: "small") == Codec.encode(small))
        }
    }
}
