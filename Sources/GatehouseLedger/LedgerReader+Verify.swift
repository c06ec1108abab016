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

/// What checking the stored content against the log's commitments found.
public struct ContentVerification: Sendable {
    /// Crossings whose stored bodies matched their commitments.
    public var checked: Int
    /// Crossings recorded before leaves held commitments: their bodies cannot be checked.
    public var uncommitted: Int
    /// The first record whose stored content does not match its commitment.
    public var problem: (record: Int64, reason: String)?
}

extension LedgerReader {
    /// Checks every body still in the content store against the keyed commitments in its
    /// crossing's leaf: content is stored apart from the log (so that it can expire), and this is
    /// what shows it was not changed since. Needs the content key (``ContentKey``).
    public func verifyContent(key: ContentKey) throws -> ContentVerification {
        var result = ContentVerification(checked: 0, uncommitted: 0)
        var after: Int64 = 0
        while true {
            let rows = try store.readNow { db in
                try SQLRow.fetchAll(
                    db,
                    sql: """
                        SELECT c.record, c.received, c.decided, c.received_payload, c.decided_payload, a.leaf FROM content c JOIN audit_record a ON a.sequence = c.record
                        WHERE c.record > ? ORDER BY c.record LIMIT 1000
                        """,
                    arguments: [after]
                )
            }
            guard let last = rows.last else { return result }
            for row in rows {
                let sequence: Int64 = row["record"]
                guard let hmac = try AuditRecord.decode(leaf: row["leaf"]).contentHMAC else {
                    result.uncommitted += 1
                    continue
                }
                for (column, commitment) in [("received", hmac.received), ("decided", hmac.decided)] {
                    guard key.isCommitment(commitment, to: row[column] ?? "", payload: row["\(column)_payload"]) else {
                        result.problem = (
                            sequence,
                            "the \(column) content of record \(sequence) was changed after it was written (it no longer matches the commitment in its leaf)"
                        )
                        return result
                    }
                }
                result.checked += 1
            }
            after = last["record"]
        }
    }

