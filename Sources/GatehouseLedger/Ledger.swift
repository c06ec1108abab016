import Crypto
import Foundation
import GatehouseCore

/// The durable store: inbound dedup, the audit log, the outbox and the message map, in four
/// roles a backend implements one by one (``IntakeLedger``, ``OutboxLedger``, ``AuditLedger``,
/// ``ReadableLedger``); the services each take the role they use.
///
/// Each method is one transaction, so every cross-row invariant (an audit record for each crossing
/// and each outcome, a job only with its crossing record) holds after a crash at any point.
public protocol Ledger: IntakeLedger, OutboxLedger, AuditLedger, ReadableLedger, DeskLedger, ReviewLedger {
    /// A round trip through the ledger's writer, the path every decision takes: it returns only
    /// when the writer is taking work (a watchdog's proof of life).
    func ping() async throws
}

/// The intake role: inbound events committed with their crossings and jobs, exactly once per
/// event, and the platforms' cursors (``CursorStore``) kept with them.
public protocol IntakeLedger: CursorStore {
    /// Records inbound events' crossings and queues their deliveries, in order, skipping each event
    /// whose `(platform, eventID)` was committed before.
    ///
    /// The events may share one transaction with each other and with other callers' (group
    /// commit: one fsync for many events under load, none waited for when alone); each event is
    /// still all-or-nothing. The result at index i is event i's: an event that could not be
    /// written fails alone. The method throws when nothing was written (the transaction failed).
    func commit(_ intakes: [Intake]) async throws -> [Result<IntakeResult, any Error>]

    /// Forgets the inbound events (and push nonces) received before `cutoff`: no platform will
    /// deliver them again. Returns how many were forgotten.
    func pruneInbound(before cutoff: Date) async throws -> Int
}

/// The outbox role: each job from the head of its destination's queue to its outcome (delivered,
/// deferred, dead or cancelled, each audited), the operators' decisions on held, dead and
/// scheduled jobs, and the message map the deliveries fill.
public protocol OutboxLedger: Sendable {
    /// The oldest undelivered job of a destination's queue (pending, inflight or deferred), if
    /// any. Later jobs wait behind it, so each destination receives in order. An inflight head
    /// was being sent when the previous run stopped.
    func head(of destination: String) async throws -> OutboxJob?

    /// Marks a queued job inflight, leased to this dispatcher until `until`, before it is sent.
    func lease(_ job: OutboxJob, until: Date) async throws -> OutboxJob

    /// Marks a job delivered, maps its native ids, and audits the outcome.
    /// `note` says, in the audit record, how it was done when not as asked (a withdrawn copy);
    /// `files` are the files it carried, which the record commits to (``AuditRecord/FileCommitment``).
    func recordDelivered(_ job: OutboxJob, nativeIDs: [String], note: String?, files: [FileDigest], at time: Date) async throws -> AuditRecord

    /// Remembers the native ids of the parts of an inflight job delivered so far, so that a retry
    /// resumes after them. The outcome records (delivered, deferred, dead) list them.
    func recordProgress(_ job: OutboxJob, nativeIDs: [String]) async throws

    /// Defers a job until `retryAt` after a transient failure, and audits the attempt (with the
    /// parts delivered so far).
    func recordDeferred(_ job: OutboxJob, reason: String, retryAt: Date, at time: Date) async throws -> AuditRecord

    /// Dead-letters a job and audits why.
    func recordDead(_ job: OutboxJob, reason: String, at time: Date) async throws -> AuditRecord

    /// Cancels, each with its audit record, the jobs of (route, destination) lanes a config no
    /// longer has: pending, deferred and held ones, and inflight ones too when `inflight` (at
    /// start, when nothing is being sent; during a reload the send in hand finishes first).
    /// Limited to one `destination` when given (its worker, the only one sending its jobs, may
    /// then cancel even the job it has in flight).
    /// Only jobs queued before `createdBefore` when given (those decided for a channel that has
    /// since changed).
    func cancelJobs(
        outside lanes: Set<Lane>,
        inflight: Bool,
        destination: String?,
        createdBefore: Date?,
        reason: String,
        at time: Date
    ) async throws -> [AuditRecord]

    /// The native ids a message became at a destination, in part order.
    func nativeIDs(platform: String, conversation: String, message: String, destination: String) async throws -> [String]

    /// Decides a dead-lettered job, in `approver`'s name, with its audit record: back to its
    /// queue for another round of attempts (its age counted from now), or closed for good.
    func decideDead(_ job: OutboxJob, retry: Bool, by approver: String, reason: String, at time: Date) async throws -> AuditRecord

    /// Moves the scheduled jobs due by `time` into their queues; returns their destinations.
    func releaseScheduled(until time: Date) async throws -> Set<String>

    /// When the next scheduled job is due; nil when none is scheduled.
    func nextScheduled() async throws -> Date?

