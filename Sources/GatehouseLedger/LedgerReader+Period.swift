import Foundation
import GatehouseCore

/// What a period report reads of the log besides its counts per hour: how many records of each
/// kind, and the checkpoints signed.
extension LedgerReader {
    /// A checkpoint as the report lists it.
    public struct SignedCheckpoint: Sendable, Hashable {
        public var size: Int64
        /// The tree's root hash, hex.
        public var root: String
        public var time: Date
    }

    /// How many records of each kind the log holds from `since` to before `until`: one count
    /// per kind over the (kind, time) index, which reads no record.
    public func kindCounts(since: Date, until: Date) async throws -> [AuditRecord.Kind: Int] {
        try await store.read { db in
            var counts: [AuditRecord.Kind: Int] = [:]
            for kind in AuditRecord.Kind.allCases {
                let count =
                    try Int.fetchOne(
                        db,
                        sql: "SELECT COUNT(*) FROM audit_record WHERE kind = ? AND time >= ? AND time < ?",
                        arguments: [kind.rawValue, StoredDate(since), StoredDate(until)]
                    ) ?? 0
                if count > 0 { counts[kind] = count }
            }
            return counts
        }
    }

    /// The checkpoints signed from `since` to before `until`, oldest first (at most `limit`), and
    /// the last one signed before `since` (where the period's chain starts).
    public func checkpoints(since: Date, until: Date, limit: Int = 1_000) async throws -> (before: SignedCheckpoint?, during: [SignedCheckpoint]) {
        try await store.read { db in
            func checkpoint(_ row: SQLRow) -> SignedCheckpoint {
                let root: Data = row["root"]
                return SignedCheckpoint(size: row["size"], root: root.map { String(format: "%02x", $0) }.joined(), time: row["created_at"])
            }
            let before = try SQLRow.fetchOne(
                db,
                sql: "SELECT size, root, created_at FROM checkpoint WHERE created_at < ? ORDER BY size DESC LIMIT 1",
                arguments: [StoredDate(since)]
            ).map(checkpoint)
            let during = try SQLRow.fetchAll(
                db,
                sql: "SELECT size, root, created_at FROM checkpoint WHERE created_at >= ? AND created_at < ? ORDER BY size LIMIT ?",
                arguments: [StoredDate(since), StoredDate(until), limit]
            ).map(checkpoint)
            return (before, during)
        }
    }
}
