import Foundation
import GatehouseCore
import GatehouseLedger
import Synchronization

/// A ledger that fails its next commits on demand (a full disk, a locked file) and otherwise
/// forwards to a real one.
public final class FlakyLedger: Ledger {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "disk I/O error (injected)" }
    }

    fileprivate let ledger: any Ledger
    private let failures = Mutex(0)

    public init(_ ledger: any Ledger) {
        self.ledger = ledger
    }

    /// The next `count` commits throw.
    public func failNextCommits(_ count: Int) {
        failures.withLock { $0 += count }
    }

    private let stalled = Mutex(false)

    /// While set, the writer does not answer: `ping` waits (a wedged disk, a lock held forever).
    public func stallWriter(_ stall: Bool) {
        stalled.withLock { $0 = stall }
    }

    public func commit(_ intakes: [Intake]) async throws -> [Result<IntakeResult, any Error>] {
        let failing = intakes.map { _ in
            failures.withLock { count in
                defer { count = max(count - 1, 0) }
                return count > 0
            }
        }
        // The events that do not fail are still committed, together, as the real ledger would.
        var committed = try await ledger.commit(zip(intakes, failing).filter { !$0.1 }.map(\.0))[...]
        return failing.map { fails in
            if fails { return .failure(Failure()) }
            defer { committed = committed.dropFirst() }
            return committed.first!
        }
    }

    public func head(of destination: String) async throws -> OutboxJob? {
        try await ledger.head(of: destination)
    }

    public func lease(_ job: OutboxJob, until: Date) async throws -> OutboxJob {
        try await ledger.lease(job, until: until)
    }

    public func withdraw(_ target: WithdrawalTarget, by approver: String, reason: String, at time: Date) async throws -> Withdrawal {
        try await ledger.withdraw(target, by: approver, reason: reason, at: time)
    }

    public func recordDelivered(_ job: OutboxJob, nativeIDs: [String], note: String?, files: [FileDigest], at time: Date) async throws -> AuditRecord
    {
        try await ledger.recordDelivered(job, nativeIDs: nativeIDs, note: note, files: files, at: time)
    }

    public func pruneInbound(before cutoff: Date) async throws -> Int {
        try await ledger.pruneInbound(before: cutoff)
    }

    public func recordIgnored(platform: String, _ ignored: Refusals, at time: Date) async throws -> AuditRecord {
        try await ledger.recordIgnored(platform: platform, ignored, at: time)
    }

    public func recordCopyRecalled(
        platform: String,
        conversation: String,
        nativeID: String,
        event: String,
        by person: String,
        at time: Date
    ) async throws -> AuditRecord {
        try await ledger.recordCopyRecalled(platform: platform, conversation: conversation, nativeID: nativeID, event: event, by: person, at: time)
    }

    public func ticket(
        platform: String,
        chat: String,
        customer: Envelope.Sender,
        message: String,
        connection: String?,
        at time: Date
    ) async throws
        -> TicketOpening
    {
        try await ledger.ticket(platform: platform, chat: chat, customer: customer, message: message, connection: connection, at: time)
    }

    public func ticket(_ number: Int64) async throws -> Ticket? {
        try await ledger.ticket(number)
    }

    public func tickets(in state: Ticket.State?, limit: Int) async throws -> [Ticket] {
        try await ledger.tickets(in: state, limit: limit)
    }

    public func openTicketCount() async throws -> Int {
        try await ledger.openTicketCount()
    }

    public func answered(_ number: Int64, at time: Date) async throws {
        try await ledger.answered(number, at: time)
    }

    public func move(_ number: Int64, to state: Ticket.State, by person: String, at time: Date) async throws -> Ticket? {
        try await ledger.move(number, to: state, by: person, at: time)
    }

    public func conversation(of ticket: Int64) async throws -> [TicketEntry] {
        try await ledger.conversation(of: ticket)
    }

    public func take(_ number: Int64, by staff: String, name: String, at time: Date) async throws -> Ticket? {
        try await ledger.take(number, by: staff, name: name, at: time)
    }

    public func release(by staff: String, at time: Date) async throws -> Ticket? {
        try await ledger.release(by: staff, at: time)
    }

    public func taken(by staff: String) async throws -> Ticket? {
        try await ledger.taken(by: staff)
    }

    public func eraseSubject(_ subject: Subject, by approver: String, reason: String, at time: Date) async throws -> [AuditRecord] {
        try await ledger.eraseSubject(subject, by: approver, reason: reason, at: time)
    }

    public func recordRefusals(platform: String, _ refusals: Refusals, at time: Date) async throws -> AuditRecord {
        try await ledger.recordRefusals(platform: platform, refusals, at: time)
    }

    public func recordProgress(_ job: OutboxJob, nativeIDs: [String]) async throws {
        try await ledger.recordProgress(job, nativeIDs: nativeIDs)
    }

    public func recordDeferred(_ job: OutboxJob, reason: String, retryAt: Date, at time: Date) async throws -> AuditRecord {
        try await ledger.recordDeferred(job, reason: reason, retryAt: retryAt, at: time)
    }

    public func recordDead(_ job: OutboxJob, reason: String, at time: Date) async throws -> AuditRecord {
        try await ledger.recordDead(job, reason: reason, at: time)
    }

    public func cancelJobs(
        outside lanes: Set<Lane>,
        inflight: Bool,
        destination: String?,
        createdBefore: Date?,
        reason: String,
        at time: Date
    ) async throws -> [AuditRecord] {
        try await ledger.cancelJobs(
            outside: lanes,
            inflight: inflight,
            destination: destination,
            createdBefore: createdBefore,
            reason: reason,
            at: time
        )
    }

    public func eraseContent(before cutoff: Date, reason: String, at time: Date, limit: Int) async throws -> [AuditRecord] {
        try await ledger.eraseContent(before: cutoff, reason: reason, at: time, limit: limit)
    }

    public func cursor(for platform: String) async throws -> String? {
        try await ledger.cursor(for: platform)
    }

    public func saveCursor(_ value: String, for platform: String) async throws {
        try await ledger.saveCursor(value, for: platform)
    }

    public func records(from sequence: Int64, limit: Int) async throws -> [AuditRecord] {
        try await ledger.records(from: sequence, limit: limit)
    }

    public func jobs(in state: OutboxJob.State, limit: Int) async throws -> [OutboxJob] {
        try await ledger.jobs(in: state, limit: limit)
    }

    public func nativeIDs(platform: String, conversation: String, message: String, destination: String) async throws -> [String] {
        try await ledger.nativeIDs(platform: platform, conversation: conversation, message: message, destination: destination)
    }

    public func recordConfigLoaded(
        revision: String,
        file: String,
        sources: [ConfigSource],
        by actor: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        try await ledger.recordConfigLoaded(revision: revision, file: file, sources: sources, by: actor, at: time)
    }

    public func recordConfigRefused(
        problems: [String],
        serving revision: String,
        by actor: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        try await ledger.recordConfigRefused(problems: problems, serving: revision, by: actor, at: time)
    }

    public func recordConsoleAccess(_ what: String, by who: ReviewerIdentity?, at time: Date) async throws -> AuditRecord {
        try await ledger.recordConsoleAccess(what, by: who, at: time)
    }

    public func auditSizes() async throws -> (records: Int, checkpointed: Int) {
        try await ledger.auditSizes()
    }

    public func checkpoint(origin: String, signer: NoteSigner, at time: Date) async throws -> (checkpoint: Checkpoint, note: String)? {
        try await ledger.checkpoint(origin: origin, signer: signer, at: time)
    }

    public func decideDead(_ job: OutboxJob, retry: Bool, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await ledger.decideDead(job, retry: retry, by: approver, reason: reason, at: time)
    }

    public func releaseScheduled(until time: Date) async throws -> Set<String> {
        try await ledger.releaseScheduled(until: time)
    }

    public func nextScheduled() async throws -> Date? {
        try await ledger.nextScheduled()
    }

    public func cancelScheduled(_ job: OutboxJob, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await ledger.cancelScheduled(job, by: approver, reason: reason, at: time)
    }

    public func job(id: Int64) async throws -> OutboxJob? {
        try await ledger.job(id: id)
    }

    public func depths() async throws -> [String: [OutboxJob.State: Int]] {
        try await ledger.depths()
    }

    public func summary(finished: Bool) async throws -> LedgerSummary {
        try await ledger.summary(finished: finished)
    }

    public func ping() async throws {
        while stalled.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await ledger.ping()
    }
}

