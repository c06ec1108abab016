import Foundation
import GRDB
import GatehouseCore
import Synchronization

/// The ledger in SQL tables, on either backend (``SQLStore``): one SQLite file in WAL mode (the
/// embedded default; readers never block the writer, so `gatehouse audit …` can read while the
/// daemon runs), or a PostgreSQL database that several instances share. Its statements are
/// written once, for both.
public final class SQLLedger: Ledger {
    /// Where the tables are.
    public let store: any SQLStore
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
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Erased bodies are overwritten with zeros, not left in free pages for anyone with
            // the file (the WAL is checkpointed and truncated after each erasure).
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        // A connection that finds the file locked (the WAL being reset, a checkpoint) waits for
        // it instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("ledger.sqlite"), configuration: configuration)
        try self.init(writer: pool, contentKey: contentKey)
    }

    /// A ledger on an existing SQLite database (an in-memory `DatabaseQueue` in tests), migrated.
    public convenience init(writer: any DatabaseWriter, contentKey: ContentKey) throws {
        try LedgerSchema.migrator.migrate(writer)
        self.init(store: SQLiteStore(writer: writer), contentKey: contentKey)
    }

    /// A ledger on a store whose schema is migrated already (``PostgresStore`` migrates as it opens).
    public init(store: any SQLStore, contentKey: ContentKey) {
        self.store = store
        self.contentKey = contentKey
        self.commits = GroupCommit { intakes in try await Self.writeGroup(intakes, contentKey: contentKey, to: store) }
    }

    public func commit(_ intakes: [Intake]) async throws -> [Result<IntakeResult, any Error>] {
        try await commits.submit(intakes)
    }

    /// Writes a group of intakes in one transaction. Each is all-or-nothing: when one fails, the
    /// transaction is rolled back and the group written again with a savepoint around each intake,
    /// so that the failing one is rolled back alone (savepoints cost, and failures are rare).
    private static func writeGroup(
        _ intakes: [Intake],
        contentKey: ContentKey,
        to store: any SQLStore
    ) async throws -> [Result<IntakeResult, any Error>] {
        if intakes.count > 1,
            let results = try? await store.write({ db in
                var known = try inbound(of: intakes, in: db)
                var tally = Traffic.Tally()
                let results = try intakes.map { intake -> Result<IntakeResult, any Error> in
                    let (result, keys) = try write(intake, known: known, contentKey: contentKey, in: db)
                    known.formUnion(keys)
                    if case .committed = result { tally.add(intake.crossings, at: intake.receivedAt) }
                    return .success(result)
                }
                try tally.write(in: db)
                return results
            })
        {
            return results
        }
        return try await store.write { db in
            var known = try inbound(of: intakes, in: db)
            var tally = Traffic.Tally()
            let results = intakes.map { intake -> Result<IntakeResult, any Error> in
                Result {
                    var result = IntakeResult.duplicate
                    var keys: [String] = []
                    do {
                        try db.savepoint { (result, keys) = try write(intake, known: known, contentKey: contentKey, in: db) }
                    } catch is ReplayedIntake {
                        return .replayed
                    }
                    // Only once its savepoint held: an event that failed was not taken.
                    known.formUnion(keys)
                    if case .committed = result { tally.add(intake.crossings, at: intake.receivedAt) }
                    return result
                }
            }
            try tally.write(in: db)
            return results
        }
    }

    /// The key of an inbound row (an event, or a nonce as `nonce:…`) of a platform.
    private static func inboundKey(_ platform: String, _ event: String) -> String { platform + "\u{0}" + event }

    /// Which of a group's events and nonces the ledger has already taken, read at once (one query
    /// per platform and 500 ids), so that writing each needs no answer from the database: the
    /// writer is the only one writing, and what it writes is checked against this set.
    private static func inbound(of intakes: [Intake], in db: any SQLSession) throws -> Set<String> {
        var ids: [String: [String]] = [:]
        for intake in intakes {
            let origin = intake.envelope.origin
            ids[origin.platform, default: []].append(origin.eventID)
            if let nonce = intake.nonce { ids[origin.platform, default: []].append("nonce:" + nonce) }
        }
        var known: Set<String> = []
        for (platform, events) in ids {
            for start in stride(from: 0, to: events.count, by: 500) {
                let chunk = events[start..<min(start + 500, events.count)]
                let taken = try String.fetchAll(
                    db,
                    sql: "SELECT event_id FROM inbound WHERE platform = ? AND event_id IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))",
                    arguments: SQLArguments([platform] + chunk.map { $0 })
                )
                known.formUnion(taken.map { inboundKey(platform, $0) })
            }
        }
        return known
    }

    /// Writes one intake inside the current transaction, given the inbound rows taken before it
    /// (``inbound(of:in:)`` and the group's earlier events); answers what it took.
    private static func write(
        _ intake: Intake,
        known: Set<String>,
        contentKey: ContentKey,
        in db: any SQLSession
    ) throws -> (IntakeResult, [String]) {
        let origin = intake.envelope.origin
        let receivedAt = StoredDate(intake.receivedAt)
        var keys = [inboundKey(origin.platform, origin.eventID)]
        guard !known.contains(keys[0]) else { return (.duplicate, []) }
        // A plain insert: a row there after all (another writer) fails the transaction, closed.
        try db.run(
            sql: "INSERT INTO inbound (platform, event_id, received_at) VALUES (?, ?, ?)",
            arguments: [origin.platform, origin.eventID, receivedAt]
        )
        // A nonce shares the dedup table, under a prefix no event id has: both are pruned by age,
        // and the nonce is written in the same transaction as what its event decided.
        if let nonce = intake.nonce {
            keys.append(inboundKey(origin.platform, "nonce:" + nonce))
            // Undone by the caller's savepoint: the event's own row goes with it.
            guard !known.contains(keys[1]) else { throw ReplayedIntake() }
            try db.run(
                sql: "INSERT INTO inbound (platform, event_id, received_at) VALUES (?, ?, ?)",
                arguments: [origin.platform, "nonce:" + nonce, receivedAt]
            )
        }
        var records: [AuditRecord] = []
        var jobs: [OutboxJob] = []
        let envelope = intake.envelope
        let receivedPayload = Payload(
            spans: envelope.body.spans,
            attachments: envelope.attachments,
            replyTo: envelope.replyTo,
            native: envelope.native
        ).stored
        let received = intake.crossings.isEmpty ? "" : contentKey.commitment(to: envelope.body.text, payload: receivedPayload)
        for crossing in intake.crossings {
            let payload = Payload(
                spans: crossing.spans,
                attachments: crossing.attachments,
                replyTo: envelope.replyTo,
                native: crossing.native,
                addressee: crossing.addressee
            )
            let decidedPayload = payload.stored
            let due = intake.schedule[crossing.destination]
            var draft = AuditRecord(
                sequence: 0,
                time: intake.receivedAt,
                kind: .crossing,
                route: crossing.route,
                direction: crossing.direction,
                origin: .init(
                    platform: origin.platform,
                    channel: crossing.source,
                    conversation: origin.conversation,
                    messageID: origin.messageID,
                    eventID: origin.eventID,
                    senderID: intake.envelope.sender.id
                ),
                destination: crossing.destination,
                verdict: crossing.verdict,
                findings: crossing.findings,
                configRevision: intake.configRevision,
                contentHMAC: .init(received: received, decided: contentKey.commitment(to: crossing.text, payload: decidedPayload))
            )
            // The log says when a scheduled announcement was meant to go, as decided.
            if let due { draft.reason = "scheduled for \(due.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))" }
            draft.ticket = crossing.ticket
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
                jobs.append(
                    try Self.queueJob(
                        crossing,
                        action: .delete,
                        text: "",
                        payload: Payload(),
                        stored: Payload().stored,
                        state: .pending,
                        record: record,
                        intake: intake,
                        notBefore: nil,
                        in: db
                    )
                )
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
            jobs.append(
                try Self.queueJob(
                    crossing,
                    action: crossing.kind,
                    text: crossing.text,
                    payload: payload,
                    stored: decidedPayload,
                    state: state,
                    record: record,
                    intake: intake,
                    notBefore: due,
                    in: db
                )
            )
        }
        return (.committed(records: records, jobs: jobs), keys)
    }

    /// Queues one outbox job for a crossing, inside the intake's transaction.
    private static func queueJob(
        _ crossing: Crossing,
        action: Envelope.Kind,
        text: String,
        payload: Payload,
        stored: String?,
        state: OutboxJob.State,
        record: AuditRecord,
        intake: Intake,
        notBefore: Date?,
        in db: any SQLSession
    ) throws -> OutboxJob {
        let origin = intake.envelope.origin
        let receivedAt = StoredDate(intake.receivedAt)
        let id = try nextJobID(in: db)
        try db.run(
            sql: """
                INSERT INTO outbox (id, crossing, route, destination, action, text, payload, state, attempts, created_at,
                                    origin_platform, origin_conversation, origin_message, not_before, decided_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, record.sequence, crossing.route, crossing.destination, action.rawValue, text,
                stored, state.rawValue, receivedAt, origin.platform, origin.conversation, origin.messageID,
                notBefore.map(StoredDate.init), receivedAt,
            ]
        )
        return OutboxJob(
            id: id,
            crossing: record.sequence,
            route: crossing.route,
            destination: crossing.destination,
            action: action,
            text: text,
            payload: payload,
            state: state,
            attempts: 0,
            notBefore: notBefore,
            leasedUntil: nil,
            createdAt: intake.receivedAt,
            decidedAt: intake.receivedAt,
            originPlatform: origin.platform,
            originConversation: origin.conversation,
            originMessage: origin.messageID
        )
    }

    public func pruneInbound(before cutoff: Date) async throws -> Int {
        try await store.write { db in
            try db.run(sql: "DELETE FROM inbound WHERE received_at < ?", arguments: [StoredDate(cutoff)])
            return db.changesCount
        }
    }

    public func cursor(for platform: String) async throws -> String? {
        try await store.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM cursor WHERE platform = ?", arguments: [platform])
        }
    }

    public func saveCursor(_ value: String, for platform: String) async throws {
        try await store.write { db in
            try db.run(
                sql:
                    "INSERT INTO cursor (platform, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (platform) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                arguments: [platform, value, StoredDate(Date())]
            )
        }
    }

    // MARK: - Inside a write transaction

    /// The next outbox job's id (counted in the transaction, as the log's sequence is).
    static func nextJobID(in db: any SQLSession) throws -> Int64 {
        try db.next("outbox.id", initial: "SELECT COALESCE(MAX(id), 0) + 1 FROM outbox")
    }

    /// Appends a record at the next sequence number; the leaf holds its own sequence, so the
    /// number is chosen here, inside the single writer's transaction.
    static func append(_ draft: AuditRecord, in db: any SQLSession) throws -> AuditRecord {
        var record = draft
        record.sequence = try db.next("audit_record.sequence", initial: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM audit_record")
        let leaf = try record.leaf()
        try db.run(
            sql: """
                INSERT INTO audit_record (sequence, time, kind, route, destination, verdict, leaf, ticket)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.sequence, StoredDate(record.time), record.kind.rawValue, record.route, record.destination,
                record.verdict?.rawValue, leaf, record.ticket,
            ]
        )
        try db.run(
            sql: "INSERT INTO audit_leaf_hash (sequence, hash) VALUES (?, ?)",
            arguments: [record.sequence, Data(MerkleTree.leafHash(leaf).bytes)]
        )
        try DeliveryCount.count(record, in: db)
        return record
    }

}

/// Thrown inside an intake's savepoint when its nonce was used before, to undo what it wrote.
struct ReplayedIntake: Error {}
