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
