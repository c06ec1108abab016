import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@Suite struct ContentRetentionServiceTests {
    @Test func aSweepErasesWhatIsOlderThanTheRetentionPeriodInBatches() async throws {
        let ledger = try Fixtures.memoryLedger()
        let now = Date()
        for (index, age) in [30.0, 20, 10, 1].enumerated() {
            _ = try await ledger.commit(
                Intake(
                    envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m\(index)", text: "t\(index)"),
                    crossings: [
                        Crossing(route: "r", source: "src", destination: "vault", direction: .outbound, verdict: .block, findings: [], text: "x")
                    ],
                    configRevision: "rev",
                    receivedAt: now.addingTimeInterval(-age * 86_400)
                )
            )
        }
        let retention = ContentRetention(ledger: ledger, configuration: .init(keep: .seconds(7 * 86_400), batch: 2), logger: quietLogger("retention"))
        #expect(try await retention.sweep(now: now) == 3)
        let erased = try await ledger.records(from: 5, limit: 10)
        #expect(erased.map(\.crossing) == [1, 2, 3])
        #expect(erased.allSatisfy { $0.kind == .contentErased && $0.reason == "retention: keep_content 7d" })
        #expect(try await retention.sweep(now: now) == 0)
    }

    @Test func theSweepIntervalFollowsTheRetentionPeriodWithinBounds() {
        #expect(ContentRetention.Configuration(keep: .seconds(400 * 86_400)).interval == .seconds(3600))
        #expect(ContentRetention.Configuration(keep: .seconds(100)).interval == .seconds(10))
        #expect(ContentRetention.Configuration(keep: .seconds(2)).interval == .seconds(1))
    }
}
