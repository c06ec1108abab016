import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// `audit verify` against an attacker who can write the SQLite file: each kind of tampering is
/// caught and the first bad record named.
@Suite struct AuditVerifyTests {
    /// A ledger with `count` crossing records and a checkpoint after every `every` records.
    func ledger(records count: Int, checkpointEvery every: Int) async throws -> (DatabaseQueue, [NoteVerifier]) {
        let log = try await Fixtures.checkpointedLog(records: count, every: every)
        return (log.queue, [log.key.signer.verifier])
    }

    func verify(_ queue: DatabaseQueue, _ verifiers: [NoteVerifier]) throws -> AuditVerification {
        try LedgerReader(reader: queue).verify(verifiers: verifiers, origin: "acme.example/gatehouse")
    }

    /// What an attacker does first: switch off the append-only triggers.
    func tamper(_ queue: DatabaseQueue, _ sql: String, _ arguments: StatementArguments = []) throws {
        try queue.write { db in
            for trigger in [
                "audit_record_no_update", "audit_record_no_delete", "audit_leaf_hash_no_update", "audit_leaf_hash_no_delete", "checkpoint_no_update",
                "checkpoint_no_delete",
            ] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
            try db.execute(sql: sql, arguments: arguments)
        }
    }

    @Test func anIntactLogVerifiesEveryCheckpoint() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        let result = try verify(queue, verifiers)
        #expect(result.intact)
        #expect(result.records == 25 && result.checkpoints == 3 && result.signaturesChecked)
    }

    @Test func aChangedByteIsNamed() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        try tamper(queue, "UPDATE audit_record SET leaf = CAST(REPLACE(CAST(leaf AS TEXT), '\"block\"', '\"hold\"') AS BLOB) WHERE sequence = 7")
        let result = try verify(queue, verifiers)
        #expect(result.problem?.record == 7)
        #expect(result.problem?.reason.contains("changed") == true)
    }

    /// Large logs are hashed in batches shared between threads: the first bad record is still the
    /// one named, wherever it falls in a batch.
    @Test(arguments: [3000, 4796, 5000])
    func aChangedByteInALargeLogIsNamed(_ sequence: Int) async throws {
        let (queue, verifiers) = try await ledger(records: 5000, checkpointEvery: 1000)
        #expect(try verify(queue, verifiers).intact)
        try tamper(
            queue,
            "UPDATE audit_record SET leaf = CAST(REPLACE(CAST(leaf AS TEXT), '\"block\"', '\"hold\"') AS BLOB) WHERE sequence IN (?, ?)",
            [sequence, sequence + 1]
        )
        let result = try verify(queue, verifiers)
        #expect(result.problem?.record == Int64(sequence))
        #expect(result.records == sequence - 1)
    }

    @Test func aChangeWithItsHashRecomputedBreaksTheSignedRoot() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        let leaf = try await queue.read { try Data.fetchOne($0, sql: "SELECT leaf FROM audit_record WHERE sequence = 13") } ?? Data()
        let forged = Data(String(decoding: leaf, as: UTF8.self).replacingOccurrences(of: "\"block\"", with: "\"hold\"").utf8)
        try tamper(queue, "UPDATE audit_record SET leaf = ? WHERE sequence = 13", [forged])
        try tamper(queue, "UPDATE audit_leaf_hash SET hash = ? WHERE sequence = 13", [Data(MerkleTree.leafHash(forged).bytes)])
        let result = try verify(queue, verifiers)
        #expect(result.problem?.record == 11)
        #expect(result.problem?.reason.contains("11…20") == true)
    }

    @Test func aDeletedRecordIsNamed() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        try tamper(
            queue,
            "DELETE FROM content WHERE record = 5; DELETE FROM outbox WHERE crossing = 5; DELETE FROM audit_leaf_hash WHERE sequence = 5; DELETE FROM audit_record WHERE sequence = 5"
        )
        #expect(try verify(queue, verifiers).problem?.record == 5)
    }

    @Test func swappedRecordsAreNamed() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        try tamper(
            queue,
            """
            UPDATE audit_record SET leaf = (SELECT leaf FROM audit_record WHERE sequence = 9) WHERE sequence = 3;
            UPDATE audit_leaf_hash SET hash = (SELECT hash FROM audit_leaf_hash WHERE sequence = 9) WHERE sequence = 3
            """
        )
        let result = try verify(queue, verifiers)
        #expect(result.problem?.record == 3)
        #expect(result.problem?.reason.contains("moved") == true)
    }

    @Test func aTruncatedTailIsNamed() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        try tamper(
            queue,
            "DELETE FROM content WHERE record > 16; DELETE FROM outbox WHERE crossing > 16; DELETE FROM audit_leaf_hash WHERE sequence > 16; DELETE FROM audit_record WHERE sequence > 16"
        )
        let result = try verify(queue, verifiers)
        #expect(result.problem?.record == 17)
        #expect(result.problem?.reason.contains("removed") == true)
    }

    @Test func aForgedCheckpointIsRejected() async throws {
        let (queue, verifiers) = try await ledger(records: 25, checkpointEvery: 10)
        // The attacker signs with a key of their own under the log's name.
        let forger = try NoteSigner.generate(name: "acme.example/gatehouse")
        let forged = try Checkpoint(origin: "acme.example/gatehouse", size: 20, rootHash: [UInt8](repeating: 7, count: 32)).sign(with: forger.signer)
        try tamper(queue, "UPDATE checkpoint SET note = ?, root = ? WHERE size = 20", [forged, Data(repeating: 7, count: 32)])
        let result = try verify(queue, verifiers)
        #expect(!result.intact)
        #expect(result.problem?.record == nil)
        #expect(result.problem?.reason.contains("size 20") == true)
    }
}
