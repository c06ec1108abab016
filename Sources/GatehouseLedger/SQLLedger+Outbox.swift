import Foundation
import GatehouseCore

/// The outbox role (``OutboxLedger``): each job from its head of queue to its outcome, the
/// operators' decisions on held and dead jobs, and the message map the deliveries fill.
extension SQLLedger {
    public func head(of destination: String) async throws -> OutboxJob? {
        try await store.read { db in
            try SQLRow.fetchOne(
                db,
                sql: "SELECT * FROM outbox WHERE destination = ? AND state IN (\(OutboxJob.State.sendable.sql)) ORDER BY id LIMIT 1",
                arguments: [destination]
            ).map(Self.job)
        }
    }

    public func lease(_ job: OutboxJob, until: Date) async throws -> OutboxJob {
        try await store.write { db in
            try db.run(
                sql:
                    "UPDATE outbox SET state = \(OutboxJob.State.inflight.sql), leased_until = ? WHERE id = ? AND state IN (\(OutboxJob.State.sendable.sql))",
                arguments: [StoredDate(until), job.id]
            )
            guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
            var leased = job
            leased.state = .inflight
            leased.leasedUntil = until
            return leased
        }
    }

    public func recordDelivered(_ job: OutboxJob, nativeIDs: [String], note: String?, files: [FileDigest], at time: Date) async throws -> AuditRecord
    {
        let commitments = files.map {
            AuditRecord.FileCommitment(name: $0.name, bytes: $0.bytes, hmac: contentKey.commitment(toFileDigest: $0.sha256))
        }
        return try await store.write { db in
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
            var record = Self.outcome(job, .delivered, at: time, nativeIDs: nativeIDs, reason: note)
            record.files = commitments.isEmpty ? nil : commitments
            return try Self.append(record, in: db)
        }
    }

    public func recordProgress(_ job: OutboxJob, nativeIDs: [String]) async throws {
        let parts = String(decoding: try JSONEncoder().encode(nativeIDs), as: UTF8.self)
        try await store.write { db in
            try db.run(
                sql: "UPDATE outbox SET delivered_parts = ? WHERE id = ? AND state = \(OutboxJob.State.inflight.sql)",
                arguments: [parts, job.id]
            )
            guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
        }
    }

