/// Why a benchmark could not measure what it set out to.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
