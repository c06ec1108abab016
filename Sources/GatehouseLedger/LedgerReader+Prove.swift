import Foundation

extension LedgerReader {
    /// A C2SP tlog-proof (`c2sp.org/tlog-proof@v1`) that record `sequence` is in the log: the
    /// leaf's exact bytes as `extra`, its index (sequence − 1), the RFC 6962 inclusion path, and the
    /// newest signed checkpoint that covers it — all an auditor needs to check it offline.
    public func proof(of sequence: Int64) throws -> String {
        try store.readNow { db in try Self.proof(of: sequence, in: db) }
    }

    static func proof(of sequence: Int64, in db: any SQLSession) throws -> String {
        let checkpoint = try SQLRow.fetchOne(
            db,
            sql: "SELECT size, note FROM checkpoint WHERE size >= ? ORDER BY size DESC LIMIT 1",
            arguments: [sequence]
        )
        let leaf = try Data.fetchOne(db, sql: "SELECT leaf FROM audit_record WHERE sequence = ?", arguments: [sequence])
        guard let leaf else { throw LedgerError.missing("there is no record \(sequence)") }
        guard let checkpoint else {
            throw LedgerError.missing("no checkpoint covers record \(sequence) yet; the daemon writes one every checkpoint_every")
        }
        let size: Int = checkpoint["size"]
        let note: String = checkpoint["note"]
        let index = Int(sequence) - 1
        // From the stored subtrees and two blocks of leaf hashes (AuditSubtrees), not every leaf.
        let path = try AuditSubtrees.inclusionProof(index: index, size: size, in: db)
        guard let path,
            let parsed = try? Checkpoint(parsing: SignedNote(parsing: note).text),
            let root = MerkleTree.Hash(bytes: parsed.rootHash),
            MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(leaf), index: index, size: size, proof: path, root: root)
        else {
            // Never hand out a proof that does not verify: the log needs `audit verify`.
            throw LedgerError.corrupt("record \(sequence) does not prove against the checkpoint at size \(size); run audit verify")
        }
        var lines = ["c2sp.org/tlog-proof@v1", "extra \(leaf.base64EncodedString())", "index \(index)"]
        lines += path.map(\.base64)
        return lines.joined(separator: "\n") + "\n\n" + note
    }
}
