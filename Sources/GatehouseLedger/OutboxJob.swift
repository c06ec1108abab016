import Foundation
import GatehouseCore

/// One delivery owed to one destination, durable until delivered, dead-lettered or cancelled.
public struct OutboxJob: Sendable, Hashable {
    /// The queue states (Postfix-style: pending = incoming/active, deferred = waiting to retry).
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Waiting for its turn in the destination's queue.
        case pending
        /// Taken by the dispatcher and being sent, under a lease until `leasedUntil`. Found in this
        /// state after a crash, it may have been sent already: it is sent again (at least once).
        case inflight
        /// Failed transiently; not to be tried before `notBefore`.
        case deferred
        /// Its crossing's verdict was hold: waits for an approver, outside the queue.
        case held
        /// An announcement for a later time (`notBefore`): outside the queue until then, so that it
        /// holds up nothing sent to its destination meanwhile.
        case scheduled
        /// Done; its native ids are in the message map.
        case delivered
        /// Failed permanently (or for too long); audited.
        case dead
        /// Its destination left the config; audited, never attempted again.
        case cancelled
    }

    public var id: Int64
    /// The crossing record that created it.
    public var crossing: Int64
    /// The route that created it.
    public var route: String
    /// The destination channel's name.
    public var destination: String
    /// Post anew, or edit or delete what this origin message became at the destination.
    public var action: Envelope.Kind
    /// The exact text to send.
    public var text: String
    /// Its formatting, attachments and reply target.
    public var payload: Payload = Payload()
    /// Native ids of the parts earlier attempts delivered (a split message that failed halfway).
    public var deliveredParts: [String] = []
    public var state: State
    /// Attempts so far.
    public var attempts: Int
    public var notBefore: Date?
    /// While inflight: until when the dispatcher that leased it owns it.
    public var leasedUntil: Date?
    /// When its current round of attempts began: the decision, a scheduled job's due time, a
    /// late approval, or an operator's retry. `outbox.max_age` counts from here.
    public var createdAt: Date
    /// When its crossing was decided, whatever happened since: a job decided for a channel that
    /// a reload has since pointed elsewhere is never sent to the new place, however it was
    /// retried or approved.
    public var decidedAt: Date
    /// The origin message, for the message map.
    public var originPlatform: String
    public var originConversation: String
    public var originMessage: String

    /// A job as the ledger would hold it; the defaults are those of a post just decided.
    public init(
        id: Int64,
        crossing: Int64,
        route: String,
        destination: String,
        action: Envelope.Kind = .post,
        text: String,
        payload: Payload = Payload(),
        deliveredParts: [String] = [],
        state: State = .pending,
        attempts: Int = 0,
        notBefore: Date? = nil,
        leasedUntil: Date? = nil,
        createdAt: Date,
        decidedAt: Date? = nil,
        originPlatform: String,
        originConversation: String,
        originMessage: String
    ) {
        self.id = id
        self.crossing = crossing
        self.route = route
        self.destination = destination
        self.action = action
        self.text = text
        self.payload = payload
        self.deliveredParts = deliveredParts
        self.state = state
        self.attempts = attempts
        self.notBefore = notBefore
        self.leasedUntil = leasedUntil
        self.createdAt = createdAt
        self.decidedAt = decidedAt ?? createdAt
        self.originPlatform = originPlatform
        self.originConversation = originConversation
        self.originMessage = originMessage
    }

    /// A key that is the same on every retry of this job (DingTalk `msgUuid`).
    public var idempotencyKey: String { "gatehouse-job-\(id)" }
}
