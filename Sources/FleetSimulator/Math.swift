#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// e^x from the C library (the model needs no Foundation).
@inline(__always)
func _exp(_ value: Double) -> Double {
    exp(value)
}

/// ln x from the C library.
@inline(__always)
func _log(_ value: Double) -> Double {
    log(value)
}
