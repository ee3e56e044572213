import SluiceCore
import Testing

@Suite("Counts and node ranges in plain words")
struct CountTextTests {
    @Test("A count names its noun in the singular or the plural")
    func counts() {
        #expect(counted(1, "node") == "1 node")
        #expect(counted(5, "node") == "5 nodes")
        #expect(counted(0, "cluster") == "0 clusters")
        #expect(counted(2, "query", "queries") == "2 queries")
    }

    @Test("Node indices read from 1 and inclusive, never as a Swift range")
    func nodeRanges() {
        #expect(nodesText(0..<1) == "node 1")
        #expect(nodesText(6..<60) == "nodes 7–60")
        #expect(nodesText(1..<4) == "nodes 2–4")
    }
}
