/// The simulator's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014), seeded, used two ways.
///
/// - Sequentially, as a `RandomNumberGenerator` (for callers that want one seeded stream).
/// - Counter-based, through `value(seed:stream:counter:)`: the draw for (seed, stream, counter) is a pure function of
///   those three numbers. The model uses only this form, so a draw never depends on how many draws happened before:
///   signals can be computed in a non-mutating read, quiet clusters can be skipped, and clusters can be stepped in any
///   order, all without changing a single result.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The internal state; advances by the golden-ratio increment on every draw.
    public private(set) var state: UInt64

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of the 64 bits.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits determined only by (seed, stream, counter).
    @inline(__always)
    public static func value(seed: UInt64, stream: UInt64, counter: UInt64) -> UInt64 {
        mix(mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)) ^ (counter &* 0xD1B5_4A32_D192_ED03))
    }

    /// A uniform double in [0, 1) determined only by (seed, stream, counter).
    @inline(__always)
    public static func unit(seed: UInt64, stream: UInt64, counter: UInt64) -> Double {
        Double(value(seed: seed, stream: stream, counter: counter) >> 11) * 0x1.0p-53
    }

    /// An approximately standard-normal draw (sum of four uniforms, rescaled), bounded to ±3.47.
    ///
    /// Bounded on purpose: signal noise should look like measurement noise, never like a rare huge outlier that a
    /// gate would rightly trip on.
    @inline(__always)
    public static func gaussian(seed: UInt64, stream: UInt64, counter: UInt64) -> Double {
        let bits = value(seed: seed, stream: stream, counter: counter)
        let a = Double(bits & 0xFFFF)
        let b = Double((bits >> 16) & 0xFFFF)
        let c = Double((bits >> 32) & 0xFFFF)
        let d = Double(bits >> 48)
        // Each 16-bit part is uniform on [0, 65535]: mean 32767.5, variance ≈ 65536² / 12.
        let sum = (a + b + c + d) / 65536 - 2
        return sum * 1.7320508075688772  // sqrt(12 / 4)
    }
}
