import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

/// An edit re-runs the policy: one that no longer passes takes back the copies out there.
@Suite(.timeLimit(.minutes(2))) struct PolicyFlipTests {
    static let yaml = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          all-hands: { platform: corp, conversation: cidA }
          news: { platform: tg, chat: -1001 }
        checks:
          secret-words: { keywords: [机密] }
          review: { keywords: [draft] }
        routes:
          - { name: announcements, from: all-hands, to: [news], on: { secret-words: block, review: hold }, mirror: [edit, delete] }
        """

    let ledger = FlakyLedger(try! Fixtures.memoryLedger())
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    func running(_ body: (Gateway) async throws -> Void) async throws {
        let gateway = Gateway(
            config: try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "test.yaml"),
            ledger: ledger,
            adapters: [corp, tg],
            logger: quietLogger("test")
        )
        try await withServices(gateway.services) { try await body(gateway) }
    }

    @Test func anEditTheRulesNowBlockDeletesTheCopyAndTheCrossingSaysWhy() async throws {
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "Q3 results"))
            #expect(await eventually { tg.sent.count == 1 })
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "Q3 results 机密 appendix", kind: .edit))
            #expect(await eventually { tg.deletes == [["tg-1"]] })
            #expect(tg.edits.isEmpty)
            let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
            #expect(crossings.last?.verdict == .block && crossings.last?.findings?.first?.check == "secret-words")
        }
    }

    @Test func anEditTheRulesNowHoldIsTakenBackUntilApprovedThenSentAnew() async throws {
        try await running { gateway in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a2", text: "Launch on Monday"))
            #expect(await eventually { tg.sent.count == 1 })
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a2", text: "Launch on Monday (draft)", kind: .edit))
            #expect(await eventually { tg.deletes == [["tg-1"]] })
            let held = try #require(try await ledger.jobs(in: .held, limit: 10).first)
            _ = try await ledger.vote(held, by: .root, approve: true, reason: "fine", needed: 1, at: Date())
            gateway.dispatcher.notify(["news"])
            // Approved after the copy was taken back: it goes out as a new message.
            #expect(await eventually { tg.sent.map(\.text) == ["Launch on Monday", "Launch on Monday (draft)"] })
        }
    }
}
