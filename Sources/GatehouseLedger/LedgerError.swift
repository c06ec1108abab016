/// A ledger failure that is not the database's own.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    private enum Code: String {
        case unknownJob = "unknown_job"
        case notHeld = "not_held"
        case notDead = "not_dead"
        case notScheduled = "not_scheduled"
        case contentErased = "content_erased"
        case notACrossing = "not_a_crossing"
        case unknownMessage = "unknown_message"
        case corrupt
        case missing
        case readOnly = "read_only"
        case notLeader = "not_leader"
        case unreachable
    }

    private let code: Code
    public let detail: String

    public var shortDescription: String { code.rawValue }
    /// Whether it says this instance lost the ledger's lease (``notLeader(_:)``).
    public var isNotLeader: Bool { code == .notLeader }
    public var description: String { "\(code.rawValue): \(detail)" }

    static func unknownJob(_ id: Int64) -> Self { Self(code: .unknownJob, detail: "no outbox job \(id)") }
    static func notHeld(_ id: Int64) -> Self { Self(code: .notHeld, detail: "outbox job \(id) is not held (decided already, or never held)") }
    static func notScheduled(_ id: Int64) -> Self {
        Self(code: .notScheduled, detail: "outbox job \(id) is not scheduled (sent or cancelled already, or never scheduled)")
    }
    static func notDead(_ id: Int64) -> Self {
        Self(code: .notDead, detail: "outbox job \(id) is not dead-lettered (decided already, or never dead)")
    }
    static func contentErased(_ id: Int64) -> Self {
        Self(code: .contentErased, detail: "outbox job \(id)'s content has expired (keep_content): there is nothing left to send")
    }
    static func notACrossing(_ sequence: Int64) -> Self {
        Self(code: .notACrossing, detail: "audit record \(sequence) is not a crossing")
    }
    static func unknownMessage(_ message: String) -> Self {
        Self(code: .unknownMessage, detail: "no delivery was ever queued for message \(message)")
    }
    static func corrupt(_ detail: String) -> Self { Self(code: .corrupt, detail: detail) }
    static func missing(_ detail: String) -> Self { Self(code: .missing, detail: detail) }
    static var readOnly: Self { Self(code: .readOnly, detail: "the ledger was opened for reading only") }
    /// This instance's lease on the ledger has lapsed (another instance took over, or the database
    /// was out of reach for longer than the lease): it must not write.
    public static func notLeader(_ detail: String) -> Self { Self(code: .notLeader, detail: detail) }
    static func unreachable(_ detail: String) -> Self { Self(code: .unreachable, detail: detail) }
}
