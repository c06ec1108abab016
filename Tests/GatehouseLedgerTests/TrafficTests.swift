import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// Crossings counted per hour, route and verdict as they are committed: what the console's charts
/// read instead of the log.
@Suite struct TrafficTests {
    func intake(_ id: String, at time: Date, _ crossings: [(route: String, verdict: Verdict)]) -> Intake {
        Intake(
            envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
            crossings: crossings.map {
                Crossing(route: $0.route, source: "all-hands", destination: "news", direction: .outbound, verdict: $0.verdict, findings: [], text: id)
            },
            configRevision: "rev",
            receivedAt: time
        )
    }

    @Test(arguments: LedgerBackend.available) func crossingsAreCountedPerHourRouteAndVerdictOnceEach(_ backend: LedgerBackend) async throws {
        let log = try await backend.open()
        let nine = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC
        let ten = nine.addingTimeInterval(3600)
        _ = try await log.ledger.commit([
            intake("a", at: nine, [("news", .forward), ("news", .forward), ("partners", .hold)]),
            intake("b", at: nine, [("news", .forward)]),
            intake("c", at: ten, [("news", .block)]),
        ])
        // A redelivery is not counted again.
        _ = try await log.ledger.commit(intake("a", at: nine, [("news", .forward), ("news", .forward), ("partners", .hold)]))
        let traffic = try await log.reader.traffic(since: nine.addingTimeInterval(-7200))
        let hour = Date(timeIntervalSince1970: 1_789_999_200)  // 14:00
        #expect(
            traffic == [
                Traffic(hour: hour, route: "news", verdict: .forward, crossings: 3),
                Traffic(hour: hour, route: "partners", verdict: .hold, crossings: 1),
                Traffic(hour: hour.addingTimeInterval(3600), route: "news", verdict: .block, crossings: 1),
            ]
        )
        #expect(try await log.reader.traffic(since: ten).count == 1)
    }

    @Test(arguments: LedgerBackend.available) func aGroupCountsWhatItTookAndNothingItRefused(_ backend: LedgerBackend) async throws {
        // One transaction counts a whole group; a refused intake (its nonce replayed: the group is
        // written again intake by intake) and a second copy of an event in the group count nothing.
        let log = try await backend.open()
        let nine = Date(timeIntervalSince1970: 1_790_000_000)
        var first = intake("a", at: nine, [("news", .forward)])
        first.nonce = "n1"
        _ = try await log.ledger.commit(first)
        var replayed = intake("b", at: nine, [("news", .forward)])
        replayed.nonce = "n1"
        let results = try await log.ledger.commit([
            replayed, intake("c", at: nine, [("news", .forward), ("news", .redact)]), intake("c", at: nine, [("news", .forward)]),
        ])
        let taken: [Bool] = results.map { result in
            guard case .success(.committed) = result else { return false }
            return true
        }
        #expect(taken == [false, true, false])
        let traffic = try await log.reader.traffic(since: nine.addingTimeInterval(-3600))
        let hour = Date(timeIntervalSince1970: 1_789_999_200)
        #expect(
            traffic == [
                Traffic(hour: hour, route: "news", verdict: .forward, crossings: 2),
                Traffic(hour: hour, route: "news", verdict: .redact, crossings: 1),
            ]
        )
    }
}
