import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// One announcement to many Telegram chats through the whole gateway, against an emulator that
/// enforces Telegram's limits (1 a second per chat, 20 a minute per group, and here 10 a second
/// per bot, so that the fan-out lasts long enough to be overtaken on a loaded machine). The speed
/// is the benchmark's (Benchmarks/FanOut, at Telegram's 30 a second); here: what arrives, and in
/// what order.
@Suite(.timeLimit(.minutes(2))) struct FanOutEndToEndTests {
    static let chats = 60
    static let token = "7000000001:fanout-test-token"

    func config(telegram: Int, dingtalk: Int, state: String) throws -> GatewayConfig {
        let partners = (1...Self.chats).map { "  p\($0): { platform: outreach, chat: -100\(2_000_000 + $0) }" }
        return try ConfigLoader(environment: [:]).load(
            yaml: """
                state: \(state)
                platforms:
                  corp: { type: dingtalk, side: internal, client_id: dingfan, client_secret: fan-secret, robot_code: dingfan,
                          receive: stream, api_url: "http://127.0.0.1:\(dingtalk)", oapi_url: "http://127.0.0.1:\(dingtalk)" }
                  outreach: { type: telegram, side: external, token: "\(Self.token)", api_url: "http://127.0.0.1:\(telegram)",
                              receive: poll, poll_timeout: 1s, rate_limits: { bot: 10/s } }
                channels:
                  all-hands: { platform: corp, conversation: "cidAllHands000==" }
                  desk: { platform: corp, conversation: "cidServiceDesk0==" }
                  customer: { platform: outreach, chat: 4242 }
                \(partners.joined(separator: "\n"))
                routes:
                  - { name: announcements, from: all-hands, to: [\((1...Self.chats).map { "p\($0)" }.joined(separator: ", "))], template: "📢 {text}" }
                  - { name: replies, from: desk, to: [customer], template: "{sender.name}: {text}" }
                """,
            file: "fanout.yaml"
        )
    }

    @Test func aReplyDuringABigFanOutTakesTheNextTurnAndEveryCopyArrivesOnceWithoutA429() async throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let limits = TelegramEmulator.FloodLimits(botLimit: 10, botWindow: .seconds(1))
        let telegram = TelegramEmulator(
            configuration: .init(token: Self.token, rateLimits: true, floodLimits: limits).openingChats(),
            logger: quietLogger("tg")
        )
        var dingtalkSettings = DingTalkEmulator.Configuration()
        dingtalkSettings.clientID = "dingfan"
        dingtalkSettings.clientSecret = "fan-secret"
        dingtalkSettings.robotCode = "dingfan"
        dingtalkSettings.rateLimits = false
        let dingtalk = DingTalkEmulator(configuration: dingtalkSettings, logger: quietLogger("dt"))
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await run(telegram, dingtalk, httpClient, state: state)
            try await httpClient.shutdown()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        // Every chat got its copy once, and the limits were never exceeded.
        let copies = await telegram.sent().filter { $0.chatID < 0 }
        #expect(copies.count == Self.chats && Set(copies.map(\.chatID)).count == Self.chats)
        #expect(copies.allSatisfy { $0.text == "📢 Q3 is out" })
        #expect(await telegram.stats().rateLimited == 0)
    }

    func run(_ telegram: TelegramEmulator, _ dingtalk: DingTalkEmulator, _ httpClient: HTTPClient, state: String) async throws {
        try await withServices([telegram, dingtalk]) {
            let config = try config(telegram: try await telegram.port(), dingtalk: try await dingtalk.port(), state: state)
            let logger = quietLogger("e2e")
            let ledger = try SQLLedger(directory: state, contentKey: .ephemeral())
            let gateway = Gateway(
                config: config,
                ledger: ledger,
                adapters: AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger),
                logger: logger
            )
            try await withServices(gateway.services) {
                await gateway.ready.wait()
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 is out"))
                func copies() async -> [TelegramEmulator.SentRecord] {
                    await telegram.sent().filter { $0.method == "sendMessage" && $0.chatID < 0 }
                }
                #expect(await eventually(timeout: .seconds(30)) { await copies().count >= 10 })
                let before = await copies().count
                // Most copies must still be waiting for the reply to overtake them.
                try #require(before <= Self.chats / 2, "the fan-out was half done before the reply was posted; nothing to overtake")
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidServiceDesk0==", senderStaffId: "s07", senderNick: "Zhang", text: "It ships today")
                )
                #expect(await eventually(timeout: .seconds(60)) { await copies().count >= Self.chats })
                let sent = await telegram.sent().filter { $0.method == "sendMessage" }
                let reply = try #require(sent.firstIndex { $0.chatID == 4242 })
                // The reply went ahead of the copies still waiting: first-come order would put it
                // after all of them. Only those sent while it crossed the gateway (well under a
                // second: 10 at this pace) go first.
                let overtaken = reply - before
                #expect(overtaken <= 10, "the reply was sent after \(overtaken) of the \(Self.chats - before) copies waiting")
                #expect(sent[reply].text == "Zhang: It ships today")
            }
        }
    }
}
