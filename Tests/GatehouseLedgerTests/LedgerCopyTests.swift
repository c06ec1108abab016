import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// `gatehouse ledger copy`: a SQLite ledger into an empty one, every row, the proofs intact.
@Suite struct LedgerCopyTests {
    @Test(arguments: LedgerBackend.available) func aCopyVerifiesProvesAlikeAndGoesOn(_ backend: LedgerBackend) async throws {
        let original = try await Fixtures.checkpointedLog(records: 25, every: 10)
        let source = original.log
        // A held job with a review and a vote, a ticket and a cursor: the copy goes on from them.
        _ = try await source.ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "held", text: "held"),
                crossings: [Crossing(route: "r", source: "s", destination: "news", direction: .outbound, verdict: .hold, findings: [], text: "held")],
                configRevision: "rev",
                receivedAt: Date(timeIntervalSince1970: 1_790_000_100)
            )
        )
        let held = try #require(try await source.ledger.jobs(in: .held, limit: 1).first)
        _ = try await source.ledger.vote(held, by: .root, approve: true, reason: "ok", needed: 2, at: Date(timeIntervalSince1970: 1_790_000_200))
        try await source.ledger.saveCursor("4711", for: "tg")
        _ = try await source.ledger.checkpoint(origin: "acme.example/gatehouse", signer: original.key.signer, at: Date())

        let target = try await backend.open()
        let report = try await LedgerCopy.copy(from: source.store, to: target.store)
        #expect(report.rows.first { $0.table == "audit_record" }?.count == 27)

        let verification = try target.reader.verify(verifiers: [original.key.signer.verifier], origin: "acme.example/gatehouse")
        #expect(verification.intact && verification.records == 27 && verification.checkpoints == 4)
        for record in [1, 13, 27] as [Int64] {
            #expect(try target.reader.proof(of: record) == source.reader.proof(of: record))
        }
        // The copy goes on where the original stopped: the same queue, review, cursor and dedup.
        #expect(try await target.ledger.jobs(in: .held, limit: 5).map(\.id) == [held.id])
        #expect(try await target.ledger.review(job: held.id)?.votes.count == 1)
        #expect(try await target.ledger.cursor(for: "tg") == "4711")
        #expect(try await target.ledger.commit(Fixtures.intakeForCopy("m3")) == .duplicate)
        guard case .committed(_, let jobs) = try await target.ledger.commit(Fixtures.intakeForCopy("new")) else {
            Issue.record("a new event was not committed on the copy")
            return
        }
        #expect(jobs.first.map { $0.id > held.id } == true)
        // Never into a ledger that holds records.
        await #expect(throws: LedgerError.self) { try await LedgerCopy.copy(from: source.store, to: target.store) }
    }
}

extension Fixtures {
    /// An intake as checkpointedLog commits them (message `id` in conversation cid).
    static func intakeForCopy(_ id: String) -> Intake {
        Intake(
            envelope: envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
            crossings: [Crossing(route: "r", source: "s", destination: "d", direction: .outbound, verdict: .forward, findings: [], text: "x")],
            configRevision: "rev",
            receivedAt: Date()
        )
    }
}
