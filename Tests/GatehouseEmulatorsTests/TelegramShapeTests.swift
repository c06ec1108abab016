import Foundation
import Testing

@testable import GatehouseEmulators

/// The emulator's answers against the Bot API's own type definitions (the fields of each type, their
/// types and which are required, extracted from shared/reference/telegram/bot-api-spec.json by
/// Tests/Tools/extract-bot-api-types.py): every field it writes is documented, of a documented
/// type, and no required field is missing.
@Suite("Telegram emulator: answers have the Bot API's shapes", .timeLimit(.minutes(2)))
struct TelegramShapeTests {
    struct Field: Decodable {
        var name: String
        var types: [String]
        var required: Bool
    }

    struct Spec: Decodable {
        var version: String
        var types: [String: [Field]]
    }

    static let spec: Spec = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bot-api-types.json")
        // A test fixture that must exist; failing loudly here is the point.
        return try! JSONDecoder().decode(Spec.self, from: Data(contentsOf: path))
    }()

    /// The problems of `value` as a `type` (a spec type such as "Integer", "Array of Update", "Message").
    static func problems(_ value: JSONValue, as type: String, at path: String) -> [String] {
        switch type {
        case "Integer":
            if case .int = value { return [] }
        case "Float":
            if case .int = value { return [] }
            if case .double = value { return [] }
        case "String":
            if case .string = value { return [] }
        case "Boolean":
            if case .bool = value { return [] }
        case "True":
            if value == .bool(true) { return [] }
        default:
            if type.hasPrefix("Array of ") {
                guard case .array(let elements) = value else { break }
                let element = String(type.dropFirst("Array of ".count))
                return elements.enumerated().flatMap { problems($1, as: element, at: "\(path)[\($0)]") }
            }
            guard case .object(let members) = value else { break }
            // A type outside the extract (a nested object the emulator never writes) is not checked deeper.
            guard let fields = spec.types[type] else { return [] }
            var found: [String] = []
            for (name, member) in members {
                guard let field = fields.first(where: { $0.name == name }) else {
                    found.append("\(path).\(name) is not a field of \(type)")
                    continue
                }
                let attempts = field.types.map { problems(member, as: $0, at: "\(path).\(name)") }
                if !attempts.contains(where: \.isEmpty) { found += attempts.first ?? [] }
            }
            for field in fields where field.required && members[field.name] == nil {
                found.append("\(path) lacks \(type).\(field.name), which is required")
            }
            return found
        }
        return ["\(path) is not a \(type): \(value)"]
    }

    static let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    static let api = "/bot\(token)"
    static let forum = TelegramEmulator.Chat(id: -1_001_234_567_890, type: .supergroup, title: "Partners", isForum: true)

    @Test("getMe, sendMessage, editMessageText, getUpdates (with files), getFile, sendDocument and getWebhookInfo answer with documented types")
    func successfulAnswers() async throws {
        try await withTelegram(.init(token: Self.token, rateLimits: false)) { emulator, http in
            var checked: [(JSONValue?, String, String)] = []
            checked.append((try await http.get("\(Self.api)/getMe").json["result"], "User", "getMe"))
            let sent = try await http.post(
                "\(Self.api)/sendMessage",
                json: .object([
                    "chat_id": .int(Self.forum.id), "message_thread_id": .int(7), "text": .string("📢 Hello world"),
                    "entities": .array([.object(["type": .string("bold"), "offset": .int(3), "length": .int(5)])]),
                ])
            )
            checked.append((sent.json["result"], "Message", "sendMessage"))
            let edited = try await http.post(
                "\(Self.api)/editMessageText",
                json: .object([
                    "chat_id": .int(Self.forum.id), "message_id": sent.json["result"]?["message_id"] ?? .int(0), "text": .string("v2"),
                ])
            )
            checked.append((edited.json["result"], "Message", "editMessageText"))
            let first = try await emulator.inject(
                .init(kind: .message, chat: Self.forum, from: .init(id: 42, firstName: "Li"), text: "hi", messageThreadID: 7)
            )
            _ = try await emulator.inject(
                .init(kind: .message, chat: Self.forum, from: .init(id: 43, firstName: "Wang"), text: "re", replyToMessageID: first.messageID)
            )
            _ = try await emulator.inject(
                .init(kind: .editedMessage, chat: Self.forum, from: .init(id: 42, firstName: "Li"), text: "hi!", messageID: first.messageID)
            )
            _ = try await emulator.inject(
                .init(kind: .channelPost, chat: .init(id: -1_009, type: .channel, title: "News", username: "acme_news"), text: "post")
            )
            _ = try await emulator.inject(
                .init(
                    kind: .message,
                    chat: Self.forum,
                    from: .init(id: 42, firstName: "Li"),
                    text: "the report",
                    document: .init(fileName: "q3.pdf", mimeType: "application/pdf", content: Data("%PDF-1.7".utf8))
                )
            )
            _ = try await emulator.inject(
                .init(
                    kind: .message,
                    chat: Self.forum,
                    from: .init(id: 42, firstName: "Li"),
                    text: "",
                    photo: .init(content: Data([0xFF, 0xD8, 0xFF]))
                )
            )
            let updates = try await http.get("\(Self.api)/getUpdates")
            #expect(updates.json["result"]?.arrayValue?.count == 6)
            let fileID = updates.json["result"]?.arrayValue?[4]["message"]?["document"]?["file_id"] ?? .null
            checked.append((try await http.post("\(Self.api)/getFile", json: .object(["file_id": fileID])).json["result"], "File", "getFile"))
            let document = try await http.post(
                "\(Self.api)/sendDocument",
                json: .object([
                    "chat_id": .int(Self.forum.id), "document": fileID, "caption": .string("again"),
                ])
            )
            checked.append((document.json["result"], "Message", "sendDocument"))
            checked.append((updates.json["result"], "Array of Update", "getUpdates"))
            checked.append((try await http.get("\(Self.api)/getWebhookInfo").json["result"], "WebhookInfo", "getWebhookInfo"))
            for (value, type, method) in checked {
                let found = value.map { Self.problems($0, as: type, at: method) } ?? ["\(method) has no result"]
                #expect(found.isEmpty, "\(found)")
            }
        }
    }

    @Test("errors carry documented ResponseParameters (retry_after, migrate_to_chat_id)")
    func errorParameters() async throws {
        let strict = TelegramEmulator.Configuration(token: Self.token, rateLimits: true, floodLimits: .init(chatPerSecond: 1, chatBurst: 1))
        try await withTelegram(strict) { emulator, http in
            let message: JSONValue = .object(["chat_id": .int(42), "text": .string("x")])
            _ = try await http.post("\(Self.api)/sendMessage", json: message)
            let limited = try await http.post("\(Self.api)/sendMessage", json: message)
            #expect(limited.status == 429)
            try await emulator.migrate(group: -77, to: -1_000_000_000_077)
            let moved = try await http.post("\(Self.api)/sendMessage", json: .object(["chat_id": .int(-77), "text": .string("x")]))
            for (answer, name) in [(limited, "429"), (moved, "migrated")] {
                let parameters = answer.json["parameters"]
                #expect(parameters != nil, "\(name) has no parameters")
                let found = parameters.map { Self.problems($0, as: "ResponseParameters", at: name) } ?? []
                #expect(found.isEmpty, "\(found)")
            }
        }
    }

    @Test("the check itself finds undocumented fields, wrong types and missing required fields")
    func theCheckCanFail() throws {
        let message = try JSONValue.parse(
            #"{"message_id": "7", "chat": {"id": 1, "type": "private"}, "text": "x", "shiny": true, "entities": [{"type": "bold", "offset": 0}]}"#
        )
        let found = Self.problems(message, as: "Message", at: "m")
        #expect(found.contains("m.shiny is not a field of Message"))
        #expect(found.contains { $0.hasPrefix("m.message_id is not a Integer") })
        #expect(found.contains("m lacks Message.date, which is required"))
        #expect(found.contains("m.entities[0] lacks MessageEntity.length, which is required"))
    }

    @Test("the extract is the Bot API version the emulator follows")
    func version() {
        #expect(Self.spec.version == "Bot API 10.1")
        #expect(Self.spec.types["Message"]?.contains { $0.name == "message_thread_id" } == true)
    }
}
