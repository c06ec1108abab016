import Foundation
import GRDB

extension SQLiteLedger {
    public func auditSizes() async throws -> (records: Int, checkpointed: Int) {
        try await writer.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM audit_record") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(size), 0) FROM checkpoint") ?? 0
            )
        }
    }

    public func summary() async throws -> LedgerSummary {
        try await writer.read { db in
            var outbox: [OutboxJob.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS count FROM outbox GROUP BY state") {
                if let state = OutboxJob.State(rawValue: row["state"]) { outbox[state] = row["count"] }
            }
            let last = try Row.fetchOne(db, sql: "SELECT size, created_at FROM checkpoint ORDER BY size DESC LIMIT 1")
            return LedgerSummary(
                outbox: outbox,
                records: try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM audit_record") ?? 0,
                checkpointed: last?["size"] ?? 0,
                lastCheckpoint: last?["created_at"]
            )
        }
    }

    public func ping() async throws {
        try await writer.write { db in try db.execute(sql: "SELECT 1") }
    }

    /// Signs and stores a checkpoint of the log as it is now: its size and RFC 6962 root, in the
    /// C2SP tlog-checkpoint format. Returns nil when the log has not grown since the last one.
    ///
    /// The root extends the in-memory tree with the leaf hashes appended since the last call (all
    /// of them, once, after the ledger is opened).
    public func checkpoint(origin: String, signer: NoteSigner, at time: Date) async throws -> (checkpoint: Checkpoint, note: String)? {
        try await writer.write { db in
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoint") ?? 0
            var accumulator = tree.withLock { $0 }
            let hashes = try Data.fetchCursor(
                db,
                sql: "SELECT hash FROM audit_leaf_hash WHERE sequence > ? ORDER BY sequence",
                arguments: [accumulator.size]
            )
            while let hash = try hashes.next() {
                guard let leafHash = MerkleTree.Hash(bytes: hash) else { throw LedgerError.corrupt("a stored leaf hash is not 32 bytes") }
                accumulator.append(leafHash: leafHash)
            }
            // Kept even when no checkpoint follows: these leaves need not be read again.
            tree.withLock { $0 = accumulator }
            guard accumulator.size > last else { return nil }
            let checkpoint = try Checkpoint(origin: origin, size: UInt64(accumulator.size), rootHash: accumulator.root().bytes)
            let note = try checkpoint.sign(with: signer)
            try db.execute(
                sql: "INSERT INTO checkpoint (size, root, note, created_at) VALUES (?, ?, ?, ?)",
                arguments: [accumulator.size, Data(checkpoint.rootHash), note, time]
            )
            return (checkpoint, note)
        }
    }
}
