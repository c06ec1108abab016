import Foundation
import Testing

@testable import GatehouseEmulators

private let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
private let api = "/bot\(token)"

/// copyMessage, forwardMessage, sendChatAction and createForumTopic: methods client libraries
/// call, answered as the Bot API documents them rather than with a 404.
@Suite("Telegram emulator: copies, forwards, chat actions, topics", .timeLimit(.minutes(2)))
struct TelegramCopyTests {
    static let partners = TelegramEmulator.Chat(id: -1_001_234_567_890, type: .supergroup, title: "Partners")
    static let news = TelegramEmulator.Chat(id: -1_009_999, type: .channel, title: "News")

    var configuration: TelegramEmulator.Configuration {
        var configuration = TelegramEmulator.Configuration(token: token, rateLimits: false)
        configuration.chats = [Self.partners, Self.news]
        return configuration
    }

    @Test("a user's message is copied without a link and forwarded with its origin; an unknown one is not found")
    func copyAndForward() async throws {
        try await withTelegram(configuration) { emulator, http in
            let injected = try await emulator.inject(
                .init(kind: .message, chat: Self.partners, from: .init(id: 42, firstName: "Li"), text: "the plan")
            )
            let source: [String: JSONValue] = ["from_chat_id": .int(Self.partners.id), "message_id": .int(injected.messageID)]
            let copied = try await http.post("\(api)/copyMessage", json: .object(source.merging(["chat_id": .int(Self.news.id)]) { $1 }))
            #expect(copied.status == 200)
            #expect(copied.json["result"]?["message_id"]?.int64Value != nil)
            #expect(copied.json["result"]?["text"] == nil)

            let forwarded = try await http.post("\(api)/forwardMessage", json: .object(source.merging(["chat_id": .int(Self.news.id)]) { $1 }))
            #expect(forwarded.json["result"]?["text"] == .string("the plan"))
            #expect(forwarded.json["result"]?["forward_origin"]?["type"] == .string("user"))
            #expect(forwarded.json["result"]?["forward_origin"]?["sender_user"]?["id"] == .int(42))
            #expect(await emulator.sent(chatID: String(Self.news.id)).map(\.method) == ["copyMessage", "forwardMessage"])

            let missing = try await http.post(
                "\(api)/copyMessage",
                json: .object(["chat_id": .int(Self.news.id), "from_chat_id": .int(Self.partners.id), "message_id": .int(999)])
            )
            #expect(missing.status == 400)
            #expect(missing.json["description"] == .string("Bad Request: message to copy not found"))
        }
    }

    @Test("sendChatAction takes the documented actions only")
    func chatAction() async throws {
        try await withTelegram(configuration) { _, http in
            let typing = try await http.post(
                "\(api)/sendChatAction",
                json: .object(["chat_id": .int(Self.partners.id), "action": .string("typing")])
            )
            #expect(typing.json["result"] == .bool(true))
            let dancing = try await http.post(
                "\(api)/sendChatAction",
                json: .object(["chat_id": .int(Self.partners.id), "action": .string("dancing")])
            )
            #expect(dancing.status == 400)
        }
    }

    @Test("createForumTopic opens a topic messages can then be sent to; a channel is not a forum")
    func forumTopic() async throws {
        try await withTelegram(configuration) { _, http in
            let created = try await http.post(
                "\(api)/createForumTopic",
                json: .object(["chat_id": .int(Self.partners.id), "name": .string("Support")])
            )
            let thread = try #require(created.json["result"]?["message_thread_id"]?.int64Value)
            #expect(created.json["result"]?["name"] == .string("Support"))
            let sent = try await http.post(
                "\(api)/sendMessage",
                json: .object(["chat_id": .int(Self.partners.id), "message_thread_id": .int(thread), "text": .string("hello")])
            )
            #expect(sent.json["result"]?["message_thread_id"] == .int(thread))
            let channel = try await http.post("\(api)/createForumTopic", json: .object(["chat_id": .int(Self.news.id), "name": .string("x")]))
            #expect(channel.status == 400)
        }
    }

    @Test("a chat the bot was never in is not found; a declared or seen one is")
    func onlyKnownChats() async throws {
        var configuration = TelegramEmulator.Configuration(token: token, rateLimits: false)
        configuration.chats = [Self.partners]
        try await withTelegram(configuration, openChats: false) { emulator, http in
            func send(_ chat: Int64) async throws -> HTTPAnswer {
                try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(chat), "text": .string("hi")]))
            }
            let stranger = try await send(-1_005_555)
            #expect(stranger.status == 400)
            #expect(stranger.json["description"] == .string("Bad Request: chat not found"))
            #expect(try await send(Self.partners.id).status == 200)
            // A user who writes to the bot makes the private chat known.
            _ = try await emulator.inject(
                .init(kind: .message, chat: .init(id: 77, type: .private, firstName: "Li"), from: .init(id: 77, firstName: "Li"), text: "hello")
            )
            #expect(try await send(77).status == 200)
            await emulator.register(chat: .init(id: -1_005_555, type: .group, title: "Late"))
            #expect(try await send(-1_005_555).status == 200)
        }
    }

    @Test("a message may name only a topic that exists in the forum")
    func onlyKnownTopics() async throws {
        var configuration = TelegramEmulator.Configuration(token: token, rateLimits: false)
        configuration.chats = [.init(id: Self.partners.id, type: .supergroup, title: "Partners", topics: [7])]
        try await withTelegram(configuration, openChats: false) { _, http in
            func send(thread: Int64) async throws -> HTTPAnswer {
                try await http.post(
                    "\(api)/sendMessage",
                    json: .object(["chat_id": .int(Self.partners.id), "message_thread_id": .int(thread), "text": .string("hi")])
                )
            }
            #expect(try await send(thread: 7).status == 200)
            let unknown = try await send(thread: 8)
            #expect(unknown.json["description"] == .string("Bad Request: message thread not found"))
            let created = try await http.post("\(api)/createForumTopic", json: .object(["chat_id": .int(Self.partners.id), "name": .string("Desk")]))
            let thread = try #require(created.json["result"]?["message_thread_id"]?.int64Value)
            #expect(try await send(thread: thread).status == 200)
        }
    }
}
