import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// `audit verify` against an attacker who can write the database (the SQLite file, or PostgreSQL
/// with the tables' owner's rights): each kind of tampering is caught and the first bad record named.
@Suite struct AuditVerifyTests {
    /// A ledger with `count` crossing records and a checkpoint after every `every` records.
    func ledger(_ backend: LedgerBackend, records count: Int, checkpointEvery every: Int) async throws -> (TestLedger, [NoteVerifier]) {
        let log = try await Fixtures.checkpointedLog(records: count, every: every, on: backend)
        return (log.log, [log.key.signer.verifier])
    }

    func verify(_ log: TestLedger, _ verifiers: [NoteVerifier]) throws -> AuditVerification {
        try log.reader.verify(verifiers: verifiers, origin: "acme.example/gatehouse")
    }

    /// Removes the records whose sequence is `condition` (`= 5`, `> 16`), with what refers to them.
    func remove(_ log: TestLedger, _ condition: String) async throws {
        for statement in [
            "DELETE FROM content WHERE record \(condition)", "DELETE FROM outbox WHERE crossing \(condition)",
            "DELETE FROM audit_leaf_hash WHERE sequence \(condition)", "DELETE FROM audit_record WHERE sequence \(condition)",
        ] {
            try await log.tamper(statement)
        }
    }

    /// The statement that turns a leaf's `"block"` into `"hold"`, bytes edited as text.
    func blockToHold(_ log: TestLedger, where condition: String) -> String {
        switch log.store.dialect {
        case .sqlite: "UPDATE audit_record SET leaf = CAST(REPLACE(CAST(leaf AS TEXT), '\"block\"', '\"hold\"') AS BLOB) WHERE \(condition)"
        case .postgres:
            "UPDATE audit_record SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '\"block\"', '\"hold\"'), 'UTF8') WHERE \(condition)"
        }
    }

    @Test(arguments: LedgerBackend.available) func anIntactLogVerifiesEveryCheckpoint(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        let result = try verify(log, verifiers)
        #expect(result.intact)
        #expect(result.records == 25 && result.checkpoints == 3 && result.signaturesChecked)
    }

    @Test(arguments: LedgerBackend.available) func aChangedByteIsNamed(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        try await log.tamper(blockToHold(log, where: "sequence = 7"))
        let result = try verify(log, verifiers)
        #expect(result.problem?.record == 7)
        #expect(result.problem?.reason.contains("changed") == true)
    }

    /// Large logs are hashed in batches shared between threads: the first bad record is still the
    /// one named, wherever it falls in a batch.
    /// On SQLite only: its scan hands records to the hashing batches straight from the C API; on
    /// PostgreSQL the same batches are fed from pages of 10,000, which the small logs cover.
    @Test(arguments: [LedgerBackend.sqlite], [3000, 4796, 5000])
    func aChangedByteInALargeLogIsNamed(_ backend: LedgerBackend, _ sequence: Int) async throws {
        let (log, verifiers) = try await ledger(backend, records: 5000, checkpointEvery: 1000)
        #expect(try verify(log, verifiers).intact)
        try await log.tamper(blockToHold(log, where: "sequence IN (?, ?)"), [sequence, sequence + 1])
        let result = try verify(log, verifiers)
        #expect(result.problem?.record == Int64(sequence))
        #expect(result.records == sequence - 1)
    }

    @Test(arguments: LedgerBackend.available) func aChangeWithItsHashRecomputedBreaksTheSignedRoot(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        let leaf: Data = try #require(try await log.rows("SELECT leaf FROM audit_record WHERE sequence = 13").first)["leaf"]
        let forged = Data(String(decoding: leaf, as: UTF8.self).replacingOccurrences(of: "\"block\"", with: "\"hold\"").utf8)
        try await log.tamper("UPDATE audit_record SET leaf = ? WHERE sequence = 13", [forged])
        try await log.tamper("UPDATE audit_leaf_hash SET hash = ? WHERE sequence = 13", [Data(MerkleTree.leafHash(forged).bytes)])
        let result = try verify(log, verifiers)
        #expect(result.problem?.record == 11)
        #expect(result.problem?.reason.contains("11…20") == true)
    }

    @Test(arguments: LedgerBackend.available) func aDeletedRecordIsNamed(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        try await remove(log, "= 5")
        #expect(try verify(log, verifiers).problem?.record == 5)
    }

    @Test(arguments: LedgerBackend.available) func swappedRecordsAreNamed(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        try await log.tamper("UPDATE audit_record SET leaf = (SELECT leaf FROM audit_record WHERE sequence = 9) WHERE sequence = 3")
        try await log.tamper("UPDATE audit_leaf_hash SET hash = (SELECT hash FROM audit_leaf_hash WHERE sequence = 9) WHERE sequence = 3")
        let result = try verify(log, verifiers)
        #expect(result.problem?.record == 3)
        #expect(result.problem?.reason.contains("moved") == true)
    }

    @Test(arguments: LedgerBackend.available) func aTruncatedTailIsNamed(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        try await remove(log, "> 16")
        let result = try verify(log, verifiers)
        #expect(result.problem?.record == 17)
        #expect(result.problem?.reason.contains("removed") == true)
    }

    @Test(arguments: LedgerBackend.available) func aForgedCheckpointIsRejected(_ backend: LedgerBackend) async throws {
        let (log, verifiers) = try await ledger(backend, records: 25, checkpointEvery: 10)
        // The attacker signs with a key of their own under the log's name.
        let forger = try NoteSigner.generate(name: "acme.example/gatehouse")
        let forged = try Checkpoint(origin: "acme.example/gatehouse", size: 20, rootHash: [UInt8](repeating: 7, count: 32)).sign(with: forger.signer)
        try await log.tamper("UPDATE checkpoint SET note = ?, root = ? WHERE size = 20", [forged, Data(repeating: 7, count: 32)])
        let result = try verify(log, verifiers)
        #expect(!result.intact)
        #expect(result.problem?.record == nil)
        #expect(result.problem?.reason.contains("size 20") == true)
    }
}
