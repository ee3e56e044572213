import Foundation
import SluiceCore
import Testing

@Suite struct GateOnClusterTests {
    @Test(
        "Tracks and baselines are stored under gate|cluster, as statuses written before the typed key were"
    )
    func storedSpelling() throws {
        let stored =
            #"{"baselines":{"p99|eu-1":0.25},"gateTracks":{"dns|eu|1":{"failing":2,"since":30,"counted":true,"passing":0}}}"#
        struct Part: Codable, Equatable {
            var baselines: [GateOnCluster: Double]
            var gateTracks: [GateOnCluster: GateTrack]
        }
        let part = try JSONDecoder().decode(Part.self, from: Data(stored.utf8))
        #expect(part.baselines == [GateOnCluster(gate: "p99", cluster: "eu-1"): 0.25])
        // The cluster is what follows the last bar: a gate name may hold one, a Kubernetes name never does.
        #expect(part.gateTracks[GateOnCluster(gate: "dns|eu", cluster: "1")]?.failing == 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let written = String(decoding: try encoder.encode(part), as: UTF8.self)
        #expect(written.contains(#""p99|eu-1":0.25"#) && written.contains(#""dns|eu|1":{"#))
        #expect(try JSONDecoder().decode(Part.self, from: Data(written.utf8)) == part)
    }

    @Test("A key without a bar is refused when read, not taken as a gate on no cluster")
    func malformed() {
        #expect(GateOnCluster(storageKey: "nobar") == nil)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode([GateOnCluster: Double].self, from: Data(#"{"nobar":1}"#.utf8))
        }
    }
}
