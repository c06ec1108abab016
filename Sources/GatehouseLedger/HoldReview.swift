import Foundation
import GatehouseCore

/// The review role: each held job's review (its card, the approvals it needs, its deadline) and
/// the reviewers' decisions, one per person, each audited with who they are.
public protocol ReviewLedger: Sendable {
    /// Held jobs whose review has not been opened yet, oldest first.
    func unopenedHolds(limit: Int) async throws -> [OutboxJob]

    /// Opens a held job's review: the card about to be sent (nil when there is nobody to send one
    /// to) and whom it goes to, how many approvals it needs, and its deadline. When `audited`
    /// (the route has reviewers), recorded as `review_opened`, before the card is sent. Returns
    /// nil when the job is no longer held, its review was opened already, or it is not audited.
    func openReview(
        _ job: OutboxJob,
        card: String?,
        to recipients: [String],
        needed: Int,
        deadline: Date?,
        audited: Bool,
        at time: Date
    ) async throws -> AuditRecord?

    /// Notes that a review's card reached the platform.
    func cardDelivered(job: Int64) async throws

    /// The reviews of jobs still held, oldest first, from the job after `job` (a page of them).
    func openReviews(after job: Int64, limit: Int) async throws -> [HoldReview]

    /// A review by its job, or by its card.
    func review(job: Int64) async throws -> HoldReview?
    func review(card: String) async throws -> HoldReview?

    /// Records one reviewer's decision on a held job, in one transaction: a rejection rejects
    /// it; an approval counts, and the `needed`-th distinct reviewer's approval releases it.
    /// A person who decided before is not counted again.
    func vote(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        approve: Bool,
        reason: String,
        needed: Int,
        at time: Date
    ) async throws
        -> Vote.Outcome

    /// Audits a decision that was refused (not a reviewer, the sender, too late): nothing changes.
    func refuseDecision(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        because why: String,
        card: String?,
        at time: Date
    ) async throws
        -> AuditRecord

    /// Rejects a hold whose deadline passed (`hold_expired`); nil when it is no longer held.
    func expire(_ review: HoldReview, at time: Date) async throws -> AuditRecord?

    /// Hands a hold whose deadline passed to its second list of reviewers (`hold_escalated`),
    /// with a new card for them and a new deadline; the first card still names the hold. Nil when
    /// it is no longer held or was escalated already.
    func escalate(_ review: HoldReview, card: String?, to recipients: [String], deadline: Date, at time: Date) async throws -> AuditRecord?

    /// Audits that a review's card was marked with a reminder (`hold_reminded`); nil when it is
    /// no longer held or was reminded already.
    func remind(_ review: HoldReview, at time: Date) async throws -> AuditRecord?

    /// Takes a one-use value of a signed card click (its signed time), for as long as the
    /// platform's dedup rows are kept: false when it was taken before (a replay, even across a
    /// restart).
    func claimNonce(platform: String, nonce: String, at time: Date) async throws -> Bool

    /// Decided holds, newest decision first, with their reviewers.
    func decidedHolds(limit: Int) async throws -> [HoldReview]
}

/// One held job's review.
public struct HoldReview: Sendable, Hashable {
    public var job: Int64
    public var crossing: Int64
    public var route: String
    public var destination: String
    /// The card's id (DingTalk's `outTrackId`); nil when no card was sent.
    public var card: String?
    /// The first reviewers' card, once the hold was escalated to a second list with its own.
    public var firstCard: String? = nil
    public var needed: Int
    public var deadline: Date?
    public var escalated: Bool
    public var reminded: Bool
    /// Whether the card reached the platform.
    public var delivered: Bool
    /// Whom the card went to (`staff:ID`, `group:CONVERSATION`).
    public var recipients: [String]
    /// When the job was held (its crossing was decided).
    public var heldSince: Date
    public var openedAt: Date
    public var decidedAt: Date?
    /// `approved`, `rejected` or `expired`, once decided.
    public var outcome: String?
    /// Every reviewer's decision, in order.
    public var votes: [Vote]

    public init(
        job: Int64,
        crossing: Int64,
        route: String,
        destination: String,
        card: String?,
        firstCard: String? = nil,
        needed: Int,
        deadline: Date?,
        escalated: Bool,
        reminded: Bool,
        delivered: Bool,
        recipients: [String],
        heldSince: Date,
        openedAt: Date,
        decidedAt: Date?,
        outcome: String?,
        votes: [Vote]
    ) {
        self.job = job
        self.crossing = crossing
        self.route = route
        self.destination = destination
        self.card = card
        self.firstCard = firstCard
        self.needed = needed
        self.deadline = deadline
        self.escalated = escalated
        self.reminded = reminded
        self.delivered = delivered
        self.recipients = recipients
        self.heldSince = heldSince
        self.openedAt = openedAt
        self.decidedAt = decidedAt
        self.outcome = outcome
        self.votes = votes
    }

    /// The approvals counted so far.
    public var approvals: Int { votes.filter(\.approve).count }
}

/// One reviewer's decision on a hold.
public struct Vote: Sendable, Hashable {
    public var reviewer: ReviewerIdentity
    public var approve: Bool
    public var reason: String
    public var time: Date

    public init(reviewer: ReviewerIdentity, approve: Bool, reason: String, time: Date) {
        self.reviewer = reviewer
        self.approve = approve
        self.reason = reason
        self.time = time
    }

    /// What a decision came to.
    public enum Outcome: Sendable, Hashable {
        /// An approval counted; the hold waits for more (`approvals` of `needed`).
        case counted(AuditRecord, approvals: Int, needed: Int)
        /// The hold was released to its queue.
        case approved(AuditRecord)
        /// The hold was rejected: never delivered.
        case rejected(AuditRecord)
        /// This person decided on it before; nothing was written.
        case alreadyDecided(approve: Bool)
        /// It is no longer held (decided or cancelled meanwhile); nothing was written.
        case notHeld
        /// Its deadline passed (it is being rejected or escalated); nothing was written.
        case pastDeadline

        /// The record written, if any.
        public var record: AuditRecord? {
            switch self {
            case .counted(let record, _, _), .approved(let record), .rejected(let record): record
            case .alreadyDecided, .notHeld, .pastDeadline: nil
            }
        }
    }

    /// The key that makes one person one vote: their platform's kind and id.
    static func person(_ reviewer: ReviewerIdentity) -> String {
        "\(reviewer.via.rawValue):\(reviewer.id)"
    }
}
