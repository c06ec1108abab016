import Foundation
import GatehouseCore

/// Which audit records to read: every condition given must hold.
public struct AuditQuery: Sendable, Hashable {
    /// Records at or after this time.
    public var since: Date?
    /// Records before this time.
    public var until: Date?
    public var route: String?
    public var verdict: Verdict?
    /// A channel name, as source or destination.
    public var channel: String?

    public init(since: Date? = nil, until: Date? = nil, route: String? = nil, verdict: Verdict? = nil, channel: String? = nil) {
        self.since = since
        self.until = until
        self.route = route
        self.verdict = verdict
        self.channel = channel
    }

    func matches(_ record: AuditRecord) -> Bool {
        if let channel, record.destination != channel, record.origin?.channel != channel { return false }
        return true
    }
}

/// One audit record as stored: its exact leaf bytes (what the Merkle tree hashes), the decoded
/// record, and the content kept apart from it (nil once expired).
public struct StoredRecord: Sendable {
    public var leaf: Data
    public var record: AuditRecord
    /// The text as received, for a crossing record.
    public var received: String?
    /// The text as decided (rendered, masked), for a crossing record.
    public var decided: String?
    /// What each body carried besides its text (formatting, attachments, reply), as stored
    /// JSON: the commitments cover it with the text (``ContentKey/commitment(to:payload:)``).
    public var receivedPayload: String?
    public var decidedPayload: String?
}