    /// Records hashed together: enough to keep both cores busy, few enough to stay in cache.
    static let verifyBatch = 4096

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
        let (checkpoints, total, subtreeRows) = try store.readNow { db in
            (
                try SQLRow.fetchAll(db, sql: "SELECT size, root, note FROM checkpoint ORDER BY size"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_record") ?? 0,
                try SQLRow.fetchAll(db, sql: "SELECT height, position, hash FROM audit_subtree")
            )
        }
        // The stored subtree hashes the proofs are built from (AuditSubtrees): a wrong one could
        // never pass off a false proof (each is checked against a signed root), but it would make
        // true ones fail, so it is named here.
        var subtrees: [Int: [Int: Data]] = [:]
        for row in subtreeRows { subtrees[row["height"], default: [:]][row["position"]] = row["hash"] }
        // Every checkpoint first: its note must be well formed, signed (when keys are given) and
        // agree with the size and root stored beside it.
        var expected: [(size: Int, root: [UInt8])] = []
        for row in checkpoints {
            let size: Int = row["size"]
            let note: String = row["note"]
            let root: Data = row["root"]
            do {
                let checkpoint =
                    verifiers.isEmpty
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
        // Two batches in turn: while a worker thread hashes one, this thread reads the next from
        // SQLite and then folds the hashed one into the tree, so both cores stay busy.
        let batches = [LeafBatch(capacity: Self.verifyBatch), LeafBatch(capacity: Self.verifyBatch)]
        var batch = batches[0]
        var hashing: LeafBatch?
        let worker = DispatchGroup()
        // No worker may outlive the batches it borrows.
        defer { worker.wait() }
        /// Folds a hashed batch into the tree in order, checking each record's hash and every
        /// checkpoint reached; false at the first problem.
        func fold(_ batch: LeafBatch) -> Bool {
            for index in 0..<batch.count {
                let sequence = batch.sequences[index]
                guard batch.matched[index] else {
                    result.problem = (sequence, "record \(sequence) was changed after it was written (its leaf no longer matches its hash)")
                    return false
                }
                var wrongSubtree: (height: Int, position: Int)?
                accumulator.append(leafHash: batch.hashes[index]) { height, position, hash in
                    if let stored = subtrees[height]?[position], stored != Data(hash.bytes) { wrongSubtree = (height, position) }
                }
                if let (height, position) = wrongSubtree {
                    let first = position << height + 1
                    result.problem = (
                        nil,
                        "the stored hash of records \(first)…\(first + 1 << height - 1) (kept for inclusion proofs) is wrong: proofs through it would fail; the records themselves are intact up to \(accumulator.size)"
                    )
                    return false
                }
                result.records = accumulator.size
                if next < expected.count, expected[next].size == accumulator.size {
                    guard accumulator.root().bytes == expected[next].root else {
                        result.problem = (
                            Int64(lastCheckpointSize + 1),
                            "records \(lastCheckpointSize + 1)…\(accumulator.size) do not match the signed checkpoint at size \(accumulator.size) (changed together with their hashes)"
                        )
                        return false
                    }
                    lastCheckpointSize = accumulator.size
                    result.checkpoints += 1
                    next += 1
                }
                if accumulator.size % 100_000 == 0 { progress?(accumulator.size, total) }
            }
            return true
        }
        // A problem found while reading, reported once the records before it are checked.
        var pending: (record: Int64, reason: String)?
        // A problem found while folding: reported at once.
        var failed = false
        // Records read so far (the tree lags behind by the batches not yet folded).
        var read: Int64 = 0
        /// Takes the next record read, in sequence order; false to stop reading.
        func take(sequence: Int64, leaf: UnsafeRawBufferPointer, storedHash: UnsafeRawBufferPointer) -> Bool {
            let position = read + 1
            guard sequence == position else {
                pending = (position, "record \(position) is missing (the next record is \(sequence))")
                return false
            }
            guard let inLeaf = AuditRecord.sequence(inLeaf: leaf) else {
                pending = (sequence, "record \(sequence) is not a valid audit record")
                return false
            }
            guard inLeaf == sequence else {
                pending = (sequence, "record \(sequence) holds the leaf of record \(inLeaf) (records were moved)")
                return false
            }
            batch.add(sequence: sequence, leaf: leaf, storedHash: storedHash)
            read += 1
            if batch.count == Self.verifyBatch {
                worker.wait()
                if let hashed = hashing {
                    guard fold(hashed) else {
                        failed = true
                        return false
                    }
                }
                let full = batch
                DispatchQueue.global().async(group: worker) { full.hash() }
                hashing = full
                batch = full === batches[0] ? batches[1] : batches[0]
                batch.removeAll()
            }
            return true
        }
        // One read transaction: a consistent snapshot of the whole log.
        if let sqlite = store as? SQLiteStore {
            try sqlite.reader.read { db in try Self.scan(db, take) }
        } else {
            try store.readNow { db in try Self.scan(db, take) }
        }
        if failed { return result }
        worker.wait()
        if let hashed = hashing { guard fold(hashed) else { return result } }
        batch.hash()
        guard fold(batch) else { return result }
        if let pending { result.problem = pending }
        if result.problem != nil { return result }
        progress?(accumulator.size, total)
        if next < expected.count {
            let size = expected[next].size
            result.problem = (
                Int64(accumulator.size + 1),
                "the log ends at record \(accumulator.size) but a signed checkpoint covers \(size) records: records \(accumulator.size + 1)…\(size) were removed"
            )
        }
        return result
    }
}

extension LedgerReader {
    /// Reads SQLite's records and their stored hashes by two cursors in step (a merge join: both
    /// tables are in sequence order), through SQLite's C API: each leaf and hash read in place,
    /// no index searched per record.
    static func scan(_ db: Database, _ take: (Int64, UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws {
        let records = try db.makeStatement(sql: "SELECT sequence, leaf FROM audit_record ORDER BY sequence")
        let hashes = try db.makeStatement(sql: "SELECT sequence, hash FROM audit_leaf_hash ORDER BY sequence")
        let step = records.sqliteStatement
        let hashStep = hashes.sqliteStatement
        defer {
            sqlite3_reset(step)
            sqlite3_reset(hashStep)
        }
        var hashStatus = sqlite3_step(hashStep)
        while true {
            let status = sqlite3_step(step)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: status)) }
            let sequence = sqlite3_column_int64(step, 0)
            let leaf = UnsafeRawBufferPointer(start: sqlite3_column_blob(step, 1), count: Int(sqlite3_column_bytes(step, 1)))
            while hashStatus == SQLITE_ROW, sqlite3_column_int64(hashStep, 0) < sequence { hashStatus = sqlite3_step(hashStep) }
            guard hashStatus == SQLITE_ROW || hashStatus == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: hashStatus)) }
            // A record whose hash row is gone compares against nothing, and so does not match.
            let stored =
                hashStatus == SQLITE_ROW && sqlite3_column_int64(hashStep, 0) == sequence
                ? UnsafeRawBufferPointer(start: sqlite3_column_blob(hashStep, 1), count: Int(sqlite3_column_bytes(hashStep, 1)))
                : UnsafeRawBufferPointer(start: nil, count: 0)
            guard take(sequence, leaf, stored) else { return }
        }
    }

    /// Reads the records and their stored hashes in pages, on any backend.
    static func scan(_ db: any SQLSession, _ take: (Int64, UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws {
        var after: Int64 = 0
        while true {
            let rows = try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT a.sequence, a.leaf, h.hash FROM audit_record a LEFT JOIN audit_leaf_hash h ON h.sequence = a.sequence
                    WHERE a.sequence > ? ORDER BY a.sequence LIMIT 10000
                    """,
                arguments: [after]
            )
            for row in rows {
                let sequence: Int64 = row["sequence"]
                let leaf: Data = row["leaf"]
                let hash: Data = row["hash"] ?? Data()
                let more = leaf.withUnsafeBytes { leaf in hash.withUnsafeBytes { hash in take(sequence, leaf, hash) } }
                guard more else { return }
                after = sequence
            }
            if rows.count < 10000 { return }
        }
    }
}

/// A batch of leaves copied out of SQLite rows, hashed on a worker thread, then folded into the
/// tree in order. Reference-typed and reused: the reader fills one while the worker hashes the
/// other, and the `DispatchGroup` they hand over through orders every access.
final class LeafBatch: @unchecked Sendable {
    // Accessed per record from tight loops; the DispatchGroup hand-over already orders all access,
    // so the runtime exclusivity checks are turned off.
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var sequences: [Int64] = []
    @exclusivity(unchecked) private(set) var hashes: [MerkleTree.Hash] = []
    /// Whether each leaf hashed to the hash stored with it.
    @exclusivity(unchecked) private(set) var matched: [Bool] = []
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    /// Where each leaf ends in `bytes`.
    @exclusivity(unchecked) private var ends: [Int] = []
    /// The stored hashes; a missing or malformed one is all zeros with `hasStored` false.
    @exclusivity(unchecked) private var stored: [SIMD32<UInt8>] = []
    @exclusivity(unchecked) private var hasStored: [Bool] = []

    init(capacity: Int) {
        sequences.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        stored.reserveCapacity(capacity)
        hasStored.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
        matched.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 512)
    }

    func add(sequence: Int64, leaf: UnsafeRawBufferPointer, storedHash: UnsafeRawBufferPointer) {
        sequences.append(sequence)
        bytes.append(contentsOf: leaf)
        ends.append(bytes.count)
        let valid = storedHash.count == MerkleTree.Hash.byteCount
        stored.append(valid ? storedHash.loadUnaligned(as: SIMD32<UInt8>.self) : SIMD32())
        hasStored.append(valid)
        count += 1
    }

    /// Hashes every leaf and compares it with the stored hash.
    func hash() {
        hashes.removeAll(keepingCapacity: true)
        matched.removeAll(keepingCapacity: true)
        bytes.withUnsafeBytes { bytes in
            var start = 0
            for index in 0..<count {
                let hash = MerkleTree.leafHash(UnsafeRawBufferPointer(rebasing: bytes[start..<ends[index]]))
                hashes.append(hash)
                matched.append(hasStored[index] && hash.storage == stored[index])
                start = ends[index]
            }
        }
    }

    func removeAll() {
        count = 0
        sequences.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        stored.removeAll(keepingCapacity: true)
        hasStored.removeAll(keepingCapacity: true)
    }
}
