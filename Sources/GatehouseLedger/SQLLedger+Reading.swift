import Foundation
import GatehouseCore

/// The reading role (``ReadableLedger``): the log, the jobs and the queues as they are now.
extension SQLLedger {
    public func records(from sequence: Int64, limit: Int) async throws -> [AuditRecord] {
        try await store.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT leaf FROM audit_record WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, limit]
            ).map(AuditRecord.decode(leaf:))
        }
    }

    public func jobs(in state: OutboxJob.State, limit: Int) async throws -> [OutboxJob] {
        try await store.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM outbox WHERE state = ? ORDER BY id LIMIT ?", arguments: [state.rawValue, limit])
                .map(Self.job)
        }
    }

    public func job(id: Int64) async throws -> OutboxJob? {
        try await store.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.job)
        }
    }

    public func depths() async throws -> [String: [OutboxJob.State: Int]] {
        try await store.read { db in
            var depths: [String: [OutboxJob.State: Int]] = [:]
            let rows = try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT destination, state, COUNT(*) AS count FROM outbox
                    WHERE state IN (\((OutboxJob.State.open + [.dead]).sql)) GROUP BY destination, state
                    """
            )
            for row in rows {
                guard let state = OutboxJob.State(rawValue: row["state"]) else { continue }
                depths[row["destination"], default: [:]][state] = row["count"]
            }
            return depths
        }
    }

    /// Whether a delivery record commits to `file` (one of the files it carried is these bytes).
    public func commits(_ record: AuditRecord, toFile file: Data) -> Bool {
        (record.files ?? []).contains { contentKey.isCommitment($0.hmac, toFile: file) }
    }
}
