import AsyncHTTPClient
import DingTalkAdapter
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Logging
import Testing

/// The adapter against the independent DingTalk emulator on 127.0.0.1.
@Suite(.timeLimit(.minutes(2))) struct DingTalkAdapterLiveTests {
    static let desk = Channel(name: "desk", platform: "corp", address: .conversation("cidDesk=="))

    func withAdapter(
        secret: String = "live-test-secret",
        ackTimeout: Duration = .milliseconds(300),
        idleTimeout: Duration = .seconds(5),
        accessTokenLifetime: Int = 7200,
        customRobots: [DingTalkEmulator.CustomRobot] = [],
        staffIDs: Set<String>? = nil,
        _ body: (DingTalkAdapter, DingTalkEmulator) async throws -> Void
    ) async throws {
        var settings = DingTalkEmulator.Configuration(
            clientID: "dinglive",
            clientSecret: "live-test-secret",
            accessTokenLifetime: accessTokenLifetime,
            pingInterval: .milliseconds(200),
            ackTimeout: ackTimeout,
            rateLimits: false,
            customRobots: customRobots,
            staffIDs: staffIDs
        )
        settings.disconnectGrace = .milliseconds(600)
        let emulator = DingTalkEmulator(configuration: settings, logger: quietLogger("emulator"))
        try await withServices([emulator]) {
            let base = "http://127.0.0.1:\(try await emulator.port())"
            let adapter = DingTalkAdapter(
                configuration: .init(
                    platform: "corp",
                    clientID: "dinglive",
                    clientSecret: Secret(secret),
                    robotCode: "dinglive",
                    apiURL: base,
                    oapiURL: base,
                    reconnectBackoff: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(200)),
                    idleTimeout: idleTimeout
                ),
                httpClient: HTTPClient.shared,
                logger: quietLogger("test")
            )
            try await body(adapter, emulator)
        }
    }

    @Test func aGroupSendReachesTheConversationWithItsProcessQueryKey() async throws {
        try await withAdapter { adapter, emulator in
            let keys = try await adapter.send(OutboundMessage(channel: Self.desk, text: "[外部 support] Li: 你好", idempotencyKey: "k"))
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.api) == ["groupMessages/send"])
            #expect(sent.map(\.msgKey) == ["sampleText"])
            #expect(sent.map(\.content) == ["[外部 support] Li: 你好"])
            #expect(keys == sent.compactMap(\.processQueryKey))
        }
    }

    @Test func markdownReachesTheConversationAsSampleMarkdown() async throws {
        try await withAdapter { adapter, emulator in
            _ = try await adapter.send(
                OutboundMessage(channel: Self.desk, text: "**Q3** is out", format: .markdown(title: "Q3"), idempotencyKey: "k")
            )
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.msgKey) == ["sampleMarkdown"])
            #expect(sent.map(\.content) == ["**Q3** is out"])
        }
    }

    @Test func formattedTextReachesTheConversationAsSampleMarkdown() async throws {
        try await withAdapter { adapter, emulator in
            // Bold and a link as markup; the literal `*` escaped; the line break kept.
            let spans = [Span(offset: 0, length: 2, style: .bold), Span(offset: 26, length: 10, style: .link("https://acme.example/q3"))]
            _ = try await adapter.send(
                OutboundMessage(channel: Self.desk, text: "Q3 is out: 2*3 growth\nsee the report", idempotencyKey: "k", spans: spans)
            )
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.msgKey) == ["sampleMarkdown"])
            #expect(sent.map(\.content) == [#"**Q3** is out: 2\*3 growth"# + "  \n  " + "see [the report](https://acme.example/q3)"])
        }
    }

    @Test func wrongCredentialsArePermanentAndTheSecretStaysOut() async throws {
        try await withAdapter(secret: "not-the-secret") { adapter, _ in
            do {
                _ = try await adapter.send(OutboundMessage(channel: Self.desk, text: "x", idempotencyKey: "k"))
                Issue.record("a send with wrong credentials succeeded")
            } catch let error as DeliveryError {
                #expect(!error.description.contains("not-the-secret"))
            }
        }
    }

    @Test func robotMessagesArriveOverStreamAndAnAcknowledgedOneIsNotPushedAgain() async throws {
        // A timeout a loaded machine's ACK still beats; the wait below outlasts it.
        try await withAdapter(ackTimeout: .seconds(2)) { adapter, emulator in
            try await withIntake(adapter) { seen in
                let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 is out"))
                #expect(await eventually { seen.values.map(\.body.text) == ["Q3 is out"] })
                // Well past the emulator's ACK timeout: still once.
                try await Task.sleep(for: .milliseconds(2500))
                #expect(seen.values.map(\.origin.eventID) == [id])
                #expect(seen.values.first?.sender == .init(id: "m01", name: "王经理"))
            }
        }
    }

    @Test func anUnacknowledgedMessageIsPushedAgain() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter, acknowledge: { $0 > 1 }) { seen in
                let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "again"))
                #expect(await eventually { seen.values.map(\.origin.eventID) == [id, id] })
            }
        }
    }

    @Test func theAdapterReconnectsAfterTheServerSaysDisconnect() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                await emulator.disconnectAll()
                _ = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "after reconnect"))
                #expect(await eventually { seen.values.map(\.body.text) == ["after reconnect"] })
            }
        }
    }

    @Test func aDisconnectUnderSteadyLoadLosesNothingAndTheNextConnectionOpensFirst() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                var sent: [String] = []
                for number in 1...40 {
                    if number == 15 { await emulator.disconnectAll() }
                    sent.append(try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "update \(number)")))
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(await eventually { Set(seen.values.map(\.origin.eventID)) == Set(sent) })
                // Each once — but for a push the server made again because its ACK came late (a
                // busy machine), which inbound dedup absorbs — and the next connection was open
                // before the old one closed.
                let stats = await emulator.streamStats()
                #expect(seen.values.count - 40 <= stats.redeliveries)
                #expect(stats.connectionsOpened >= 2 && stats.mostOpenAtOnce >= 2)
            }
        }
    }

    @Test func aZombieConnectionIsDetectedAndReplaced() async throws {
        try await withAdapter(idleTimeout: .milliseconds(800)) { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                // The connection stays open, but nothing comes through it any more: no ping, no push.
                await emulator.makeZombies()
                let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "through the fog"))
                // The watchdog closes the silent connection, a new one opens, and the server pushes
                // again what the zombie swallowed (on a busy machine, maybe once more: an ACK that
                // came late; inbound dedup absorbs it).
                #expect(await eventually(timeout: .seconds(10)) { Set(seen.values.map(\.origin.eventID)) == [id] })
                #expect(await emulator.streamStats().connectionsOpened >= 2)
            }
        }
    }
}