extension FlakyLedger {
    public func unopenedHolds(limit: Int) async throws -> [OutboxJob] {
        try await ledger.unopenedHolds(limit: limit)
    }

    public func openReview(
        _ job: OutboxJob,
        card: String?,
        to recipients: [String],
        needed: Int,
        deadline: Date?,
        audited: Bool,
        at time: Date
    ) async throws -> AuditRecord? {
        try await ledger.openReview(job, card: card, to: recipients, needed: needed, deadline: deadline, audited: audited, at: time)
    }

    public func claimNonce(platform: String, nonce: String, at time: Date) async throws -> Bool {
        try await ledger.claimNonce(platform: platform, nonce: nonce, at: time)
    }

    public func cardDelivered(job: Int64) async throws {
        try await ledger.cardDelivered(job: job)
    }

    public func openReviews(after job: Int64, limit: Int) async throws -> [HoldReview] {
        try await ledger.openReviews(after: job, limit: limit)
    }

    public func review(job: Int64) async throws -> HoldReview? {
        try await ledger.review(job: job)
    }

    public func review(card: String) async throws -> HoldReview? {
        try await ledger.review(card: card)
    }

    public func vote(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        approve: Bool,
        reason: String,
        needed: Int,
        at time: Date
    ) async throws
        -> Vote.Outcome
    {
        try await ledger.vote(job, by: reviewer, approve: approve, reason: reason, needed: needed, at: time)
    }

    public func refuseDecision(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        because why: String,
        card: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        try await ledger.refuseDecision(job, by: reviewer, because: why, card: card, at: time)
    }

    public func expire(_ review: HoldReview, at time: Date) async throws -> AuditRecord? {
        try await ledger.expire(review, at: time)
    }

    public func escalate(
        _ review: HoldReview,
        card: String?,
        to recipients: [String],
        deadline: Date,
        at time: Date
    ) async throws
        -> AuditRecord?
    {
        try await ledger.escalate(review, card: card, to: recipients, deadline: deadline, at: time)
    }

    public func remind(_ review: HoldReview, at time: Date) async throws -> AuditRecord? {
        try await ledger.remind(review, at: time)
    }

    public func decidedHolds(limit: Int) async throws -> [HoldReview] {
        try await ledger.decidedHolds(limit: limit)
    }
}
