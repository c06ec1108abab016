import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Logging
import Synchronization
import Testing

@testable import TelegramAdapter

/// The adapter against the independent Bot API emulator on 127.0.0.1.
@Suite(.timeLimit(.minutes(2))) struct TelegramAdapterLiveTests {
    static let token = "123456:AAE-live-test-token-0123456789abcdef"
    static let news = Channel(name: "news", platform: "outreach", address: .chat("-1001234", topic: nil))

    /// Runs an emulator and an adapter pointed at it around `body`.
    func withAdapter(
        token: String = token,
        fileLimits: TelegramEmulator.FileLimits = .init(),
        chats: [TelegramEmulator.Chat] = [],
        _ body: (TelegramAdapter, TelegramEmulator) async throws -> Void
    ) async throws {
        var configuration = TelegramEmulator.Configuration(token: Self.token, rateLimits: false)
        configuration.fileLimits = fileLimits
        configuration.chats = chats
        // The adapter's tests send to chats they do not declare one by one.
        configuration.openChats = true
        let emulator = TelegramEmulator(configuration: configuration, logger: quietLogger("emulator"))
        try await withServices([emulator]) {
            try await body(adapter(for: emulator, token: token), emulator)
        }
    }

    /// An adapter pointed at a running emulator.
    func adapter(
        for emulator: TelegramEmulator,
        token: String = token,
        cursors: (any CursorStore)? = nil,
        limits: TelegramAdapter.Limits = .init(),
        logger: Logger = quietLogger("test")
    ) async throws -> TelegramAdapter {
        TelegramAdapter(
            configuration: .init(
                platform: "outreach",
                token: Secret(token),
                apiURL: "http://127.0.0.1:\(try await emulator.port())",
                pollTimeout: .seconds(1),
                pollBackoff: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(100)),
                limits: limits
            ),
            httpClient: HTTPClient.shared,
            cursors: cursors,
            logger: logger
        )
    }

    /// A cursor store in memory.
    final class Cursors: CursorStore {
        let values = Mutex<[String: String]>([:])
        func cursor(for platform: String) async throws -> String? { values.withLock { $0[platform] } }
        func saveCursor(_ value: String, for platform: String) async throws { values.withLock { $0[platform] = value } }
    }

    static let support = TelegramEmulator.Chat(id: -1009, type: .supergroup, title: "Support")

    func post(_ text: String, to emulator: TelegramEmulator) async throws -> Int64 {
        try await emulator.inject(.init(chat: Self.support, from: .init(id: 42, firstName: "Li"), text: text)).updateID
    }

    @Test func sendReturnsTheMessageIDAndTheChatReceivesTheText() async throws {
        try await withAdapter { adapter, emulator in
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: "📢 Q3 — 王经理", idempotencyKey: "k"))
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.map(\.text) == ["📢 Q3 — 王经理"])
            #expect(ids == sent.compactMap(\.messageID).map(String.init))
        }
    }

    @Test func aChannelIsPacedAsAChannelOnceTelegramSaysItIsOne() async throws {
        let channel = TelegramEmulator.Chat(id: -1_001_234, type: .channel, title: "News")
        let group = TelegramEmulator.Chat(id: -1_005_678, type: .supergroup, title: "Partners")
        let partners = Channel(name: "partners", platform: "outreach", address: .chat("-1005678", topic: nil))
        try await withAdapter(chats: [channel, group]) { adapter, emulator in
            // Until asked, both may be groups: the cautious pace.
            #expect(adapter.pacer.kind(of: "-1001234") == nil)
            _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "a", idempotencyKey: "k1"))
            _ = try await adapter.send(OutboundMessage(channel: partners, text: "b", idempotencyKey: "k2"))
            #expect(adapter.pacer.kind(of: "-1001234") == .channel)
            #expect(adapter.pacer.kind(of: "-1005678") == .group)
            #expect(await emulator.sent(chatID: "-1001234").count == 1)
            // A chat Telegram will not describe is taken for a group, and not asked about again.
            let nobody = Channel(name: "nobody", platform: "outreach", address: .chat("@nobody_here", topic: nil))
            await #expect(throws: DeliveryError.self) {
                _ = try await adapter.send(OutboundMessage(channel: nobody, text: "c", idempotencyKey: "k3"))
            }
            #expect(adapter.pacer.kind(of: "@nobody_here") == .group)
        }
    }

    @Test func aLongTextIsSplitAndEveryPartIsRecorded() async throws {
        try await withAdapter { adapter, emulator in
            let text = String(repeating: "第三季度业绩 🚀 results\n", count: 300)
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: text, idempotencyKey: "k"))
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(ids.count > 1 && ids.count == sent.count)
            #expect(sent.compactMap(\.text).joined() == text)
        }
    }

    @Test func editAndDeleteReachEveryPart() async throws {
        try await withAdapter { adapter, emulator in
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: "v1", idempotencyKey: "k"))
            let edited = try await adapter.edit(ids, with: OutboundMessage(channel: Self.news, text: "v2", idempotencyKey: "k"))
            #expect(edited == ids)
            try await adapter.delete(ids, in: Self.news, priority: .interactive)
            #expect(await emulator.sent(chatID: "-1001234").map(\.method) == ["sendMessage", "editMessageText", "deleteMessage"])
        }
    }

    @Test func aWrongTokenIsPermanentAndNeverAppearsInTheError() async throws {
        let wrong = "999999:AAE-wrong-token-abcdefghijklmnopqrstuvwx"
        try await withAdapter(token: wrong) { adapter, _ in
            do {
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "x", idempotencyKey: "k"))
                Issue.record("a send with a wrong token succeeded")
            } catch let error as DeliveryError {
                #expect(error.isPermanent)
                #expect(error.code == .unauthorized)
                #expect(!error.description.contains(wrong) && !error.description.contains("AAE-wrong"))
            }
        }
    }

    @Test func anUnreachableServerIsTransient() async throws {
        let adapter = TelegramAdapter(
            configuration: .init(platform: "outreach", token: Secret(Self.token), apiURL: "http://127.0.0.1:1", requestTimeout: .seconds(1)),
            httpClient: HTTPClient.shared,
            logger: Logger(label: "test")
        )
        await #expect {
            _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "x", idempotencyKey: "k"))
        } throws: { error in
            guard let error = error as? DeliveryError else { return false }
            return !error.isPermanent && !error.description.contains(Self.token)
        }
    }

    @Test func anUpdateIsReceivedAgainUntilItIsAcknowledged() async throws {
        try await withAdapter { adapter, emulator in
            // The first delivery is not acknowledged, as if the commit had failed.
            try await withIntake(adapter, acknowledge: { $0 > 1 }) { seen in
                let chat = TelegramEmulator.Chat(id: -1009, type: .supergroup, title: "Support")
                _ = try await emulator.inject(.init(chat: chat, from: .init(id: 42, firstName: "Li"), text: "first"))
                #expect(await eventually { seen.values.map(\.body.text) == ["first", "first"] })
                _ = try await emulator.inject(.init(chat: chat, from: .init(id: 42, firstName: "Li"), text: "second"))
                #expect(await eventually { seen.values.map(\.body.text) == ["first", "first", "second"] })
                // Acknowledged updates are confirmed with the next poll and never come back.
                try await Task.sleep(for: .milliseconds(300))
                #expect(seen.values.map(\.body.text) == ["first", "first", "second"])
                #expect(seen.values.last?.origin.conversation == "-1009")
            }
        }
    }

    @Test func theOffsetIsSavedOnceUpdatesAreAcknowledgedAndARestartResumesFromIt() async throws {
        let emulator = TelegramEmulator(configuration: .init(token: Self.token, rateLimits: false).openingChats(), logger: quietLogger("emulator"))
        try await withServices([emulator]) {
            let cursors = Cursors()
            let first = try await adapter(for: emulator, cursors: cursors)
            let (a, b) = (try await post("a", to: emulator), try await post("b", to: emulator))
            try await withIntake(first) { seen in
                #expect(await eventually { seen.values.map(\.body.text) == ["a", "b"] })
                #expect(await eventually { cursors.values.withLock { $0["outreach"] } == String(b + 1) })
            }
            #expect(b == a + 1)
            // A restart whose saved offset is past "c" (as if "c" had been committed before the
            // crash, but Telegram never told) does not receive it again; "d" comes through.
            _ = try await post("c", to: emulator)
            cursors.values.withLock { $0["outreach"] = String(b + 2) }
            _ = try await post("d", to: emulator)
            try await withIntake(try await adapter(for: emulator, cursors: cursors)) { seen in
                #expect(await eventually { seen.values.map(\.body.text) == ["d"] })
                try await Task.sleep(for: .milliseconds(300))
                #expect(seen.values.map(\.body.text) == ["d"])
            }
        }
    }

    @Test func aSecondPollerIsReportedAsAnErrorNamingTheConflict() async throws {
        let emulator = TelegramEmulator(configuration: .init(token: Self.token, rateLimits: false).openingChats(), logger: quietLogger("emulator"))
        let logs = LogRecorder()
        try await withServices([emulator]) {
            let one = try await adapter(for: emulator, logger: logs.logger("one"))
            let two = try await adapter(for: emulator, logger: logs.logger("two"))
            try await withIntake(one) { _ in
                try await withIntake(two) { _ in
                    #expect(await eventually { logs.entries(atLeast: .error).contains { $0.message.contains("409 Conflict") } })
                }
            }
        }
        // However often it is said, the token is never in it.
        #expect(!logs.all.contains { $0.line.contains(Self.token) })
    }

    @Test func aBurstOf200ToOneGroupArrivesInOrderWithoutA429() async throws {
        // Telegram's limits with every window shrunk, on both sides, so the burst takes seconds.
        let flood = TelegramEmulator.FloodLimits(
            chatPerSecond: 40,
            chatBurst: 3,
            groupLimit: 20,
            groupWindow: .milliseconds(500),
            botLimit: 30,
            botWindow: .milliseconds(100)
        )
        let emulator = TelegramEmulator(
            configuration: .init(token: Self.token, rateLimits: true, floodLimits: flood).openingChats(),
            logger: quietLogger("emulator")
        )
        try await withServices([emulator]) {
            let adapter = try await adapter(
                for: emulator,
                limits: .init(chat: Rate(1, per: .milliseconds(25)), group: Rate(20, per: .milliseconds(500)), bot: Rate(30, per: .milliseconds(100)))
            )
            for index in 0..<200 {
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "announcement \(index)", idempotencyKey: "k\(index)"))
            }
            #expect(await emulator.stats().rateLimited == 0)
            #expect(await emulator.sent(chatID: "-1001234").compactMap(\.text) == (0..<200).map { "announcement \($0)" })
        }
    }

    @Test func aLong429IsHandedBackAtOnceAndTheChatWaitsItOutWithoutHoldingASend() async throws {
        try await withAdapter { adapter, emulator in
            await emulator.setFaults(TelegramFaults(rate: 1, retryAfter: 20, kinds: [.tooManyRequests]))
            let started = ContinuousClock.now
            // Not waited out inside the send: the dispatcher defers the job for exactly retry_after.
            await #expect {
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "m", idempotencyKey: "k"))
            } throws: { error in
                guard let error = error as? DeliveryError, case .transient(let retryAfter?) = error.disposition else { return false }
                return error.code == .rateLimited && retryAfter == .seconds(20)
            }
            await emulator.setFaults(TelegramFaults())
            // The chat still waits it out: the next send to it is handed back without a request.
            await #expect {
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "m", idempotencyKey: "k"))
            } throws: { error in
                (error as? DeliveryError)?.code == .paced
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(await emulator.stats().injectedFaults == 1)
            // Another chat is not held back.
            let other = Channel(name: "other", platform: "outreach", address: .chat("-1005678", topic: nil))
            let sent = try await adapter.send(OutboundMessage(channel: other, text: "m", idempotencyKey: "k2"))
            #expect(sent.count == 1)
        }
    }

    @Test func a429IsWaitedOutForExactlyRetryAfterAndThePartSentOnce() async throws {
        // The server is stricter than the adapter believes: it answers 429 with retry_after.
        let flood = TelegramEmulator.FloodLimits(chatPerSecond: 1, chatBurst: 2)
        let emulator = TelegramEmulator(
            configuration: .init(token: Self.token, rateLimits: true, floodLimits: flood).openingChats(),
            logger: quietLogger("emulator")
        )
        try await withServices([emulator]) {
            let adapter = try await adapter(
                for: emulator,
                limits: .init(chat: Rate(100, per: .seconds(1)), group: Rate(100, per: .seconds(1)), bot: Rate(100, per: .seconds(1)))
            )
            let started = ContinuousClock.now
            for index in 0..<3 {
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "m\(index)", idempotencyKey: "k\(index)"))
            }
            #expect(await emulator.stats().rateLimited >= 1)
            #expect(ContinuousClock.now - started >= .seconds(1))
            #expect(await emulator.sent(chatID: "-1001234").compactMap(\.text) == ["m0", "m1", "m2"])
        }
    }

    @Test func aGroupUpgradedToASupergroupIsFollowedAndRememberedAcrossRestarts() async throws {
        let emulator = TelegramEmulator(configuration: .init(token: Self.token, rateLimits: false).openingChats(), logger: quietLogger("emulator"))
        let group = Channel(name: "partners", platform: "outreach", address: .chat("-555", topic: nil))
        try await withServices([emulator]) {
            let cursors = Cursors()
            let first = try await adapter(for: emulator, cursors: cursors)
            _ = try await first.send(OutboundMessage(channel: group, text: "before", idempotencyKey: "k1"))
            try await emulator.migrate(group: -555, to: -1_000_000_000_555)
            // The send that learns of the move is not lost: it goes to the supergroup.
            _ = try await first.send(OutboundMessage(channel: group, text: "during", idempotencyKey: "k2"))
            // A restart still knows: the config's old id is not even tried.
            let second = try await adapter(for: emulator, cursors: cursors)
            _ = try await second.send(OutboundMessage(channel: group, text: "after", idempotencyKey: "k3"))
            #expect(await emulator.sent(chatID: "-555").compactMap(\.text) == ["before"])
            #expect(await emulator.sent(chatID: "-1000000000555").compactMap(\.text) == ["during", "after"])
            #expect(cursors.values.withLock { $0["outreach#migrated:-555"] } == "-1000000000555")
        }
    }

    @Test func aMessageOlderThan48HoursIsNotDeletableAndSaysSoPermanently() async throws {
        try await withAdapter { adapter, emulator in
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: "old news", idempotencyKey: "k"))
            await emulator.advanceClock(by: .seconds(49 * 3600))
            do {
                try await adapter.delete(ids, in: Self.news, priority: .interactive)
                Issue.record("a message older than 48 h was deleted")
            } catch let error as DeliveryError {
                // Permanent, and precisely so: the dispatcher withdraws the copy (edits it to the
                // route's notice) instead, and the audit record says why.
                #expect(error.isPermanent && error.code == .notRemovable)
                #expect(error.detail.contains("message can't be deleted"))
            }
            #expect(await emulator.sent(chatID: "-1001234").map(\.method) == ["sendMessage"])
        }
    }

    @Test func webhookIntakeTellsTelegramWhereToPushThenJudgesAndDecodesEachPush() async throws {
        var configuration = TelegramEmulator.Configuration(token: Self.token, rateLimits: false)
        configuration.plainWebhooks = true
        let emulator = TelegramEmulator(configuration: configuration, logger: quietLogger("emulator"))
        try await withServices([emulator]) {
            let adapter = TelegramAdapter(
                configuration: .init(
                    platform: "outreach",
                    token: Secret(Self.token),
                    apiURL: "http://127.0.0.1:\(try await emulator.port())",
                    webhook: .init(url: "http://127.0.0.1:9/hooks/outreach", secret: Secret("hook-Secret_1"))
                ),
                httpClient: HTTPClient.shared,
                logger: quietLogger("test")
            )
            // Intake returns once Telegram knows where to push: the pushes come through the door,
            // not through a handler the adapter keeps.
            try await adapter.receive { _ in Issue.record("a webhook adapter handed over an event itself") }
            #expect(await emulator.webhookURL == "http://127.0.0.1:9/hooks/outreach")
            #expect(adapter.started?.hasFired == true)

            let now = Date()
            #expect(adapter.screen([:], now: now) == .refused(.unauthorized))
            #expect(adapter.screen(["x-telegram-bot-api-secret-token": "hook-secret_1"], now: now) == .refused(.unauthorized))
            #expect(adapter.screen(["x-telegram-bot-api-secret-token": "hook-Secret_1"], now: now) == nil)
            // Nothing in a Telegram push can be replayed to harm: the secret is a plain header.
            #expect(adapter.token(["x-telegram-bot-api-secret-token": "hook-Secret_1"]) == nil)

            let update = Array(
                #"{"update_id": 5, "message": {"message_id": 9, "date": 1790000000, "chat": {"id": -1009, "type": "supergroup", "title": "Support"}, "from": {"id": 42, "is_bot": false, "first_name": "Li"}, "text": "pushed"}}"#
                    .utf8
            )
            guard case .envelope(let envelope) = adapter.decode(Push(headers: [:], body: update)) else {
                Issue.record("a well-formed update was not decoded")
                return
            }
            #expect(envelope.body.text == "pushed" && envelope.origin.conversation == "-1009" && envelope.sender.name == "Li")
            guard case .refused(let answer) = adapter.decode(Push(headers: [:], body: Array("{not json".utf8))) else {
                Issue.record("a malformed push was not refused")
                return
            }
            #expect(answer.status == 400 && answer.refusal == .malformed)
            // An update no route can take (a reaction, say) is the platform's own: taken, nothing to commit.
            guard case .nothing = adapter.decode(Push(headers: [:], body: Array(#"{"update_id": 6}"#.utf8))) else {
                Issue.record("an empty update was not taken as nothing")
                return
            }
        }
    }
}
