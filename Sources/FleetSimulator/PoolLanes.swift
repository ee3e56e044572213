/// One value per admission pool: the eight default APF levels in a `SIMD8` (lane `APFPriorityLevel.index`) and the
/// brake's level beside them (lane `PoolLanes.brakeLane`, 0 when no brake is installed). With APF off, lanes 0–2 are
/// the exempt, read-only and mutating pools.
///
/// A ninth lane does not fit `SIMD8`, and a `SIMD16` indexed by a variable makes the compiler spill all 16 lanes to
/// the stack on every access (and leaves its lane-wise operations unvectorized): the simulator ran 3× slower with one.
/// So the brake is a scalar next to the eight lanes. Sums add the eight lanes in order, then the brake's: without a
/// brake every result is bit-identical to the eight-lane model.
struct PoolLanes: Sendable, Equatable {
    /// Lanes in all: eight levels and the brake.
    static let count = 9
    /// The lane of the brake's level.
    static let brakeLane = 8

    /// Lanes 0–7.
    var levels: SIMD8<Double>
    /// Lane 8.
    var brake: Double

    /// Every lane `value`.
    init(repeating value: Double) {
        levels = SIMD8(repeating: value)
        brake = value
    }

    private init(levels: SIMD8<Double>, brake: Double) {
        self.levels = levels
        self.brake = brake
    }

    /// The lanes read from `count` values at `pointer`.
    @inline(__always)
    init(loading pointer: UnsafePointer<Double>) {
        levels = SIMD8(
            pointer[0], pointer[1], pointer[2], pointer[3], pointer[4], pointer[5], pointer[6], pointer[7])
        brake = pointer[Self.brakeLane]
    }

    /// Writes the lanes to `count` values at `pointer`, for loops that index them by a variable.
    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Double>) {
        for lane in 0..<Self.brakeLane { pointer[lane] = levels[lane] }
        pointer[Self.brakeLane] = brake
    }

    /// Lane `lane` (0...8).
    subscript(lane: Int) -> Double {
        @inline(__always) get { lane < Self.brakeLane ? levels[lane] : brake }
        @inline(__always) set {
            if lane < Self.brakeLane { levels[lane] = newValue } else { brake = newValue }
        }
    }

    /// Whether every lane holds the same bits as in `other` (unlike `==`, tells -0 from +0 and a NaN equals itself).
    @inline(__always)
    func hasSameBits(as other: PoolLanes) -> Bool {
        unsafeBitCast(levels, to: SIMD8<UInt64>.self) == unsafeBitCast(other.levels, to: SIMD8<UInt64>.self)
            && brake.bitPattern == other.brake.bitPattern
    }

    /// Whether some lane, the brake's included, is greater than `bound`.
    ///
    /// Lane by lane: `any(levels .> bound)` builds its mask one lane at a time through the stack.
    @inline(__always)
    func anyAbove(_ bound: Double) -> Bool {
        for lane in 0..<Self.brakeLane where levels[lane] > bound { return true }
        return brake > bound
    }

    /// The lanes added in order, as `SIMD.sum()` does.
    @inline(__always)
    func sum() -> Double {
        levels.sum() + brake
    }

    /// Each lane times `factor`.
    @inline(__always)
    func scaled(by factor: Double) -> PoolLanes {
        PoolLanes(levels: factor * levels, brake: factor * brake)
    }

    /// Each lane clamped to its lanes of `lowerBound` and `upperBound`: `minimum(upper, maximum(lower, value))` as
    /// `SIMD.clamped(lowerBound:upperBound:)` computes it, NaNs and signed zeros included, but with lane masks
    /// instead of a branch per lane (the standard library's `pointwiseMin` and `pointwiseMax` stayed calls with
    /// data-dependent branches, a tenth of the simulator's time in the seat division's bisection).
    @inline(__always)
    func clamped(lowerBound: PoolLanes, upperBound: PoolLanes) -> PoolLanes {
        // Double.maximum(lower, value) is lower when lower > value or value is NaN, else value.
        let raised = levels.replacing(with: lowerBound.levels, where: lowerBound.levels .> levels .| levels .!= levels)
        // Double.minimum(upper, raised) is upper when upper <= raised or raised is NaN, else raised.
        let limited = raised.replacing(
            with: upperBound.levels, where: upperBound.levels .<= raised .| raised .!= raised)
        return PoolLanes(
            levels: limited, brake: Double.minimum(upperBound.brake, Double.maximum(lowerBound.brake, brake)))
    }
}
