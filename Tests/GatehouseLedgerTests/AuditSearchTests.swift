import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// The console's audit search: newest first, every condition held, in pages that each look at a
/// bounded number of records and say where to go on.
@Suite struct AuditSearchTests {
    /// Thirty crossings, `item-01` … `item-30`; every fifth found a contract number, the rest forwarded.
    func log(_ backend: LedgerBackend) async throws -> TestLedger {
        let log = try await backend.open()
        for number in 1...30 {
            let text = String(format: "item-%02d", number) + (number % 5 == 0 ? " contract HT-2026-\(number)" : "")
            let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", text: text, sender: number % 2 == 0 ? "even" : "odd")
            let findings = number % 5 == 0 ? [Finding(check: "contracts", detector: "regex", offset: 8, length: 10)] : []
            _ = try await log.ledger.commit(
                Intake(
                    envelope: envelope,
                    crossings: [
                        Crossing(
                            route: number % 5 == 0 ? "partners" : "news",
                            source: "all-hands",
                            destination: number % 5 == 0 ? "partners" : "news",
                            direction: .outbound,
                            verdict: number % 5 == 0 ? .hold : .forward,
                            findings: findings,
                            text: text
                        )
                    ],
                    configRevision: "rev",
                    receivedAt: Date()
                )
            )
        }
        return log
    }

    @Test(arguments: LedgerBackend.available) func everyConditionHoldsAndTheNewestComeFirst(_ backend: LedgerBackend) async throws {
        let reader = try await log(backend).reader
        var search = AuditSearch()
        search.text = "CONTRACT ht-2026"
        let contracts = try await reader.search(search, before: nil)
        #expect(
            contracts.records.compactMap(\.received) == [30, 25, 20, 15, 10, 5].map { String(format: "item-%02d", $0) + " contract HT-2026-\($0)" }
        )
        #expect(contracts.next == nil)
        search = AuditSearch()
        search.check = "contracts"
        search.sender = "even"
        #expect(
            try await reader.search(search, before: nil).records.compactMap(\.received).map { String($0.prefix(7)) } == [
                "item-30", "item-20", "item-10",
            ]
        )
        search = AuditSearch()
        search.verdict = .hold
        search.route = "partners"
        search.channel = "partners"
        #expect(try await reader.search(search, before: nil).records.count == 6)
        search.route = "news"
        #expect(try await reader.search(search, before: nil).records.isEmpty)
        search = AuditSearch()
        search.kind = .crossing
        search.until = Date(timeIntervalSinceNow: -3600)
        #expect(try await reader.search(search, before: nil).records.isEmpty)
    }

    @Test(arguments: LedgerBackend.available) func aTimeRangeFindsItsRecordsAndOnlyThose(_ backend: LedgerBackend) async throws {
        // Ten crossings an hour apart; the range's records are found between its first and last
        // sequence, newest first, and a budget spent at once still looks at one chunk.
        let log = try await backend.open()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for hour in 0..<10 {
            let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", text: "hour \(hour)", sender: "s\(hour % 2)")
            let crossing = Crossing(
                route: "news",
                source: "all-hands",
                destination: "news",
                direction: .outbound,
                verdict: .forward,
                findings: [],
                text: "t"
            )
            _ = try await log.ledger.commit(
                Intake(envelope: envelope, crossings: [crossing], configRevision: "rev", receivedAt: start.addingTimeInterval(Double(hour) * 3600))
            )
        }
        var search = AuditSearch()
        search.since = start.addingTimeInterval(3 * 3600)
        search.until = start.addingTimeInterval(7 * 3600)
        let page = try await log.reader.search(search, before: nil, budget: .zero)
        #expect(page.records.compactMap(\.received) == ["hour 6", "hour 5", "hour 4", "hour 3"] && page.next == nil)
        search.sender = "s1"
        #expect(try await log.reader.search(search, before: nil).records.compactMap(\.received) == ["hour 5", "hour 3"])
        search.since = start.addingTimeInterval(30 * 3600)
        search.until = nil
        #expect(try await log.reader.search(search, before: nil).records.isEmpty)
    }

    @Test(arguments: LedgerBackend.available) func pagesGoOnWhereTheLastStoppedAndEachLooksAtABoundedNumber(_ backend: LedgerBackend) async throws {
        let reader = try await log(backend).reader
        let first = try await reader.search(AuditSearch(), before: nil, limit: 4)
        #expect(first.records.map(\.record.sequence) == [30, 29, 28, 27] && first.next == 27)
        let second = try await reader.search(AuditSearch(), before: first.next, limit: 4)
        #expect(second.records.map(\.record.sequence) == [26, 25, 24, 23])
        // A rare match, looked for 7 records at a time: pages come back short, saying where to go on.
        var search = AuditSearch()
        search.text = "item-02"
        var before: Int64? = nil
        var found: [Int64] = []
        var pages = 0
        repeat {
            let page = try await reader.search(search, before: before, limit: 10, scan: 7)
            #expect(page.scanned <= 7)
            found += page.records.map(\.record.sequence)
            before = page.next
            pages += 1
        } while before != nil && pages < 10
        #expect(found == [2] && before == nil && pages == 5)
    }
}
