extension Sequence<UInt8> {
    /// The bytes as lowercase hexadecimal, two digits each (how SHA-256 digests are written and compared).
    ///
    /// Inlinable so that it is specialised where it is used: `events --verify` writes a million digests.
    @inlinable
    public var hexDigits: String {
        let bytes = Array(self)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            let digits: StaticString = "0123456789abcdef"
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = digits.utf8Start[Int(byte >> 4)]
                text[2 * index + 1] = digits.utf8Start[Int(byte & 0x0f)]
            }
            return bytes.count * 2
        }
    }
}
