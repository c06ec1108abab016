import Foundation

/// Announcements scheduled for later: outside the queues in state `scheduled` until due.
extension SQLLedger {
    public func releaseScheduled(until time: Date) async throws -> Set<String> {
        try await store.write { db in
            let due = try String.fetchAll(
                db,
                sql: "SELECT DISTINCT destination FROM outbox WHERE state = \(OutboxJob.State.scheduled.sql) AND not_before <= ?",
                arguments: [StoredDate(time)]
            )
            // Into the queue, in id order with the rest: the time it waited for has come. Its age
            // (max_age) counts from then: it was not late before it was due.
            try db.run(
                sql:
                    "UPDATE outbox SET state = \(OutboxJob.State.pending.sql), created_at = not_before, not_before = NULL WHERE state = \(OutboxJob.State.scheduled.sql) AND not_before <= ?",
                arguments: [StoredDate(time)]
            )
            return Set(due)
        }
    }

    public func nextScheduled() async throws -> Date? {
        try await store.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT not_before FROM outbox WHERE state = \(OutboxJob.State.scheduled.sql) ORDER BY not_before LIMIT 1")?[
                "not_before"
            ]
        }
    }

    public func cancelScheduled(_ job: OutboxJob, by approver: String, reason: String, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            try db.run(
                sql:
                    "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ? AND state = \(OutboxJob.State.scheduled.sql)",
                arguments: ["cancelled by \(approver): \(reason)", job.id]
            )
            guard db.changesCount == 1 else { throw LedgerError.notScheduled(job.id) }
            var record = Self.outcome(job, .cancelled, at: time, nativeIDs: nil, reason: reason)
            // Cancelling is not an attempt; the operator who cancelled is named.
            record.attempt = nil
            record.approver = approver
            return try Self.append(record, in: db)
        }
    }
}
