import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// The lease instances on one PostgreSQL ledger take turns by: one holder at a time, the next
/// token on each takeover, and a holder whose lease is gone writes nothing.
@Suite(.enabled(if: LedgerBackend.postgresURL != nil, "needs GATEHOUSE_TEST_POSTGRES"))
struct LedgerLeaseTests {
    func intake(_ id: String) -> Intake {
        Intake(
            envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
            crossings: [Crossing(route: "r", source: "s", destination: "news", direction: .outbound, verdict: .forward, findings: [], text: id)],
            configRevision: "rev",
            receivedAt: Date()
        )
    }

    @Test func oneHolderAtATimeAndAStaleHolderCannotWrite() async throws {
        let first = try await LedgerBackend.freshSchema()
        // The second instance: its own connections to the same tables.
        let second = try await PostgresStore.open(first.location)
        let a = LedgerLease(store: first, holder: "a", duration: .seconds(30))
        let b = LedgerLease(store: second, holder: "b", duration: .seconds(30))
        let ledgerA = SQLLedger(store: first, contentKey: .ephemeral())
        let ledgerB = SQLLedger(store: second, contentKey: .ephemeral())

        let heldA = try #require(try await a.acquire())
        #expect(try await b.acquire() == nil)
        let seen = try #require(try await b.current())
        #expect(seen.holder == "a" && seen.token == heldA.token && !seen.expired)
        // What a standby times its next try by.
        #expect(seen.remaining > .seconds(25) && seen.remaining <= .seconds(30))
        a.fence(heldA)
        guard case .committed = try await ledgerA.commit(intake("m1")) else {
            Issue.record("the holder could not write")
            return
        }
        #expect(try await a.renew(heldA))

        // A's lease runs out (it was paused, say): B takes it with the next token…
        try await second.write { db in try db.run(sql: "UPDATE lease SET expires_at = now() - interval '1 second'") }
        #expect(try await b.current().map { $0.expired && $0.remaining == .zero } == true)
        let heldB = try #require(try await b.acquire())
        #expect(heldB.token == heldA.token + 1)
        b.fence(heldB)
        // …and A, awake again, can neither write nor renew.
        await #expect(throws: LedgerError.self) { try await ledgerA.commit(intake("m2")) }
        await #expect(throws: LedgerError.self) { try await ledgerA.recordConfigLoaded(revision: "r", file: "f", by: nil, at: Date()) }
        #expect(try await a.renew(heldA) == false)
        guard case .committed = try await ledgerB.commit(intake("m3")) else {
            Issue.record("the new holder could not write")
            return
        }
        #expect(try await ledgerB.records(from: 1, limit: 10).compactMap(\.origin?.messageID) == ["m1", "m3"])

        // A clean stop gives the lease up at once.
        try await b.release(heldB)
        let again = try #require(try await a.acquire())
        #expect(again.token == heldB.token + 1)
        try await first.close()
        try await second.close()
    }

    @Test func aStandbysRequestIsAnsweredOnlyByTheHolder() async throws {
        let active = try await LedgerBackend.freshSchema()
        let standby = try await PostgresStore.open(active.location)
        let lease = LedgerLease(store: active, holder: "a", duration: .seconds(30))
        let held = try #require(try await lease.acquire())
        lease.fence(held)
        let taken = AdminRelay(store: standby)
        let answering = AdminRelay(store: active)

        let id = try await taken.submit(
            method: "POST",
            path: "/holds/7/approve",
            body: Data(#"{"reason":"ok"}"#.utf8),
            caller: #"{"id":"1000"}"#,
            origin: "b"
        )
        let pending = try await answering.pending()
        #expect(pending.map(\.id) == [id] && pending.first?.path == "/holds/7/approve" && pending.first?.origin == "b")
        #expect(try await taken.answer(id) == nil)
        try await answering.respond(id, status: 200, body: Data("{}".utf8))
        let answer = try #require(try await taken.waitForAnswer(id))
        #expect(answer.status == 200 && answer.body == Data("{}".utf8))
        #expect(try await answering.pending().isEmpty)

        // One whose lease is gone answers nothing.
        let second = try await taken.submit(method: "GET", path: "/holds", body: Data(), caller: "{}", origin: "b")
        try await standby.write { db in try db.run(sql: "UPDATE lease SET expires_at = now() - interval '1 second'") }
        await #expect(throws: LedgerError.self) { try await answering.respond(second, status: 200, body: Data()) }
        try await active.close()
        try await standby.close()
    }
}
