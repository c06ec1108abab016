import Foundation
import GRDB
import GatehouseCore
import GatehouseTesting
import Testing

@testable import GatehouseLedger

/// Inclusion proofs built from the stored complete subtrees (``AuditSubtrees``) are the proofs the
/// definition gives, however the tree is cut, and a wrong stored hash is caught, never believed.
@Suite struct AuditSubtreesTests {
    typealias Hash = MerkleTree.Hash

    static func leafHashes(_ count: Int, seed: UInt64 = 7) -> [Hash] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in MerkleTree.leafHash((0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
    }

    @Test func theAccumulatorNamesEveryCompleteSubtreeOnceWithItsRoot() {
        let leaves = Self.leafHashes(600)
        var accumulator = MerkleAccumulator()
        var named: [String: Hash] = [:]
        for leaf in leaves {
            accumulator.append(leafHash: leaf) { height, position, hash in
                #expect(named.updateValue(hash, forKey: "\(height)/\(position)") == nil, "named twice: \(height)/\(position)")
            }
        }
        // Every aligned run of 2^h leaves inside the 600, h ≥ 1, and nothing else.
        var expected = 0
        for height in 1...9 {
            let width = 1 << height
            for position in 0..<(600 / width) {
                expected += 1
                #expect(named["\(height)/\(position)"] == MerkleTree.root(of: leaves[(position * width)..<((position + 1) * width)]))
            }
        }
        #expect(named.count == expected)
    }

    /// 70,000 leaf hashes (two heights of stored subtrees: 273 of 256 leaves and one of 65,536)
    /// in a bare database of the two tables: proofs for trees of many sizes, cut every way, lead
    /// to each size's root; with the stored subtrees gone they still do.
    @Test func proofsFromStoredSubtreesEqualTheDefinitionsForEverySizeAndLeaf() async throws {
        let leaves = Self.leafHashes(70_000)
        let queue = try DatabaseQueue()
        try await queue.write { db in
            try db.execute(sql: "CREATE TABLE audit_leaf_hash (sequence INTEGER PRIMARY KEY, hash BLOB NOT NULL)")
            try db.execute(
                sql:
                    "CREATE TABLE audit_subtree (height INTEGER NOT NULL, position INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (height, position))"
            )
            let insert = try db.makeStatement(sql: "INSERT INTO audit_leaf_hash (sequence, hash) VALUES (?, ?)")
            for (offset, leaf) in leaves.enumerated() { try insert.execute(arguments: [offset + 1, Data(leaf.bytes)]) }
        }
        let sizes = [1, 2, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 69_999, 70_000]
        // The root at each size, from one pass (the proofs are checked against them: a proof of
        // the right length that leads to the root is the proof, hashes being collision-free).
        var roots: [Int: Hash] = [:]
        var kept: [AuditSubtrees.Node] = []
        var accumulator = MerkleAccumulator()
        for leaf in leaves {
            accumulator.append(leafHash: leaf) { height, position, hash in
                if AuditSubtrees.kept(height: height) { kept.append(.init(height: height, position: position, hash: hash)) }
            }
            if sizes.contains(accumulator.size) { roots[accumulator.size] = accumulator.root() }
        }
        let store = SQLiteStore(writer: queue)
        try await store.write { [kept] db in
            try AuditSubtrees.store(kept, in: db)
            // Stored twice, as after a restart: kept as they are.
            try AuditSubtrees.store(kept, in: db)
        }
        let stored = try await store.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT height, COUNT(*) AS n FROM audit_subtree GROUP BY height ORDER BY height")
        }
        #expect(stored.map { [$0["height"], $0["n"]] as [Int] } == [[8, 273], [16, 1]])

        var random = SplitMix64(seed: 11)
        func check(_ label: String, sizes: [Int], random count: Int) throws {
            for size in sizes {
                var indices: Set<Int> = [0, size - 1, size / 2]
                for _ in 0..<count { indices.insert(Int(random.next() % UInt64(size))) }
                for index in indices {
                    let proof = try store.readNow { db in try AuditSubtrees.inclusionProof(index: index, size: size, in: db) }
                    let verified = proof.map {
                        MerkleTree.verifyInclusion(
                            leafHash: leaves[index],
                            index: index,
                            size: size,
                            proof: $0,
                            root: roots[size] ?? MerkleTree.emptyRoot
                        )
                    }
                    #expect(verified == true, "\(label): leaf \(index) of \(size)")
                }
            }
            #expect(try store.readNow { db in try AuditSubtrees.inclusionProof(index: 5, size: 5, in: db) } == nil)
        }
        try check("stored", sizes: sizes, random: 5)
        try await store.write { db in try db.run(sql: "DELETE FROM audit_subtree") }
        // Each proof then rehashes up to the whole tree: fewer of them.
        try check("from leaves only", sizes: [257, 513, 65_537], random: 0)
    }

    /// On a real log, on each backend: the checkpoints store the subtrees as the log grows, a
    /// record's proof verifies, and a changed stored hash makes the proof refuse and `audit
    /// verify` name it.
    @Test(arguments: LedgerBackend.available) func checkpointsKeepTheSubtreesAndAWrongOneIsNeverBelieved(_ backend: LedgerBackend) async throws {
        let (log, key) = try await Fixtures.checkpointedLog(records: 600, every: 100, on: backend)
        let rows = try await log.rows("SELECT height, position FROM audit_subtree ORDER BY height, position")
        #expect(rows.map { [$0["height"], $0["position"]] as [Int] } == [[8, 0], [8, 1]])
        for record in [1, 255, 256, 257, 512, 513, 600] as [Int64] {
            let proof = try log.reader.proof(of: record)
            #expect(proof.contains("\nindex \(record - 1)\n"))
        }
        #expect(try log.reader.verify(verifiers: [key.signer.verifier]).intact)

        // A log older than the table: the first checkpoint of the next run stores its subtrees,
        // even with nothing new to sign.
        try await log.execute("DELETE FROM audit_subtree")
        let restarted = SQLLedger(store: log.store, contentKey: .ephemeral())
        #expect(try await restarted.checkpoint(origin: "acme.example/gatehouse", signer: key.signer, at: Date()) == nil)
        #expect(try await log.rows("SELECT height FROM audit_subtree").count == 2)

        try await log.execute("UPDATE audit_subtree SET hash = ? WHERE height = 8 AND position = 1", [Data(repeating: 7, count: 32)])
        // Records 1 and 600 have leaves 257…512 on their paths (a sibling of 256 leaves; one of
        // 512); record 300 is among those leaves, which its path takes from the leaf hashes.
        #expect(throws: LedgerError.self) { try log.reader.proof(of: 1) }
        #expect(throws: LedgerError.self) { try log.reader.proof(of: 600) }
        _ = try log.reader.proof(of: 300)
        let verification = try log.reader.verify(verifiers: [key.signer.verifier])
        #expect(verification.problem?.reason.contains("records 257…512 (kept for inclusion proofs) is wrong") == true)
    }
}
