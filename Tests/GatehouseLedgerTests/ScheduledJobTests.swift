import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// Announcements scheduled for later: outside the queues until due, in the queues from then.
@Suite struct ScheduledJobTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func schedule(_ ledger: SQLLedger, _ crossings: [(String, Verdict)], due: Date, messageID: String = "a1") async throws -> [OutboxJob] {
        let envelope = Fixtures.envelope(platform: "gatehouse", conversation: "(announce)", messageID: messageID, text: "Q3")
        let intake = Intake(
            envelope: envelope,
            crossings: crossings.map {
                Crossing(route: "r", source: "(announce)", destination: $0.0, direction: .outbound, verdict: $0.1, findings: [], text: "Q3")
            },
            configRevision: "rev",
            receivedAt: now,
            schedule: Dictionary(uniqueKeysWithValues: crossings.map { ($0.0, due) })
        )
        guard case .committed(_, let jobs) = try await ledger.commit(intake) else {
            Issue.record("not committed")
            return []
        }
        return jobs
    }

    @Test(arguments: LedgerBackend.available) func aScheduledJobHoldsUpNothingAndJoinsItsQueueWhenDue(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let due = now.addingTimeInterval(3600)
        let jobs = try await schedule(ledger, [("news", .forward), ("partners", .forward)], due: due)
        #expect(jobs.map(\.state) == [.scheduled, .scheduled])
        // Not the head of its queue: a message to news meanwhile goes first.
        #expect(try await ledger.head(of: "news") == nil)
        #expect(try await ledger.nextScheduled() == due)
        #expect(try await ledger.releaseScheduled(until: due.addingTimeInterval(-1)).isEmpty)
        #expect(try await ledger.releaseScheduled(until: due) == ["news", "partners"])
        let head = try #require(try await ledger.head(of: "news"))
        // Its age counts from when it was due, not from when it was decided.
        #expect(head.state == .pending && head.createdAt == due)
        #expect(try await ledger.nextScheduled() == nil)
    }

    @Test(arguments: LedgerBackend.available) func aHeldScheduledAnnouncementKeepsItsTimeWhenApprovedEarly(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let due = Date().addingTimeInterval(3600)
        let held = try #require(try await schedule(ledger, [("news", .hold)], due: due).first)
        #expect(held.state == .held)
        _ = try await ledger.vote(held, by: .root, approve: true, reason: "ok", needed: 1, at: Date())
        #expect(try await ledger.job(id: held.id)?.state == .scheduled)
        // Approved after its time: it goes at once.
        let lateDue = Date().addingTimeInterval(0.05)
        let late = try #require(try await schedule(ledger, [("news", .hold)], due: lateDue, messageID: "a2").first)
        _ = try await ledger.vote(late, by: .root, approve: true, reason: "ok", needed: 1, at: Date().addingTimeInterval(1))
        let approved = try #require(try await ledger.job(id: late.id))
        #expect(approved.state == .pending && approved.notBefore == nil)
        // Its age counts from when it was due, not from when it was decided.
        #expect(abs(approved.createdAt.timeIntervalSince(lateDue)) < 0.002)
    }

    @Test(arguments: LedgerBackend.available) func cancellingIsAuditedOnceAndARemovedRouteCancelsItToo(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let jobs = try await schedule(ledger, [("news", .forward), ("partners", .forward)], due: now.addingTimeInterval(60))
        let record = try await ledger.cancelScheduled(jobs[0], by: "uid 1000 (ops)", reason: "wrong date", at: now)
        #expect(record.outcome == .cancelled && record.approver == "uid 1000 (ops)" && record.reason == "wrong date" && record.attempt == nil)
        await #expect(throws: LedgerError.self) { try await ledger.cancelScheduled(jobs[0], by: "uid 1000 (ops)", reason: "again", at: now) }
        // The route left the config: the other is cancelled with the rest of its lanes.
        let cancelled = try await ledger.cancelJobs(outside: [], inflight: false, destination: nil, createdBefore: nil, reason: "gone", at: now)
        #expect(cancelled.map(\.destination) == ["partners"])
        #expect(try await ledger.nextScheduled() == nil)
    }
}
