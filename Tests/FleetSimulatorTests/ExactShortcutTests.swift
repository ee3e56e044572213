import Testing
@testable import FleetSimulator

/// The model's shortcuts give the values of the arithmetic they skip, bit for bit: the calibration tests and the
/// demo's output pin the numbers.
@Suite("Exact shortcuts")
struct ExactShortcutTests {
    /// Values around the shortcuts' edges: zeros of both signs, tiny and huge values, infinities, NaN.
    static let edgeValues: [Double] = [
        0, -0.0, 1e-12, 1e-9, 1e-8, 0.001, 0.0075, 0.03, 0.25, 0.75, 1, 1.5, 10, 11.1, 11.11, 11.2, 15, 59.9, 60, 1e6,
        .infinity, -.infinity, .nan, -1,
    ]

    /// A seeded stream of values spread over sixteen orders of magnitude.
    static func spreadValues(count: Int, seed: UInt64) -> [Double] {
        let scales: [Double] = [
            1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4, 1e5,
        ]
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            scales[Int(generator.next() % UInt64(scales.count))] * Double(generator.next() >> 11) * 0x1.0p-53
        }
    }

    /// Whether two results are the same bits (any NaN equals any NaN).
    static func same(_ first: Double, _ second: Double) -> Bool {
        first.bitPattern == second.bitPattern || (first.isNaN && second.isNaN)
    }

    @Test("the negligible-tail test gives the divided shareSlowerThan and meanHoldSeconds")
    func negligibleTail() {
        let values = Self.edgeValues + Self.spreadValues(count: 400, seed: 1)
        var differences: [String] = []
        for share in [0.25, 0.001, 0.0009, 0.5, 0.999, 1, 0, 2] {
            let shortcut = ServiceTimeTail(share: share)
            let divided = ServiceTimeTail(share: share, negligibleBeyond: .infinity)
            for remaining in values {
                for service in values {
                    let slower = ClusterModel.shareSlowerThan(
                        remaining, waitSeconds: 0, serviceSeconds: service, tail: shortcut)
                    let dividedSlower = ClusterModel.shareSlowerThan(
                        remaining, waitSeconds: 0, serviceSeconds: service, tail: divided)
                    let hold = ClusterModel.meanHoldSeconds(
                        serviceSeconds: service, remainingSeconds: remaining, tail: shortcut)
                    let dividedHold = ClusterModel.meanHoldSeconds(
                        serviceSeconds: service, remainingSeconds: remaining, tail: divided)
                    if !Self.same(slower, dividedSlower) || !Self.same(hold, dividedHold) {
                        differences.append("k \(shortcut.share), remaining \(remaining), service \(service)")
                    }
                }
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
    }

    @Test("PoolLanes.clamped gives SIMD.clamped's lanes, NaNs and signed zeros included")
    func clampedMatchesSIMD() {
        let values = Self.edgeValues + Self.spreadValues(count: 40, seed: 2)
        var generator = SplitMix64(seed: 3)
        func lanes() -> SIMD8<Double> {
            var vector = SIMD8<Double>()
            for lane in 0..<8 { vector[lane] = values[Int(generator.next() % UInt64(values.count))] }
            return vector
        }
        for _ in 0..<2_000 {
            let (value, lower, upper) = (lanes(), lanes(), lanes())
            var lanesValue = PoolLanes(repeating: 0)
            var lanesLower = PoolLanes(repeating: 0)
            var lanesUpper = PoolLanes(repeating: 0)
            for lane in 0..<8 {
                lanesValue[lane] = value[lane]
                lanesLower[lane] = lower[lane]
                lanesUpper[lane] = upper[lane]
            }
            let expected = value.clamped(lowerBound: lower, upperBound: upper)
            let clamped = lanesValue.clamped(lowerBound: lanesLower, upperBound: lanesUpper)
            #expect((0..<8).allSatisfy { clamped[$0].bitPattern == expected[$0].bitPattern })
        }
    }

    @Test("re-dividing the seats for the demand already divided for keeps them; another demand divides anew")
    func reallocationForTheSameDemand() {
        var demand = PoolLanes(repeating: 0)
        for lane in 1..<8 { demand[lane] = Double(lane * 37 % 90) }
        var repeated = APFSeatDivision(serverSeats: 600)
        repeated.reallocate(demandSeats: demand)
        let first = repeated.currentSeats
        repeated.reallocate(demandSeats: demand)
        #expect(repeated.currentSeats.hasSameBits(as: first))
        var other = demand
        other[5] += 200
        repeated.reallocate(demandSeats: other)
        var fresh = APFSeatDivision(serverSeats: 600)
        fresh.reallocate(demandSeats: other)
        #expect(repeated.currentSeats.hasSameBits(as: fresh.currentSeats))
        #expect(!repeated.currentSeats.hasSameBits(as: first))
    }
}