    public func recordDeferred(_ job: OutboxJob, reason: String, retryAt: Date, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            let parts = try Self.deliveredParts(of: job, in: db)
            try Self.transition(job, to: .deferred, notBefore: retryAt, error: reason, in: db)
            return try Self.append(Self.outcome(job, .deferred, at: time, nativeIDs: parts, reason: reason), in: db)
        }
    }

    public func recordDead(_ job: OutboxJob, reason: String, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            // What did arrive of a message that died halfway is part of what crossed.
            let parts = try Self.deliveredParts(of: job, in: db)
            try Self.transition(job, to: .dead, notBefore: nil, error: reason, in: db)
            // The parts that did arrive are the message's there: a later edit or delete reaches them.
            if let parts { try Self.map(job, to: parts, in: db) }
            return try Self.append(Self.outcome(job, .dead, at: time, nativeIDs: parts, reason: reason), in: db)
        }
    }

    /// Maps the origin message to its parts at the job's destination.
    private static func map(_ job: OutboxJob, to nativeIDs: [String], in db: any SQLSession) throws {
        for (part, nativeID) in nativeIDs.enumerated() {
            try db.run(
                sql: """
                    INSERT INTO message_map
                        (origin_platform, origin_conversation, origin_message, destination, part, native_id, crossing)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (origin_platform, origin_conversation, origin_message, destination, part)
                    DO UPDATE SET native_id = excluded.native_id, crossing = excluded.crossing
                    """,
                arguments: [
                    job.originPlatform, job.originConversation, job.originMessage, job.destination,
                    part, nativeID, job.crossing,
                ]
            )
        }
    }

    /// The parts of a job delivered so far, as stored (nil when none).
    private static func deliveredParts(of job: OutboxJob, in db: any SQLSession) throws -> [String]? {
        let stored = try String.fetchOne(db, sql: "SELECT delivered_parts FROM outbox WHERE id = ?", arguments: [job.id])
        let parts = try decodeParts(stored)
        return parts.isEmpty ? nil : parts
    }

    private static func decodeParts(_ stored: String?) throws -> [String] {
        guard let stored, !stored.isEmpty else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(stored.utf8))
    }

    /// Moves a held job to its queue (approved) or cancels it (`note` says why), and closes its
    /// review. Throws ``LedgerError/notHeld(_:)`` when it is held no longer.
    static func settleHold(_ job: OutboxJob, approve: Bool, note: String, outcome: String, at time: Date, in db: any SQLSession) throws {
        // An approved announcement scheduled for later waits for its time; any other goes now.
        let approved = job.notBefore.map { $0 > time } == true ? OutboxJob.State.scheduled : .pending
        try db.run(
            sql: "UPDATE outbox SET state = ?, last_error = ? WHERE id = ? AND state = \(OutboxJob.State.held.sql)",
            arguments: [approve ? approved.rawValue : OutboxJob.State.cancelled.rawValue, approve ? nil : note, job.id]
        )
        guard db.changesCount == 1 else { throw LedgerError.notHeld(job.id) }
        // One approved after its time goes now, and is no later than when it was meant to go:
        // its age (max_age) counts from then, not from the decision days before.
        if approve, approved == .pending, let due = job.notBefore {
            try db.run(sql: "UPDATE outbox SET not_before = NULL, created_at = ? WHERE id = ?", arguments: [StoredDate(due), job.id])
        }
        try db.run(
            sql: "UPDATE review SET decided_at = ?, outcome = ? WHERE job = ? AND decided_at IS NULL",
            arguments: [StoredDate(time), outcome, job.id]
        )
    }

    public func decideDead(_ job: OutboxJob, retry: Bool, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            if retry {
                // Its body may have expired meanwhile (keep_content): sending that would send nothing.
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM content WHERE record = ?)", arguments: [job.crossing]) == true else {
                    throw LedgerError.contentErased(job.id)
                }
                // Another round: from the first part not yet delivered, with a fresh max_age.
                try db.run(
                    sql:
                        "UPDATE outbox SET state = \(OutboxJob.State.pending.sql), not_before = NULL, leased_until = NULL, created_at = ?, last_error = ? WHERE id = ? AND state = \(OutboxJob.State.dead.sql)",
                    arguments: [StoredDate(time), "retried by \(approver): \(reason)", job.id]
                )
            } else {
                try db.run(
                    sql:
                        "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ? AND state = \(OutboxJob.State.dead.sql)",
                    arguments: ["discarded by \(approver): \(reason)", job.id]
                )
            }
            guard db.changesCount == 1 else { throw LedgerError.notDead(job.id) }
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: retry ? .deadRetried : .deadDiscarded,
                    route: job.route,
                    destination: job.destination,
                    crossing: job.crossing,
                    reason: reason,
                    approver: approver
                ),
                in: db
            )
        }
    }

    public func cancelJobs(
        outside lanes: Set<Lane>,
        inflight: Bool,
        destination: String?,
        createdBefore: Date?,
        reason: String,
        at time: Date
    ) async throws -> [AuditRecord] {
        try await store.write { db in
            let states = (inflight ? OutboxJob.State.open : OutboxJob.State.open.filter { $0 != .inflight }).sql
            let queued = try SQLRow.fetchAll(db, sql: "SELECT * FROM outbox WHERE state IN (\(states)) ORDER BY id").map(Self.job)
            var records: [AuditRecord] = []
            for job in queued
            where !lanes.contains(Lane(route: job.route, destination: job.destination))
                && destination.map({ $0 == job.destination }) ?? true && createdBefore.map({ job.decidedAt < $0 }) ?? true
            {
                try db.run(
                    sql: "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ?",
                    arguments: [reason, job.id]
                )
                // Parts a split send delivered before the destination left are listed: they crossed.
                var outcome = Self.outcome(job, .cancelled, at: time, nativeIDs: try Self.deliveredParts(of: job, in: db), reason: reason)
                // Cancelling is not an attempt.
                outcome.attempt = nil
                records.append(try Self.append(outcome, in: db))
            }
            return records
        }
    }

    public func nativeIDs(platform: String, conversation: String, message: String, destination: String) async throws -> [String] {
        try await store.read { db in
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

    private static func transition(_ job: OutboxJob, to state: OutboxJob.State, notBefore: Date?, error: String?, in db: any SQLSession) throws {
        try db.run(
            // Only a job still queued: one cancelled meanwhile (a reload removed its route) stays cancelled.
            sql:
                "UPDATE outbox SET state = ?, attempts = attempts + 1, not_before = ?, last_error = ?, leased_until = NULL WHERE id = ? AND state IN (\(OutboxJob.State.sendable.sql))",
            arguments: [state.rawValue, notBefore, error, job.id]
        )
        guard db.changesCount == 1 else { throw LedgerError.unknownJob(job.id) }
    }

    static func outcome(_ job: OutboxJob, _ outcome: AuditRecord.Outcome, at time: Date, nativeIDs: [String]?, reason: String?) -> AuditRecord {
        AuditRecord(
            sequence: 0,
            time: time,
            kind: .delivery,
            route: job.route,
            destination: job.destination,
            crossing: job.crossing,
            outcome: outcome,
            nativeIDs: nativeIDs,
            attempt: job.attempts + 1,
            reason: reason
        )
    }

    static func job(_ row: SQLRow) throws -> OutboxJob {
        guard let state = OutboxJob.State(rawValue: row["state"]) else { throw LedgerError.corrupt("outbox state \(row["state"] as String)") }
        guard let action = Envelope.Kind(rawValue: row["action"]) else { throw LedgerError.corrupt("outbox action \(row["action"] as String)") }
        return OutboxJob(
            id: row["id"],
            crossing: row["crossing"],
            route: row["route"],
            destination: row["destination"],
            action: action,
            text: row["text"],
            payload: try Payload(stored: row["payload"]),
            deliveredParts: try decodeParts(row["delivered_parts"]),
            state: state,
            attempts: row["attempts"],
            notBefore: row["not_before"],
            leasedUntil: row["leased_until"],
            createdAt: row["created_at"],
            decidedAt: row["decided_at"] ?? row["created_at"],
            originPlatform: row["origin_platform"],
            originConversation: row["origin_conversation"],
            originMessage: row["origin_message"]
        )
    }
}
