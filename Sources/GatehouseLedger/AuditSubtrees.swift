import Foundation

/// The stored hashes of the audit tree's complete subtrees of 2^8, 2^16, 2^24 … leaves (table
/// `audit_subtree`), and the inclusion proofs built from them.
///
/// A proof for one record of a million needs about twenty sibling hashes, most of them over
/// hundreds of thousands of leaves. Recomputing those from the leaf hashes reads every leaf hash
/// of the log (seconds); with the subtrees of every 256th height stored, each sibling is the root
/// over at most 255 stored hashes of one height, and the siblings smaller than 256 leaves lie in
/// the record's own block of 256 or in the last, partial block. The stored hashes are trusted
/// for nothing: the proof is checked against the signed checkpoint before anyone gets it, so a
/// wrong stored hash makes a proof fail, never a false one pass.
enum AuditSubtrees {
    /// Heights kept: the multiples of this (2^8 = 256 leaves, as C2SP tlog-tiles' tiles).
    static let spacing = 8

    /// The leaves in the smallest kept subtree.
    static let block = 1 << spacing

    /// One kept subtree.
    struct Node: Sendable {
        var height: Int
        var position: Int
        var hash: MerkleTree.Hash
    }

    /// Whether a subtree the tree completed is one to keep.
    static func kept(height: Int) -> Bool {
        height % spacing == 0
    }

    /// Stores subtrees (those already there are left as they are: the first checkpoint after the
    /// ledger opens hands in again everything a previous run stored).
    static func store(_ nodes: [Node], in db: any SQLSession) throws {
        for start in stride(from: 0, to: nodes.count, by: 300) {
            let rows = nodes[start..<min(start + 300, nodes.count)]
            var values: [SQLValue] = []
            values.reserveCapacity(rows.count * 3)
            for node in rows {
                values += [.integer(Int64(node.height)), .integer(Int64(node.position)), .blob(Data(node.hash.bytes))]
            }
            try db.run(
                sql: "INSERT INTO audit_subtree (height, position, hash) VALUES "
                    + Array(repeating: "(?, ?, ?)", count: rows.count).joined(separator: ", ")
                    + " ON CONFLICT DO NOTHING",
                arguments: SQLArguments(values: values)
            )
        }
    }

    /// PATH(index, D[0:size]) from the stored subtrees and at most two blocks of leaf hashes.
    static func inclusionProof(index: Int, size: Int, in db: any SQLSession) throws -> [MerkleTree.Hash]? {
        var reader = Reader(db: db)
        return try MerkleTree.inclusionProof(index: index, size: size) { try reader.root(of: $0) }
    }

    /// MTH over any subtree range of the log, from what is stored; reads each block of leaf
    /// hashes once.
    struct Reader {
        let db: any SQLSession
        private var blocks: [Int: [MerkleTree.Hash]] = [:]

        init(db: any SQLSession) {
            self.db = db
        }

        mutating func root(of range: Range<Int>) throws -> MerkleTree.Hash {
            let count = range.count
            let height = count.trailingZeroBitCount
            // A range of the tree's split holding 2^height leaves starts at a multiple of it.
            if count == 1 << height, height >= AuditSubtrees.spacing {
                let kept = height - height % AuditSubtrees.spacing
                let first = range.lowerBound >> kept
                let wanted = count >> kept
                let hashes = try Data.fetchAll(
                    db,
                    sql: "SELECT hash FROM audit_subtree WHERE height = ? AND position >= ? AND position < ? ORDER BY position",
                    arguments: [kept, first, first + wanted]
                )
                .compactMap { MerkleTree.Hash(bytes: $0) }
                if hashes.count == wanted { return MerkleTree.root(of: hashes) }
                // Not stored (yet): a ledger opened by a program that has signed no checkpoint
                // since the table was made. Halves, down to the leaf hashes.
            }
            if count >= AuditSubtrees.block {
                let split = range.lowerBound + MerkleTree.largestPowerOfTwo(below: count)
                let left = try root(of: range.lowerBound..<split)
                return MerkleTree.nodeHash(left, try root(of: split..<range.upperBound))
            }
            // Fewer than 256 leaves: inside one block of 256.
            let number = range.lowerBound / AuditSubtrees.block
            let start = number * AuditSubtrees.block
            let leaves = try block(number)
            guard range.upperBound - start <= leaves.count else {
                throw LedgerError.corrupt("leaf hashes \(range.lowerBound + 1)…\(range.upperBound) are missing")
            }
            return MerkleTree.root(of: leaves[(range.lowerBound - start)..<(range.upperBound - start)])
        }

        private mutating func block(_ number: Int) throws -> [MerkleTree.Hash] {
            if let leaves = blocks[number] { return leaves }
            // Sequences count from 1: leaf i is record i + 1.
            let leaves = try Data.fetchAll(
                db,
                sql: "SELECT hash FROM audit_leaf_hash WHERE sequence > ? AND sequence <= ? ORDER BY sequence",
                arguments: [number * AuditSubtrees.block, (number + 1) * AuditSubtrees.block]
            )
            .compactMap { MerkleTree.Hash(bytes: $0) }
            blocks[number] = leaves
            return leaves
        }
    }
}
