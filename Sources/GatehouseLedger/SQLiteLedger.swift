import Foundation
import GRDB
import Synchronization
import GatehouseCore

/// The ledger on SQLite: one file in WAL mode with one writer; readers never block it, so
/// `gatehouse audit …` can read while the daemon runs.
public final class SQLiteLedger: Ledger {
    let writer: any DatabaseWriter
    /// The Merkle tree's compact range over the leaves checkpointed so far: the log is
    /// append-only, so each checkpoint folds in only the leaves appended since the last.
    let tree = Mutex(MerkleAccumulator())
    /// Keys the leaves' commitments to content.
    let contentKey: ContentKey
    /// Inbound events queued for the next shared write transaction.
    private let commits: GroupCommit<Intake, Result<IntakeResult, any Error>>

    /// Opens (creating if needed) `ledger.sqlite` in `directory` and migrates it.
    public convenience init(directory: String, contentKey: ContentKey) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Acknowledge-after-commit is only honest if a commit survives power loss.
            try db.run(sql: "PRAGMA synchronous = FULL")
            // Erased bodies are overwritten with zeros, not left in free pages for anyone with
            // the file (the WAL is checkpointed and truncated after each erasure).
            try db.run(sql: "PRAGMA secure_delete = ON")
        }
        // A connection that finds the file locked (the WAL being reset, a checkpoint) waits for
        // it instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("ledger.sqlite"), configuration: configuration)
        try self.init(writer: pool, contentKey: contentKey)
    }

    /// A ledger on an existing database (an in-memory `DatabaseQueue` in tests).
    public init(writer: any DatabaseWriter, contentKey: ContentKey) throws {
        self.writer = writer
        self.contentKey = contentKey
        self.commits = GroupCommit { intakes in try await Self.writeGroup(intakes, contentKey: contentKey, to: writer) }
        try LedgerSchema.migrator.migrate(writer)
    }

    public func commit(_ intakes: [Intake]) async throws -> [Result<IntakeResult, any Error>] {
        try await commits.submit(intakes)
    }

    /// Writes a group of intakes in one transaction. Each is all-or-nothing: when one fails, the
    /// transaction is rolled back and the group written again with a savepoint around each intake,
    /// so that the failing one is rolled back alone (savepoints cost, and failures are rare).
    private static func writeGroup(_ intakes: [Intake], contentKey: ContentKey, to writer: any DatabaseWriter) async throws -> [Result<IntakeResult, any Error>] {
        if intakes.count > 1, let results = try? await writer.write({ db in
            try intakes.map { intake -> Result<IntakeResult, any Error> in .success(try write(intake, contentKey: contentKey, in: db)) }
        }) {
            return results
        }
        return try await writer.write { db in
            intakes.map { intake in
                Result {
                    var result = IntakeResult.duplicate
                    do {
                        try db.inSavepoint {
                            result = try write(intake, contentKey: contentKey, in: db)
                            return .commit
                        }
                    } catch is ReplayedIntake {
                        return .replayed
                    }
                    return result
                }
            }
        }
    }

    /// Writes one intake inside the current transaction.
    private static func write(_ intake: Intake, contentKey: ContentKey, in db: Database) throws -> IntakeResult {
        let origin = intake.envelope.origin
        let receivedAt = StoredDate(intake.receivedAt)
        try db.run(
            sql: "INSERT OR IGNORE INTO inbound (platform, event_id, received_at) VALUES (?, ?, ?)",
            arguments: [origin.platform, origin.eventID, receivedAt]
        )
        guard db.changesCount == 1 else { return .duplicate }
        // A nonce shares the dedup table, under a prefix no event id has: both are pruned by age,
        // and the nonce is written in the same transaction as what its event decided.
        if let nonce = intake.nonce {
            try db.run(
                sql: "INSERT OR IGNORE INTO inbound (platform, event_id, received_at) VALUES (?, ?, ?)",
                arguments: [origin.platform, "nonce:" + nonce, receivedAt]
            )
            // Undone by the caller's savepoint: the event's own row goes with it.
            guard db.changesCount == 1 else { throw ReplayedIntake() }
        }
        var records: [AuditRecord] = []
        var jobs: [OutboxJob] = []
        let envelope = intake.envelope
        let receivedPayload = Payload(spans: envelope.body.spans, attachments: envelope.attachments, replyTo: envelope.replyTo).stored
        let received = intake.crossings.isEmpty ? "" : contentKey.commitment(to: envelope.body.text, payload: receivedPayload)
        for crossing in intake.crossings {
            let payload = Payload(spans: crossing.spans, attachments: crossing.attachments, replyTo: envelope.replyTo)
            let decidedPayload = payload.stored
            let due = intake.schedule[crossing.destination]
            var draft = AuditRecord(
                sequence: 0, time: intake.receivedAt, kind: .crossing, route: crossing.route,
                direction: crossing.direction,
                origin: .init(platform: origin.platform, channel: crossing.source, conversation: origin.conversation,
                              messageID: origin.messageID, eventID: origin.eventID, senderID: intake.envelope.sender.id),
                destination: crossing.destination, verdict: crossing.verdict, findings: crossing.findings,
                configRevision: intake.configRevision,
                contentHMAC: .init(received: received, decided: contentKey.commitment(to: crossing.text, payload: decidedPayload))
            )
            // The log says when a scheduled announcement was meant to go, as decided.
            if let due { draft.reason = "scheduled for \(due.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))" }
            let record = try Self.append(draft, in: db)
            // Content lives apart from the leaf, so retention can erase it without breaking the log.
            try db.run(
                sql: "INSERT INTO content (record, received, decided, received_payload, decided_payload) VALUES (?, ?, ?, ?, ?)",
                arguments: [record.sequence, envelope.body.text, crossing.text, receivedPayload, decidedPayload]
            )
            records.append(record)
            // An edit that the rules no longer let through takes back what is out there: the
            // copies of the earlier version are deleted (its crossing record, with the findings,
            // says why). A held edit goes out as a new message if an approver releases it.
            if crossing.kind == .edit, crossing.verdict == .block || crossing.verdict == .hold {
                jobs.append(try Self.queueJob(
                    crossing, action: .delete, text: "", payload: Payload(), stored: Payload().stored, state: .pending,
                    record: record, intake: intake, notBefore: nil, in: db
                ))
            }
            // A held crossing's job waits for an approver outside the queue; a blocked one has none.
            // A scheduled one waits outside the queue for its time (a held one keeps that time
            // for when it is approved).
            let state: OutboxJob.State
            switch crossing.verdict {
            case .forward, .redact: state = due == nil ? .pending : .scheduled
            case .hold: state = .held
            case .block: continue
            }
            jobs.append(try Self.queueJob(
                crossing, action: crossing.kind, text: crossing.text, payload: payload, stored: decidedPayload, state: state,
                record: record, intake: intake, notBefore: due, in: db
            ))
        }
        return .committed(records: records, jobs: jobs)
    }

    /// Queues one outbox job for a crossing, inside the intake's transaction.
    private static func queueJob(
        _ crossing: Crossing, action: Envelope.Kind, text: String, payload: Payload, stored: String?, state: OutboxJob.State,
        record: AuditRecord, intake: Intake, notBefore: Date?, in db: Database
    ) throws -> OutboxJob {
        let origin = intake.envelope.origin
        let receivedAt = StoredDate(intake.receivedAt)
        try db.run(
                sql: """
                    INSERT INTO outbox (crossing, route, destination, action, text, payload, state, attempts, created_at,
                                        origin_platform, origin_conversation, origin_message, not_before, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [record.sequence, crossing.route, crossing.destination, action.rawValue, text,
                            stored, state.rawValue, receivedAt, origin.platform, origin.conversation, origin.messageID,
                            notBefore.map(StoredDate.init), receivedAt]
            )
        return OutboxJob(
            id: db.lastInsertedRowID, crossing: record.sequence, route: crossing.route,
            destination: crossing.destination, action: action, text: text, payload: payload, state: state, attempts: 0,
            notBefore: notBefore, leasedUntil: nil, createdAt: intake.receivedAt, decidedAt: intake.receivedAt, originPlatform: origin.platform,
            originConversation: origin.conversation, originMessage: origin.messageID
        )
    }

    public func recordRefusals(platform: String, _ refusals: Refusals, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            try Self.append(AuditRecord(sequence: 0, time: time, kind: .pushesRefused, platform: platform, refusals: refusals), in: db)
        }
    }

    public func recordConfigLoaded(revision: String, file: String, by actor: String?, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            try Self.append(AuditRecord(sequence: 0, time: time, kind: .configLoaded, configRevision: revision, reason: file, approver: actor), in: db)
        }
    }

    public func head(of destination: String) async throws -> OutboxJob? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM outbox WHERE destination = ? AND state IN (\(OutboxJob.State.sendable.sql)) ORDER BY id LIMIT 1",
                arguments: [destination]
            ).map(Self.job)
        }
    }

    public func lease(_ job: OutboxJob, until: Date) async throws -> OutboxJob {
        try await writer.write { db in
            try db.run(
                sql: "UPDATE outbox SET state = \(OutboxJob.State.inflight.sql), leased_until = ? WHERE id = ? AND state IN (\(OutboxJob.State.sendable.sql))",
                arguments: [StoredDate(until), job.id]
            )
            guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
            var leased = job
            leased.state = .inflight
            leased.leasedUntil = until
            return leased
        }
    }

    public func recordDelivered(_ job: OutboxJob, nativeIDs: [String], note: String?, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            try Self.transition(job, to: .delivered, notBefore: nil, error: nil, in: db)
            // What the origin message is at the destination now: an edit may change the parts,
            // a deletion leaves nothing.
            if job.action != .post {
                try db.run(
                    sql: "DELETE FROM message_map WHERE origin_platform = ? AND origin_conversation = ? AND origin_message = ? AND destination = ?",
                    arguments: [job.originPlatform, job.originConversation, job.originMessage, job.destination]
                )
            }
            try Self.map(job, to: nativeIDs, in: db)
            return try Self.append(Self.outcome(job, .delivered, at: time, nativeIDs: nativeIDs, reason: note), in: db)
        }
    }

    public func recordProgress(_ job: OutboxJob, nativeIDs: [String]) async throws {
        let parts = String(decoding: try JSONEncoder().encode(nativeIDs), as: UTF8.self)
        try await writer.write { db in
            try db.run(sql: "UPDATE outbox SET delivered_parts = ? WHERE id = ? AND state = \(OutboxJob.State.inflight.sql)", arguments: [parts, job.id])
            guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
        }
    }

    public func recordDeferred(_ job: OutboxJob, reason: String, retryAt: Date, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            let parts = try Self.deliveredParts(of: job, in: db)
            try Self.transition(job, to: .deferred, notBefore: retryAt, error: reason, in: db)
            return try Self.append(Self.outcome(job, .deferred, at: time, nativeIDs: parts, reason: reason), in: db)
        }
    }

    public func recordDead(_ job: OutboxJob, reason: String, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            // What did arrive of a message that died halfway is part of what crossed.
            let parts = try Self.deliveredParts(of: job, in: db)
            try Self.transition(job, to: .dead, notBefore: nil, error: reason, in: db)
            // The parts that did arrive are the message's there: a later edit or delete reaches them.
            if let parts { try Self.map(job, to: parts, in: db) }
            return try Self.append(Self.outcome(job, .dead, at: time, nativeIDs: parts, reason: reason), in: db)
        }
    }

    /// Maps the origin message to its parts at the job's destination.
    private static func map(_ job: OutboxJob, to nativeIDs: [String], in db: Database) throws {
        for (part, nativeID) in nativeIDs.enumerated() {
            try db.run(
                sql: """
                    INSERT OR REPLACE INTO message_map
                        (origin_platform, origin_conversation, origin_message, destination, part, native_id, crossing)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [job.originPlatform, job.originConversation, job.originMessage, job.destination,
                            part, nativeID, job.crossing]
            )
        }
    }

    /// The parts of a job delivered so far, as stored (nil when none).
    private static func deliveredParts(of job: OutboxJob, in db: Database) throws -> [String]? {
        let stored = try String.fetchOne(db, sql: "SELECT delivered_parts FROM outbox WHERE id = ?", arguments: [job.id])
        let parts = try decodeParts(stored)
        return parts.isEmpty ? nil : parts
    }

    private static func decodeParts(_ stored: String?) throws -> [String] {
        guard let stored, !stored.isEmpty else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(stored.utf8))
    }

    public func decideHold(_ job: OutboxJob, approve: Bool, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            // An approved announcement scheduled for later waits for its time; any other goes now.
            let approved = job.notBefore.map { $0 > time } == true ? OutboxJob.State.scheduled : .pending
            try db.run(
                sql: "UPDATE outbox SET state = ?, last_error = ? WHERE id = ? AND state = \(OutboxJob.State.held.sql)",
                arguments: [approve ? approved.rawValue : OutboxJob.State.cancelled.rawValue,
                            approve ? nil : "hold rejected by \(approver): \(reason)", job.id]
            )
            // One approved after its time goes now, and is no later than when it was meant to go:
            // its age (max_age) counts from then, not from the decision days before.
            if approve, approved == .pending, let due = job.notBefore {
                try db.run(sql: "UPDATE outbox SET not_before = NULL, created_at = ? WHERE id = ?", arguments: [StoredDate(due), job.id])
            }
            guard db.changesCount == 1 else { throw LedgerError.notHeld(job.id) }
            return try Self.append(AuditRecord(
                sequence: 0, time: time, kind: approve ? .holdApproved : .holdRejected, route: job.route,
                destination: job.destination, crossing: job.crossing, reason: reason, approver: approver
            ), in: db)
        }
    }

    public func decideDead(_ job: OutboxJob, retry: Bool, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await writer.write { db in
            if retry {
                // Its body may have expired meanwhile (keep_content): sending that would send nothing.
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM content WHERE record = ?)", arguments: [job.crossing]) == true else {
                    throw LedgerError.contentErased(job.id)
                }
                // Another round: from the first part not yet delivered, with a fresh max_age.
                try db.run(
                    sql: "UPDATE outbox SET state = \(OutboxJob.State.pending.sql), not_before = NULL, leased_until = NULL, created_at = ?, last_error = ? WHERE id = ? AND state = \(OutboxJob.State.dead.sql)",
                    arguments: [StoredDate(time), "retried by \(approver): \(reason)", job.id]
                )
            } else {
                try db.run(
                    sql: "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ? AND state = \(OutboxJob.State.dead.sql)",
                    arguments: ["discarded by \(approver): \(reason)", job.id]
                )
            }
            guard db.changesCount == 1 else { throw LedgerError.notDead(job.id) }
            return try Self.append(AuditRecord(
                sequence: 0, time: time, kind: retry ? .deadRetried : .deadDiscarded, route: job.route,
                destination: job.destination, crossing: job.crossing, reason: reason, approver: approver
            ), in: db)
        }
    }

    public func cancelJobs(
        outside lanes: Set<Lane>, inflight: Bool, destination: String?, createdBefore: Date?, reason: String, at time: Date
    ) async throws -> [AuditRecord] {
        try await writer.write { db in
            let states = (inflight ? OutboxJob.State.open : OutboxJob.State.open.filter { $0 != .inflight }).sql
            let queued = try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state IN (\(states)) ORDER BY id").map(Self.job)
            var records: [AuditRecord] = []
            for job in queued where !lanes.contains(Lane(route: job.route, destination: job.destination))
                && destination.map({ $0 == job.destination }) ?? true && createdBefore.map({ job.decidedAt < $0 }) ?? true {
                try db.run(sql: "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ?", arguments: [reason, job.id])
                // Parts a split send delivered before the destination left are listed: they crossed.
                var outcome = Self.outcome(job, .cancelled, at: time, nativeIDs: try Self.deliveredParts(of: job, in: db), reason: reason)
                // Cancelling is not an attempt.
                outcome.attempt = nil
                records.append(try Self.append(outcome, in: db))
            }
            return records
        }
    }

    public func eraseContent(before cutoff: Date, reason: String, at time: Date, limit: Int) async throws -> [AuditRecord] {
        let erased = try await writer.write { db in
            // A body still owed to a destination stays until its job ends: the job carries it.
            let expired = try Int64.fetchAll(
                db,
                sql: """
                    SELECT c.record FROM content c JOIN audit_record a ON a.sequence = c.record
                    WHERE a.time < ? AND NOT EXISTS (
                        SELECT 1 FROM outbox o WHERE o.crossing = c.record AND o.state IN (\(OutboxJob.State.open.sql)))
                    ORDER BY c.record LIMIT ?
                    """,
                arguments: [StoredDate(cutoff), limit]
            )
            return try expired.map { crossing in
                try db.run(sql: "DELETE FROM content WHERE record = ?", arguments: [crossing])
                // The finished jobs' copy of the text is the same body as sent.
                try db.run(sql: "UPDATE outbox SET text = '', payload = NULL WHERE crossing = ?", arguments: [crossing])
                return try Self.append(AuditRecord(sequence: 0, time: time, kind: .contentErased, crossing: crossing, reason: reason), in: db)
            }
        }
        // secure_delete zeroed the pages, but their old images are still in the WAL until a
        // checkpoint copies the new ones over and the log is truncated.
        if !erased.isEmpty { try await truncateLog() }
        return erased
    }

    /// Copies the WAL into the database and truncates it (best effort: a reader still on an old
    /// snapshot keeps the rest until the next one).
    func truncateLog() async throws {
        try await writer.writeWithoutTransaction { db in
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    public func pruneInbound(before cutoff: Date) async throws -> Int {
        try await writer.write { db in
            try db.run(sql: "DELETE FROM inbound WHERE received_at < ?", arguments: [StoredDate(cutoff)])
            return db.changesCount
        }
    }

    public func cursor(for platform: String) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM cursor WHERE platform = ?", arguments: [platform])
        }
    }

    public func saveCursor(_ value: String, for platform: String) async throws {
        try await writer.write { db in
            try db.run(
                sql: "INSERT OR REPLACE INTO cursor (platform, value, updated_at) VALUES (?, ?, ?)",
                arguments: [platform, value, StoredDate(Date())]
            )
        }
    }

    public func records(from sequence: Int64, limit: Int) async throws -> [AuditRecord] {
        try await writer.read { db in
            try Data.fetchAll(
                db, sql: "SELECT leaf FROM audit_record WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, limit]
            ).map(AuditRecord.decode(leaf:))
        }
    }

    public func jobs(in state: OutboxJob.State, limit: Int) async throws -> [OutboxJob] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state = ? ORDER BY id LIMIT ?", arguments: [state.rawValue, limit])
                .map(Self.job)
        }
    }

    public func job(id: Int64) async throws -> OutboxJob? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.job)
        }
    }

    public func depths() async throws -> [String: [OutboxJob.State: Int]] {
        try await writer.read { db in
            var depths: [String: [OutboxJob.State: Int]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT destination, state, COUNT(*) AS count FROM outbox
                WHERE state IN (\((OutboxJob.State.open + [.dead]).sql)) GROUP BY destination, state
                """)
            for row in rows {
                guard let state = OutboxJob.State(rawValue: row["state"]) else { continue }
                depths[row["destination"], default: [:]][state] = row["count"]
            }
            return depths
        }
    }

    public func nativeIDs(platform: String, conversation: String, message: String, destination: String) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT native_id FROM message_map WHERE origin_platform = ? AND origin_conversation = ?
                    AND origin_message = ? AND destination = ? ORDER BY part
                    """,
                arguments: [platform, conversation, message, destination]
            )
        }
    }

    // MARK: - Inside a write transaction

    /// Appends a record at the next sequence number; the leaf holds its own sequence, so the
    /// number is chosen here, inside the single writer's transaction.
    static func append(_ draft: AuditRecord, in db: Database) throws -> AuditRecord {
        var record = draft
        record.sequence = try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM audit_record")) ?? 1
        let leaf = try record.leaf()
        try db.run(
            sql: """
                INSERT INTO audit_record (sequence, time, kind, route, destination, verdict, leaf)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [record.sequence, StoredDate(record.time), record.kind.rawValue, record.route, record.destination,
                        record.verdict?.rawValue, leaf]
        )
        try db.run(
            sql: "INSERT INTO audit_leaf_hash (sequence, hash) VALUES (?, ?)",
            arguments: [record.sequence, Data(MerkleTree.leafHash(leaf).bytes)]
        )
        return record
    }

    private static func transition(_ job: OutboxJob, to state: OutboxJob.State, notBefore: Date?, error: String?, in db: Database) throws {
        try db.run(
            // Only a job still queued: one cancelled meanwhile (a reload removed its route) stays cancelled.
            sql: "UPDATE outbox SET state = ?, attempts = attempts + 1, not_before = ?, last_error = ?, leased_until = NULL WHERE id = ? AND state IN (\(OutboxJob.State.sendable.sql))",
            arguments: [state.rawValue, notBefore, error, job.id]
        )
        guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
    }

    static func outcome(_ job: OutboxJob, _ outcome: AuditRecord.Outcome, at time: Date, nativeIDs: [String]?, reason: String?) -> AuditRecord {
        AuditRecord(
            sequence: 0, time: time, kind: .delivery, route: job.route, destination: job.destination,
            crossing: job.crossing, outcome: outcome, nativeIDs: nativeIDs, attempt: job.attempts + 1, reason: reason
        )
    }

    private static func job(_ row: Row) throws -> OutboxJob {
        guard let state = OutboxJob.State(rawValue: row["state"]) else { throw LedgerError.corrupt("outbox state \(row["state"] as String)") }
        guard let action = Envelope.Kind(rawValue: row["action"]) else { throw LedgerError.corrupt("outbox action \(row["action"] as String)") }
        return OutboxJob(
            id: row["id"], crossing: row["crossing"], route: row["route"], destination: row["destination"],
            action: action, text: row["text"], payload: try Payload(stored: row["payload"]),
            deliveredParts: try decodeParts(row["delivered_parts"]), state: state, attempts: row["attempts"], notBefore: row["not_before"],
            leasedUntil: row["leased_until"],
            createdAt: row["created_at"], decidedAt: row["decided_at"] ?? row["created_at"], originPlatform: row["origin_platform"],
            originConversation: row["origin_conversation"], originMessage: row["origin_message"]
        )
    }
}

extension Database {
    /// Executes a statement compiled once per connection: the ledger's statements run for every
    /// event, and compiling SQL costs more than running it.
    func run(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

/// Thrown inside an intake's savepoint when its nonce was used before, to undo what it wrote.
struct ReplayedIntake: Error {}
