import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@testable import GatehouseLedger

/// Delivery outcomes counted per hour, destination and outcome as they are recorded: what the
/// console's deliveries chart reads instead of the log.
@Suite struct DeliveryCountTests {
    /// Three forwarded messages to news and partners, with outcomes: delivered, deferred then
    /// delivered, dead.
    func deliver(on log: TestLedger, at time: Date) async throws {
        for id in ["a", "b", "c"] {
            let crossings = ["news", "partners"].map {
                Crossing(
                    route: "announcements",
                    source: "all-hands",
                    destination: $0,
                    direction: .outbound,
                    verdict: .forward,
                    findings: [],
                    text: id
                )
            }
            _ = try await log.ledger.commit(
                Intake(
                    envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
                    crossings: crossings,
                    configRevision: "rev",
                    receivedAt: time
                )
            )
        }
        let jobs = try await log.ledger.jobs(in: .pending, limit: 10)
        #expect(jobs.count == 6)
        for job in jobs where job.destination == "news" {
            _ = try await log.ledger.recordDelivered(job, nativeIDs: ["1"], note: nil, files: [], at: time)
        }
        let partners = jobs.filter { $0.destination == "partners" }
        _ = try await log.ledger.recordDeferred(partners[0], reason: "429", retryAt: time, at: time)
        let again = try #require(try await log.ledger.job(id: partners[0].id))
        _ = try await log.ledger.recordDelivered(again, nativeIDs: ["2"], note: nil, files: [], at: time.addingTimeInterval(3600))
        _ = try await log.ledger.recordDead(partners[1], reason: "chat not found", at: time)
        _ = try await log.ledger.recordDead(partners[2], reason: "chat not found", at: time)
    }

    static let nine = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC
    /// Ordered as read: by hour, destination, outcome.
    static let expected = [
        DeliveryCount(hour: Date(timeIntervalSince1970: 1_789_999_200), destination: "news", outcome: .delivered, count: 3),
        DeliveryCount(hour: Date(timeIntervalSince1970: 1_789_999_200), destination: "partners", outcome: .dead, count: 2),
        DeliveryCount(hour: Date(timeIntervalSince1970: 1_789_999_200), destination: "partners", outcome: .deferred, count: 1),
        DeliveryCount(hour: Date(timeIntervalSince1970: 1_790_002_800), destination: "partners", outcome: .delivered, count: 1),
    ]

    @Test(arguments: LedgerBackend.available) func outcomesAreCountedPerHourDestinationAndOutcome(_ backend: LedgerBackend) async throws {
        let log = try await backend.open()
        try await deliver(on: log, at: Self.nine)
        let counted = try await log.reader.deliveries(since: Self.nine.addingTimeInterval(-7200))
        #expect(counted == Self.expected)
        #expect(try await log.reader.deliveries(since: Self.nine.addingTimeInterval(3600)).count == 1)
    }

    @Test(arguments: LedgerBackend.available) func aLedgerFromBeforeTheCountsHasItsLogCountedOnUpgrade(_ backend: LedgerBackend) async throws {
        // A ledger whose outcomes were recorded before the deliveries table existed: the
        // migration counts them from the delivery records' leaves.
        let log = try await backend.open()
        try await deliver(on: log, at: Self.nine)
        switch backend {
        case .sqlite:
            let store = try #require(log.store as? SQLiteStore)
            let writer = try #require(store.writer)
            try await writer.write { db in
                try db.execute(sql: "DROP TABLE deliveries; DELETE FROM grdb_migrations WHERE identifier = 'v24-deliveries'")
            }
            try LedgerSchema.migrator.migrate(writer)
        case .postgres:
            let store = try #require(log.store as? PostgresStore)
            try await log.execute("DROP TABLE deliveries")
            try await log.execute("DELETE FROM schema_migration WHERE identifier = 'v24-deliveries'")
            try await PostgresSchema.migrate(store)
        }
        let counted = try await log.reader.deliveries(since: Self.nine.addingTimeInterval(-7200))
        #expect(counted == Self.expected)
    }
}

/// What a period report reads besides the counts per hour: records per kind and the checkpoints.
@Suite struct PeriodReadingTests {
    @Test(arguments: LedgerBackend.available) func recordsPerKindAndCheckpointsOfAPeriod(_ backend: LedgerBackend) async throws {
        let log = try await backend.open()
        let key = try NoteSigner.generate(name: "test.example/log")
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try await log.ledger.recordConfigLoaded(revision: "r1", file: "g.yaml", by: nil, at: start.addingTimeInterval(-86_400))
        _ = try await log.ledger.checkpoint(origin: "test.example/log", signer: key.signer, at: start.addingTimeInterval(-86_400))
        for index in 0..<3 {
            let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m\(index)", text: "t")
            let crossing = Crossing(route: "r", source: "s", destination: "d", direction: .outbound, verdict: .block, findings: [], text: "t")
            _ = try await log.ledger.commit(Intake(envelope: envelope, crossings: [crossing], configRevision: "r1", receivedAt: start))
        }
        _ = try await log.ledger.checkpoint(origin: "test.example/log", signer: key.signer, at: start.addingTimeInterval(60))
        let counts = try await log.reader.kindCounts(since: start, until: start.addingTimeInterval(3600))
        #expect(counts == [.crossing: 3])
        let (before, during) = try await log.reader.checkpoints(since: start, until: start.addingTimeInterval(3600))
        #expect(before?.size == 1 && during.map(\.size) == [4])
        #expect(during.first?.root.count == 64 && during.first?.time == start.addingTimeInterval(60))
    }
}

/// The counts' hours, read back by arithmetic: the same as the calendar says, leap days included.
@Suite struct HourSpellingTests {
    @Test func everyHourReadsBackAsTheCalendarHasIt() throws {
        var time = Date(timeIntervalSince1970: 0)
        // Every 3 days, 7 hours and 13 minutes from 1970 to past 2100: every month, leap years, 2100's non-leap February.
        while time.timeIntervalSince1970 < 4_200_000_000 {
            let spelled = Traffic.hour(of: time)
            let start = try #require(Calendar.utc.dateInterval(of: .hour, for: time)?.start)
            #expect(Traffic.date(ofHour: spelled) == start, "\(spelled)")
            time = time.addingTimeInterval(3 * 86_400 + 7 * 3600 + 13 * 60)
        }
        #expect(Traffic.date(ofHour: "2026-13-01 00") == nil && Traffic.date(ofHour: "2026-12-07") == nil)
    }
}