    /// Cancels a scheduled job before its time, audited as a cancelled delivery with the operator
    /// and their reason. Throws when the job is not scheduled (any more).
    func cancelScheduled(_ job: OutboxJob, by approver: String, reason: String, at time: Date) async throws -> AuditRecord

    /// Takes back every copy of a message, in `approver`'s name: its deliveries not yet made are
    /// cancelled, and each destination with a copy gets a delete job and a `withdrawn` record.
    /// The message is the one a crossing record was made for, or an origin message.
    func withdraw(_ target: WithdrawalTarget, by approver: String, reason: String, at time: Date) async throws -> Withdrawal
}

/// Which message a withdrawal takes back.
public enum WithdrawalTarget: Sendable, Hashable {
    /// The message of this crossing record (any of its crossings).
    case crossing(Int64)
    /// A message by its origin: the platform's config name, the native conversation and message id.
    case message(platform: String, conversation: String, message: String)
}

/// The audit role: the records that are neither crossings nor deliveries (refusals, config
/// loads, erasures), and the checkpoints that sign the log.
public protocol AuditLedger: Sendable {
    /// Audits the pushes a platform's hook refused in an interval (forged, stale, replayed,
    /// malformed, over a limit), summed up in one record.
    func recordRefusals(platform: String, _ refusals: Refusals, at time: Date) async throws -> AuditRecord

    /// Audits the messages intake ignored in an interval (service messages of routed chats; with
    /// `audit.record_unrouted`, messages from chats no channel names), summed up in one record.
    func recordIgnored(platform: String, _ ignored: Refusals, at time: Date) async throws -> AuditRecord

    /// Audits a platform's report that a copy Gatehouse sent was recalled there (DingTalk's
    /// `robot_msg_recall`): which copy (its native id; the destination and crossing it was, when
    /// the message map knows it), the report's event id, and who recalled it.
    func recordCopyRecalled(
        platform: String,
        conversation: String,
        nativeID: String,
        event: String,
        by person: String,
        at time: Date
    ) async throws -> AuditRecord

    /// Audits that decisions from now on follow the config with this revision, and who put it in
    /// force when that is known (a reload through the admin socket); keeps the revision's files
    /// (`sources`, secrets masked) the first time it is loaded, for the console to show and compare.
    func recordConfigLoaded(revision: String, file: String, sources: [ConfigSource], by actor: String?, at time: Date) async throws -> AuditRecord

    /// Audits a use of the web console the log keeps: a sign-in (refused or not), a sign-out, an
    /// export; `who` as the sign-in named them, when it did.
    func recordConsoleAccess(_ what: String, by who: ReviewerIdentity?, at time: Date) async throws -> AuditRecord

    /// Audits a refused reload: its problems, the revision that kept serving, and who asked when
    /// that is known.
    func recordConfigRefused(problems: [String], serving revision: String, by actor: String?, at time: Date) async throws -> AuditRecord

    /// How many records the log holds, and how many the newest checkpoint covers.
    func auditSizes() async throws -> (records: Int, checkpointed: Int)

    /// Signs and stores a checkpoint of the log as it is now; nil when it has not grown since the last.
    func checkpoint(origin: String, signer: NoteSigner, at time: Date) async throws -> (checkpoint: Checkpoint, note: String)?

    /// Erases the content (bodies as received and as decided) of up to `limit` crossings recorded
    /// before `cutoff`, oldest first, auditing each erasure; the leaves keep their commitments, so
    /// the log still verifies. Content a queued job still has to send is kept until the job ends.
    func eraseContent(before cutoff: Date, reason: String, at time: Date, limit: Int) async throws -> [AuditRecord]
}

/// The reading role: the log, the jobs and the queues as they are now, for the admin API, the
/// status line and the metrics.
public protocol ReadableLedger: Sendable {
    /// Audit records in sequence order, starting at `sequence`.
    func records(from sequence: Int64, limit: Int) async throws -> [AuditRecord]

    /// Jobs in a state, oldest first.
    func jobs(in state: OutboxJob.State, limit: Int) async throws -> [OutboxJob]

    /// One job, by id.
    func job(id: Int64) async throws -> OutboxJob?

    /// Jobs not yet concluded (pending, inflight, deferred, held, dead), counted per destination
    /// and state.
    func depths() async throws -> [String: [OutboxJob.State: Int]]

    /// What the ledger holds now, for status lines and metrics; without `finished`, the jobs
    /// delivered or cancelled are not counted (they are most of the outbox, and counting them
    /// reads all of it).
    func summary(finished: Bool) async throws -> LedgerSummary
}

extension ReadableLedger {
    /// What the ledger holds now, every job counted (see ``summary(finished:)``).
    public func summary() async throws -> LedgerSummary {
        try await summary(finished: true)
    }
}

/// A route's way to one destination: what an outbox job is queued on.
public struct Lane: Sendable, Hashable {
    public var route: String
    public var destination: String

    public init(route: String, destination: String) {
        self.route = route
        self.destination = destination
    }
}

