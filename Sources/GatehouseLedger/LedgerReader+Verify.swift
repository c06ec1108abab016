import Foundation
import GRDB
import GRDBSQLite

/// What `audit verify` found.
public struct AuditVerification: Sendable {
    /// Records read (up to the first problem).
    public var records: Int
    /// Checkpoints whose root matched (and whose signature verified, when verifier keys were given).
    public var checkpoints: Int
    /// Whether checkpoint signatures were checked against verifier keys.
    public var signaturesChecked: Bool
    /// The first problem: the record it concerns (nil when it is a checkpoint's) and what is wrong.
    public var problem: (record: Int64?, reason: String)?

    public var intact: Bool { problem == nil }
}

extension LedgerReader {
    /// Recomputes the whole log in one pass: every record present in order, each leaf hashing to
    /// the hash recorded when it was appended, and the Merkle root at every checkpoint equal to
    /// the signed one. Stops at the first problem and names it.
    ///
    /// - Parameters:
    ///   - verifiers: the log's verifier keys, obtained from somewhere other than this ledger
    ///     (whoever can change the ledger could also replace a key stored in it); without them
    ///     roots are still compared but signatures are not checked.
    ///   - progress: called now and then with (records read, records in the log).
    public func verify(verifiers: [NoteVerifier] = [], origin: String? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> AuditVerification {
        var result = AuditVerification(records: 0, checkpoints: 0, signaturesChecked: !verifiers.isEmpty)
        let (checkpoints, total) = try reader.read { db in
            (try Row.fetchAll(db, sql: "SELECT size, root, note FROM checkpoint ORDER BY size"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_record") ?? 0)
        }
        // Every checkpoint first: its note must be well formed, signed (when keys are given) and
        // agree with the size and root stored beside it.
        var expected: [(size: Int, root: [UInt8])] = []
        for row in checkpoints {
            let size: Int = row["size"], note: String = row["note"], root: Data = row["root"]
            do {
                let checkpoint = verifiers.isEmpty
                    ? try Checkpoint(parsing: SignedNote(parsing: note).text)
                    : try Checkpoint.verify(note: note, verifiers: verifiers, origin: origin)
                guard checkpoint.size == UInt64(size), checkpoint.rootHash == Array(root) else {
                    result.problem = (nil, "the checkpoint at size \(size) does not agree with its signed note")
                    return result
                }
                expected.append((size, checkpoint.rootHash))
            } catch {
                result.problem = (nil, "the checkpoint at size \(size) is not validly signed: \(error)")
                return result
            }
        }

        var accumulator = MerkleAccumulator()
        var next = 0  // the next checkpoint to reach
        var lastCheckpointSize = 0
        // One read transaction and one statement stepped through SQLite's C API: a consistent
        // snapshot of the whole log, each leaf and hash read in place, nothing allocated per record.
        try reader.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT a.sequence, a.leaf, h.hash FROM audit_record a
                LEFT JOIN audit_leaf_hash h ON h.sequence = a.sequence
                ORDER BY a.sequence
                """)
            let step = statement.sqliteStatement
            defer { sqlite3_reset(step) }
            while true {
                let status = sqlite3_step(step)
                if status == SQLITE_DONE { break }
                guard status == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: status)) }
                let sequence = sqlite3_column_int64(step, 0)
                let position = Int64(accumulator.size) + 1
                guard sequence == position else {
                    result.problem = (position, "record \(position) is missing (the next record is \(sequence))")
                    return
                }
                let leaf = UnsafeRawBufferPointer(start: sqlite3_column_blob(step, 1), count: Int(sqlite3_column_bytes(step, 1)))
                guard let inLeaf = AuditRecord.sequence(inLeaf: leaf) else {
                    result.problem = (sequence, "record \(sequence) is not a valid audit record")
                    return
                }
                guard inLeaf == sequence else {
                    result.problem = (sequence, "record \(sequence) holds the leaf of record \(inLeaf) (records were moved)")
                    return
                }
                let hash = MerkleTree.leafHash(leaf)
                let stored = UnsafeRawBufferPointer(start: sqlite3_column_blob(step, 2), count: Int(sqlite3_column_bytes(step, 2)))
                guard hash.matches(stored) else {
                    result.problem = (sequence, "record \(sequence) was changed after it was written (its leaf no longer matches its hash)")
                    return
                }
                accumulator.append(leafHash: hash)
                result.records = accumulator.size
                if next < expected.count, expected[next].size == accumulator.size {
                    guard accumulator.root().bytes == expected[next].root else {
                        result.problem = (Int64(lastCheckpointSize + 1), "records \(lastCheckpointSize + 1)…\(accumulator.size) do not match the signed checkpoint at size \(accumulator.size) (changed together with their hashes)")
                        return
                    }
                    lastCheckpointSize = accumulator.size
                    result.checkpoints += 1
                    next += 1
                }
                if accumulator.size % 100_000 == 0 { progress?(accumulator.size, total) }
            }
        }
        if result.problem != nil { return result }
        progress?(accumulator.size, total)
        if next < expected.count {
            let size = expected[next].size
            result.problem = (Int64(accumulator.size + 1), "the log ends at record \(accumulator.size) but a signed checkpoint covers \(size) records: records \(accumulator.size + 1)…\(size) were removed")
        }
        return result
    }
}
