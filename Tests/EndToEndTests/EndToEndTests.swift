import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import NIOCore
import Testing

@testable import DingTalkAdapter
@testable import GatehouseCommands

/// The whole service graph — real adapters, real ledger on disk — over both emulators.
@Suite(.timeLimit(.minutes(2))) struct EndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demoConfig = root.appendingPathComponent("Config/demo.yaml").path

    @Test func theDemoCrossesBothWaysAndAuditsEachCrossingOnce() async throws {
        var demo = try #require(try GatehouseCommand.parseAsRoot(["demo", "--config", Self.demoConfig]) as? Demo)
        try await demo.run()
    }

    /// Both emulators set up for `loaded` (the demo's scenario), the config pointed at them with its
    /// ledger in a fresh directory, and an HTTP client shut down afterwards, around `body`.
    func withEmulators(
        _ loaded: GatewayConfig,
        webhookRetry: Duration = .seconds(1),
        dingtalkSettings: (inout DingTalkEmulator.Configuration) -> Void = { _ in },
        _ body: (TelegramEmulator, DingTalkEmulator, GatewayConfig, HTTPClient) async throws -> Void
    ) async throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let scenario = try DemoScenario(config: loaded)
        var telegramSettings = scenario.telegramEmulator
        telegramSettings.webhookRetry = webhookRetry
        let telegram = TelegramEmulator(configuration: telegramSettings, logger: quietLogger("tg"))
        var dingtalkConfiguration = scenario.dingtalkEmulator
        dingtalkSettings(&dingtalkConfiguration)
        let dingtalk = DingTalkEmulator(configuration: dingtalkConfiguration, logger: quietLogger("dt"))
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withServices([telegram, dingtalk]) {
                let config = scenario.pointing(
                    loaded,
                    telegram: "http://127.0.0.1:\(try await telegram.port())",
                    dingtalk: "http://127.0.0.1:\(try await dingtalk.port())",
                    state: state
                )
                try await body(telegram, dingtalk, config, httpClient)
                // The client's idle connections go first, so the emulators' graceful drain is immediate.
                try await httpClient.shutdown()
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    /// Runs the whole daemon graph (ledger in the config's state directory, the real adapters) around
    /// `body`, then stops it gracefully.
    /// `wrap` may put the adapters in test wrappers.
    func runGateway(
        _ config: GatewayConfig,
        _ httpClient: HTTPClient,
        wrap: ([any Adapter]) -> [any Adapter] = { $0 },
        _ body: (SQLLedger) async throws -> Void
    ) async throws {
        let logger = quietLogger("e2e")
        let ledger = try SQLLedger(directory: config.state, contentKey: .ephemeral())
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: wrap(AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger)),
            logger: logger
        )
        try await withServices(gateway.services) { try await body(ledger) }
    }

    @Test func aRestartOnTheSameStateDeliversNothingTwice() async throws {
        try await withEmulators(try ConfigLoader().load(file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            /// One life of the daemon: open the ledger, run the graph around `body`, stop gracefully.
            func life(_ body: (any Ledger) async throws -> Void) async throws {
                try await runGateway(config, httpClient) { try await body($0) }
            }

            func customer(_ text: String) async throws {
                _ = try await telegram.inject(
                    .init(
                        chat: .init(id: -1_009_876_543_210, type: .supergroup, title: "Support"),
                        from: .init(id: 7, firstName: "Li"),
                        text: text
                    )
                )
            }

            try await life { ledger in
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 is out"))
                try await customer("where is my order?")
                #expect(await eventually { try await ledger.records(from: 1, limit: 100).filter { $0.outcome == .delivered }.count == 2 })
            }
            try await life { ledger in
                try await customer("second question")
                #expect(await eventually { try await ledger.records(from: 1, limit: 100).filter { $0.outcome == .delivered }.count == 3 })
                // Let the new life poll and reconnect a while: nothing from the first life comes back.
                try await Task.sleep(for: .milliseconds(1500))
                let log = try await ledger.records(from: 1, limit: 100)
                #expect(log.filter { $0.kind == .crossing }.count == 3)
                #expect(log.filter { $0.kind == .delivery }.count == 3)
            }

            #expect(await telegram.sent(chatID: "-1001234567890").compactMap(\.text) == ["📢 Q3 is out\n— 王经理"])
            #expect(
                await dingtalk.sent(conversation: "cidServiceDesk0==").compactMap(\.content) == [
                    "[外部 support] Li: where is my order?", "[外部 support] Li: second question",
                ]
            )
        }
    }

    @Test func pushedTelegramUpdatesCrossOnceAndForgedPushesAreRefused() async throws {
        let port = freeLocalPort()
        // The demo config with Telegram pushing to the gateway's listener instead of being polled.
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(
                of: "    receive: poll\n",
                with: "    receive: webhook\n    public_url: http://127.0.0.1:\(port)\n    webhook_secret: e2e-Secret_1\n"
            )
            + "\nlisten: { http: \"127.0.0.1:\(port)\", limits: { summary_every: 200ms } }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig), webhookRetry: .milliseconds(100)) {
            telegram,
            dingtalk,
            config,
            httpClient in
            try await runGateway(config, httpClient) { ledger in
                _ = try await telegram.inject(
                    .init(
                        chat: .init(id: -1_009_876_543_210, type: .supergroup, title: "Support"),
                        from: .init(id: 7, firstName: "Li"),
                        text: "pushed to you"
                    )
                )
                #expect(
                    await eventually {
                        await dingtalk.sent(conversation: "cidServiceDesk0==").compactMap(\.content) == ["[外部 support] Li: pushed to you"]
                    }
                )
                // Someone who is not Telegram posts to the hook: refused, nothing crosses.
                var forged = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/outreach")
                forged.method = .POST
                forged.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: "guess")
                forged.body = .bytes(
                    ByteBuffer(
                        string:
                            #"{"update_id": 1, "message": {"message_id": 9, "date": 0, "chat": {"id": -1009876543210, "type": "supergroup"}, "text": "forged"}}"#
                    )
                )
                #expect(try await httpClient.execute(forged, timeout: .seconds(5)).status.code == 401)
                var unknown = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/nobody")
                unknown.method = .POST
                #expect(try await httpClient.execute(unknown, timeout: .seconds(5)).status.code == 404)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }.count == 1)
            }
        }
    }

    @Test func formattingRepliesAndFilesCrossWithTheRulesAppliedToWhatIsHiddenInThem() async throws {
        // The demo, plus a route from the support group to an escalations chat that masks links
        // to anywhere but acme.example (the demo's links check).
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(of: "channels:\n", with: "channels:\n  escalations: { platform: outreach, chat: -1005550000000 }\n")
            // The desk takes the customer's links here (the demo blocks them), to show what crosses.
            .replacingOccurrences(of: "    on: { links: block }", with: "    # on: { links: block }")
                + """

                  - name: escalate
                    from: support
                    to: [escalations]
                    on: { links: redact }
                    template: "{sender.name}: {text}"

                """
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            let support = TelegramEmulator.Chat(id: -1_009_876_543_210, type: .supergroup, title: "Support")
            let customer = TelegramEmulator.User(id: 7, firstName: "Li")
            let invoice = Data((0..<5_000).map { UInt8($0 % 256) })
            try await runGateway(config, httpClient) { ledger in
                // "Invoice attached, pay here": "pay here" links to a host the rules do not allow.
                let first = try await telegram.inject(
                    .init(
                        chat: support,
                        from: customer,
                        text: "Invoice attached, pay here",
                        entities: [
                            .init(type: "bold", offset: 0, length: 7),
                            .init(type: "text_link", offset: 18, length: 8, url: "https://evil.example/pay"),
                        ],
                        document: .init(fileName: "invoice.pdf", mimeType: "application/pdf", content: invoice)
                    )
                )
                _ = try await telegram.inject(.init(chat: support, from: customer, text: "did you get it?", replyToMessageID: first.messageID))
                #expect(await eventually { await telegram.sent(chatID: "-1005550000000").count == 2 })
                let sent = await telegram.sent(chatID: "-1005550000000")
                // The file crossed as an upload, its caption masked where the hidden link was,
                // the formatting kept, and no entity pointing at the link's target.
                #expect(sent[0].method == "sendDocument")
                #expect(sent[0].fileName == "invoice.pdf" && sent[0].fileSize == invoice.count)
                #expect(sent[0].text == "Li: Invoice attached, [REDACTED:link]")
                #expect(sent[0].entities?.map(\.type) == ["bold"])
                #expect(sent[0].entities?.first?.offset == 4)
                // The reply answers the copy of the message it answered.
                #expect(sent[1].replyToMessageID == sent[0].messageID)
                #expect(sent[1].text == "Li: did you get it?")
                // The desk gets the text (formatted, so as Markdown), then the PDF as a file
                // message, and the reply.
                #expect(await eventually { await dingtalk.sent(conversation: "cidServiceDesk0==").count == 3 })
                let desk = await dingtalk.sent(conversation: "cidServiceDesk0==")
                #expect(desk.map(\.msgKey) == ["sampleMarkdown", "sampleFile", "sampleText"])
                #expect(desk.first?.content?.contains("附件") == false)
                #expect(desk[1].content == "invoice.pdf")
                let media = try #require(desk[1].mediaId)
                #expect(await dingtalk.media(media) == invoice)
            }
        }
    }

    @Test func withTheServerRefusingAThirdOfRequestsEveryPartArrivesExactlyOnceAndInOrder() async throws {
        // Client limits far above the emulator's (which runs without limits here), and quick retries.
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(
                of: "    receive: poll\n",
                with: "    receive: poll\n    rate_limits: { chat: 1000/s, group: 100000/min, bot: 1000/s }\n"
            )
            + "\noutbox: { retry_min: 100ms, retry_max: 1s }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await telegram.setFaults(TelegramFaults(rate: 0.33, retryAfter: 1, seed: 42))
            // Twelve announcements, every third one long enough to take three Telegram messages.
            let texts = (1...12).map { number in
                number % 3 == 0
                    ? (1...3).map { part in "\(number).\(part) " + String(repeating: "公告", count: 1_800) }.joined(separator: "\n")
                    : "announcement \(number)"
            }
            try await runGateway(config, httpClient) { ledger in
                for text in texts {
                    _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: text))
                }
                #expect(
                    await eventually(timeout: .seconds(60)) {
                        try await ledger.records(from: 1, limit: 1000).filter { $0.outcome == .delivered }.count == texts.count
                    }
                )
            }
            let sent = await telegram.sent(chatID: "-1001234567890").filter { $0.method == "sendMessage" }
            // Every part once: the parts rejoin into the texts, in order, with nothing twice.
            #expect(sent.count == 8 + 4 * 3)
            let expected = texts.map { "📢 \($0)\n— 王经理" }
            #expect(sent.compactMap(\.text).joined() == expected.joined())
            let faults = await telegram.stats().injectedFaults
            #expect(faults >= 5, "the emulator refused only \(faults) requests")
        }
    }

    @Test func signedDingTalkCallbacksCrossAndForgedOnesAreRefusedAndAudited() async throws {
        let port = freeLocalPort()
        // The demo with DingTalk posting robot messages to the gateway instead of using Stream.
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            // A robot that receives by HTTP takes its review cards' clicks by HTTP too.
            .replacingOccurrences(
                of: "    receive: stream\n",
                with: "    receive: http\n    card_callback_url: http://127.0.0.1:\(port)/hooks/corp/cards\n"
            )
            // Announcements come over Stream only: the board becomes an ordinary group here.
            .replacingOccurrences(of: "announcements: true", with: "conversation: \"cidBoard0000==\"")
            + "\nlisten: { http: \"127.0.0.1:\(port)\", limits: { summary_every: 200ms } }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                await dingtalk.setCallbackURL("http://127.0.0.1:\(port)/hooks/corp")
                // The gateway may take a moment to take pushes (a push before is answered 503): the
                // emulator does not retry, so wait until it says it is ready.
                #expect(
                    await eventually {
                        var probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz")
                        probe.method = .GET
                        return (try? await httpClient.execute(probe, timeout: .seconds(2)).status.code) == 200
                    }
                )
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "posted to you")
                )
                let statuses = await dingtalk.callbackStatuses()
                #expect(statuses == [200])
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").compactMap(\.text) == ["📢 posted to you\n— 王经理"] })
                // A genuine callback captured and replayed with another body: DingTalk's sign covers
                // only the timestamp, so the door takes each signed timestamp once.
                let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
                func callback(_ text: String, id: String) -> HTTPClientRequest {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/corp")
                    request.method = .POST
                    request.headers.add(name: "timestamp", value: timestamp)
                    request.headers.add(
                        name: "sign",
                        value: DingTalkAdapter.callbackSign(timestamp: timestamp, secret: Secret("demo-secret-not-real"))
                    )
                    request.body = .bytes(
                        ByteBuffer(
                            string:
                                #"{"msgtype":"text","text":{"content":"\#(text)"},"msgId":"\#(id)","conversationId":"cidAllHands000==","conversationType":"2","senderStaffId":"m01","senderNick":"王经理","robotCode":"dingdemo"}"#
                        )
                    )
                    return request
                }
                #expect(try await httpClient.execute(callback("signed once", id: "r1"), timeout: .seconds(5)).status.code == 200)
                #expect(try await httpClient.execute(callback("wire the money", id: "r2"), timeout: .seconds(5)).status.code == 401)
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").count == 2 })
                // Someone who is not DingTalk posts a robot message: refused, audited, nothing crosses.
                var forged = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/corp")
                forged.method = .POST
                forged.headers.add(name: "timestamp", value: String(Int64(Date().timeIntervalSince1970 * 1000)))
                forged.headers.add(name: "sign", value: "bm90IHRoZSBzaWdu")
                forged.body = .bytes(
                    ByteBuffer(
                        string:
                            #"{"msgtype":"text","text":{"content":"forged"},"msgId":"x","conversationId":"cidAllHands000==","conversationType":"2","senderStaffId":"m01"}"#
                    )
                )
                #expect(try await httpClient.execute(forged, timeout: .seconds(5)).status.code == 401)
                // Refusals are summed up per interval: each record says how many, why and from where
                // (the replay and the forgery may fall into two intervals).
                func refusals() async throws -> [AuditRecord] {
                    try await ledger.records(from: 1, limit: 100).filter { $0.kind == .pushesRefused }
                }
                #expect(await eventually { (try? await refusals().reduce(0) { $0 + ($1.refusals?.total ?? 0) }) == 2 })
                let log = try await ledger.records(from: 1, limit: 100)
                #expect(log.filter { $0.kind == .crossing }.count == 2)
                #expect(await telegram.sent(chatID: "-1001234567890").compactMap(\.text).contains { $0.contains("wire the money") } == false)
                let refused = try await refusals()
                #expect(refused.allSatisfy { $0.platform == "corp" && $0.refusals?.sources.map(\.address) == ["127.0.0.1"] })
                let reasons = refused.flatMap { $0.refusals?.reasons ?? [] }.map { "\($0.reason)=\($0.count)" }.sorted()
                #expect(reasons == ["replayed=1", "unauthorized=1"])
            }
        }
    }
}
