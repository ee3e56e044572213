import Testing
@testable import SluiceStore

@Suite("The audit chain's row hash")
struct AuditHashTests {
    /// Rows already written keep verifying only if the hash never changes: SHA-256 over each field as `LENGTH:TEXT;`
    /// (UTF-8 byte length; the time as the hex of its bit pattern). The value was computed independently (Python's
    /// hashlib over the same bytes).
    @Test("is SHA-256 over the length-prefixed fields, byte for byte as rows were always hashed")
    func knownValue() {
        let hash = AuditChain.hash(
            id: 7, rollout: "agent-2.0", at: 12.5, actor: "alice", verb: "submitted",
            message: "submitted agent-2.0 — 3 waves", wallAt: nil, prevHash: String(repeating: "ab", count: 32))
        #expect(hash == "fde72eec8bdba6df56afc063323d91617277dc02000562a2fa2990d4f82432a0")
    }

    /// Rows since v7 also cover their wall time, after the message, in the same form as the controller time.
    @Test("covers the wall time of rows that have one, so that the time people read is tamper-evident too")
    func knownValueWithWallTime() {
        let hash = AuditChain.hash(
            id: 7, rollout: "agent-2.0", at: 12.5, actor: "alice", verb: "submitted",
            message: "submitted agent-2.0 — 3 waves", wallAt: 1_800_000_000.5,
            prevHash: String(repeating: "ab", count: 32))
        #expect(hash == "681fad86f24ddcbd5f6023beeb4bbfcec3a549824a7917df765e9af7a05a5e97")
    }
}
