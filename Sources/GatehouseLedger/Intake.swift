import Foundation
import GatehouseCore

/// Everything one inbound event decided, committed together in one transaction.
public struct Intake: Sendable {
    public var envelope: Envelope
    public var crossings: [Crossing]
    public var configRevision: String
    public var receivedAt: Date
    /// When each destination's delivery is due, for an announcement scheduled for later (by
    /// destination name); a destination not named here is sent to at once.
    public var schedule: [String: Date]
    /// The one-use token of the push that carried the event (``InboundEvent/nonce``): kept with
    /// the commit; an intake whose nonce was used before is refused as a replay.
    public var nonce: String?

    public init(
        envelope: Envelope,
        crossings: [Crossing],
        configRevision: String,
        receivedAt: Date,
        schedule: [String: Date] = [:],
        nonce: String? = nil
    ) {
        self.schedule = schedule
        self.nonce = nonce
        self.envelope = envelope
        self.crossings = crossings
        self.configRevision = configRevision
        self.receivedAt = receivedAt
    }
}

/// What committing an intake did.
public enum IntakeResult: Sendable, Hashable {
    /// The event was seen before (a redelivery); nothing was written.
    case duplicate
    /// The event's nonce was used by an earlier event: a replayed push; nothing was written.
    case replayed
    /// Written: the crossing records, and the outbox jobs for the verdicts that deliver.
    case committed(records: [AuditRecord], jobs: [OutboxJob])
}