/// What the ledger holds at one moment.
public struct LedgerSummary: Sendable, Hashable {
    /// Outbox jobs by state (states without jobs are absent).
    public var outbox: [OutboxJob.State: Int]
    /// Records in the audit log.
    public var records: Int
    /// Records the newest checkpoint covers.
    public var checkpointed: Int
    /// When the newest checkpoint was signed.
    public var lastCheckpoint: Date?

    public init(outbox: [OutboxJob.State: Int], records: Int, checkpointed: Int, lastCheckpoint: Date?) {
        self.outbox = outbox
        self.records = records
        self.checkpointed = checkpointed
        self.lastCheckpoint = lastCheckpoint
    }

    /// Jobs waiting to be sent or being sent: pending, inflight and deferred.
    public var queued: Int { (outbox[.pending] ?? 0) + (outbox[.inflight] ?? 0) + (outbox[.deferred] ?? 0) }
}

extension OutboxLedger {
    /// Records a delivery that carried no file.
    public func recordDelivered(_ job: OutboxJob, nativeIDs: [String], note: String?, at time: Date) async throws -> AuditRecord {
        try await recordDelivered(job, nativeIDs: nativeIDs, note: note, files: [], at: time)
    }

    /// Records a delivery done as asked.
    public func recordDelivered(_ job: OutboxJob, nativeIDs: [String], at time: Date) async throws -> AuditRecord {
        try await recordDelivered(job, nativeIDs: nativeIDs, note: nil, at: time)
    }
}

extension IntakeLedger {
    /// Commits one inbound event (see ``commit(_:)-([Intake])``).
    public func commit(_ intake: Intake) async throws -> IntakeResult {
        guard let result = try await commit([intake]).first else { throw LedgerError.corrupt("commit returned no result") }
        return try result.get()
    }
}

/// A file a delivery carried: its name, size and SHA-256, which the ledger turns into a keyed
/// commitment in the delivery's audit record.
public struct FileDigest: Sendable, Hashable {
    public var name: String
    public var bytes: Int
    public var sha256: Data

    public init(name: String, bytes: Int, sha256: Data) {
        self.name = name
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// The digest of `data`.
    public init(name: String, data: Data) {
        self.init(name: name, bytes: data.count, sha256: Data(SHA256.hash(data: data)))
    }
}

/// The support desk's role: one ticket per customer conversation.
public protocol DeskLedger: Sendable {
    /// The customer's ticket: their open (or claimed) one, a closed one opened again, or a new one
    /// numbered after the last. Their profile, latest message (`message`, what an answer replies
    /// to) and the Telegram Business connection they wrote through are kept with it.
    func ticket(
        platform: String,
        chat: String,
        customer: Envelope.Sender,
        message: String,
        connection: String?,
        at time: Date
    ) async throws
        -> TicketOpening

    /// A ticket by its number.
    func ticket(_ number: Int64) async throws -> Ticket?

    /// The tickets in a state (all when nil), oldest first.
    func tickets(in state: Ticket.State?, limit: Int) async throws -> [Ticket]

    /// How many tickets are open or claimed.
    func openTicketCount() async throws -> Int

    /// Notes that the desk answered the ticket (its first answer's time is kept).
    func answered(_ number: Int64, at time: Date) async throws

    /// Claims (`claimed`, by `person`) or closes a ticket; answers it as it is now, or nil when
    /// there is no such ticket.
    func move(_ number: Int64, to state: Ticket.State, by person: String, at time: Date) async throws -> Ticket?

    /// The ticket's conversation as decided: every crossing that carries it, in order, with its
    /// bodies as received and as decided.
    func conversation(of ticket: Int64) async throws -> [TicketEntry]

    /// A staff member takes a ticket to answer from their one-to-one chat (claiming it; what they
    /// had taken before is given back); nil when it does not exist or is closed.
    func take(_ number: Int64, by staff: String, name: String, at time: Date) async throws -> Ticket?

    /// Gives back the ticket a staff member took; answers it, or nil when they had none.
    func release(by staff: String, at time: Date) async throws -> Ticket?

    /// The open ticket a staff member has taken, if any.
    func taken(by staff: String) async throws -> Ticket?

    /// Erases what is kept of one person (their messages' bodies, every body of their tickets'
    /// conversations, their desk profile), in `approver`'s name, with a `content_erased` record
    /// per crossing; deliveries of those crossings not made yet are cancelled. The log itself
    /// keeps its records and commitments, so it still verifies.
    func eraseSubject(_ subject: Subject, by approver: String, reason: String, at time: Date) async throws -> [AuditRecord]
}

extension AuditLedger {
    /// Audits a config load without keeping its files (see
    /// ``recordConfigLoaded(revision:file:sources:by:at:)``).
    public func recordConfigLoaded(revision: String, file: String, by actor: String?, at time: Date) async throws -> AuditRecord {
        try await recordConfigLoaded(revision: revision, file: file, sources: [], by: actor, at: time)
    }
}
