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
            message: "submitted agent-2.0 — 3 waves", prevHash: String(repeating: "ab", count: 32))
        #expect(hash == "fde72eec8bdba6df56afc063323d91617277dc02000562a2fa2990d4f82432a0")
    }
}
