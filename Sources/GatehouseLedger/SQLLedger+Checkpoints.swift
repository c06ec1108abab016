import Foundation

extension SQLLedger {
    public func auditSizes() async throws -> (records: Int, checkpointed: Int) {
        try await store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM audit_record") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(size), 0) FROM checkpoint") ?? 0
            )
        }
    }

    public func summary(finished: Bool) async throws -> LedgerSummary {
        try await store.read { db in
            var outbox: [OutboxJob.State: Int] = [:]
            // The open states through the state index; the finished ones only when asked.
            let states = OutboxJob.State.allCases.filter { finished || ($0 != .delivered && $0 != .cancelled) }
            for row in try SQLRow.fetchAll(
                db,
                sql: "SELECT state, COUNT(*) AS count FROM outbox WHERE state IN (\(states.sql)) GROUP BY state"
            ) {
                if let state = OutboxJob.State(rawValue: row["state"]) { outbox[state] = row["count"] }
            }
            let last = try SQLRow.fetchOne(db, sql: "SELECT size, created_at FROM checkpoint ORDER BY size DESC LIMIT 1")
            return LedgerSummary(
                outbox: outbox,
                records: try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM audit_record") ?? 0,
                checkpointed: last?["size"] ?? 0,
                lastCheckpoint: last?["created_at"]
            )
        }
    }

    public func ping() async throws {
        try await store.write { db in try db.run(sql: "SELECT 1") }
    }

    /// Signs and stores a checkpoint of the log as it is now: its size and RFC 6962 root, in the
    /// C2SP tlog-checkpoint format. Returns nil when the log has not grown since the last one.
    ///
    /// The root extends the in-memory tree with the leaf hashes appended since the last call (all
    /// of them, once, after the ledger is opened), storing each complete subtree of 2^8, 2^16, …
    /// leaves on the way for the inclusion proofs (``AuditSubtrees``).
    public func checkpoint(origin: String, signer: NoteSigner, at time: Date) async throws -> (checkpoint: Checkpoint, note: String)? {
        try await store.write { db -> (checkpoint: Checkpoint, note: String)? in
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoint") ?? 0
            var accumulator = self.tree.withLock { $0 }
            // In pages: after the ledger is opened, the first call reads every leaf hash there is.
            while true {
                let hashes = try Data.fetchAll(
                    db,
                    sql: "SELECT hash FROM audit_leaf_hash WHERE sequence > ? ORDER BY sequence LIMIT 10000",
                    arguments: [accumulator.size]
                )
                var completed: [AuditSubtrees.Node] = []
                for hash in hashes {
                    guard let leafHash = MerkleTree.Hash(bytes: hash) else { throw LedgerError.corrupt("a stored leaf hash is not 32 bytes") }
                    accumulator.append(leafHash: leafHash) { height, position, hash in
                        if AuditSubtrees.kept(height: height) { completed.append(.init(height: height, position: position, hash: hash)) }
                    }
                }
                try AuditSubtrees.store(completed, in: db)
                if hashes.count < 10000 { break }
            }
            // Kept even when no checkpoint follows: these leaves need not be read again.
            self.tree.withLock { $0 = accumulator }
            guard accumulator.size > last else { return nil }
            let checkpoint = try Checkpoint(origin: origin, size: UInt64(accumulator.size), rootHash: accumulator.root().bytes)
            let note = try checkpoint.sign(with: signer)
            try db.run(
                sql: "INSERT INTO checkpoint (size, root, note, created_at) VALUES (?, ?, ?, ?)",
                arguments: [accumulator.size, Data(checkpoint.rootHash), note, time]
            )
            return (checkpoint, note)
        }
    }
}
