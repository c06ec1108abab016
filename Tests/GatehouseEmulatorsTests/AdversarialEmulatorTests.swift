import AsyncHTTPClient
import Foundation
import Testing

@testable import GatehouseEmulators

/// The emulators are a sandbox people point their own code at: numbers from callers must not trap
/// them either.
@Suite(.timeLimit(.minutes(2))) struct AdversarialEmulatorTests {
    static let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"

    @Test func aGetUpdatesOffsetOfInt64MinKeepsEveryUpdateInsteadOfTrapping() async throws {
        try await withTelegram(.init(token: Self.token, rateLimits: false)) { emulator, http in
            let chat = TelegramEmulator.Chat(id: -1_001_234_567_890, type: .supergroup, title: "Partners")
            _ = try await emulator.inject(.init(kind: .message, chat: chat, from: .init(id: 42, firstName: "Li"), text: "one"))
            let answer = try await http.get("/bot\(Self.token)/getUpdates?offset=-9223372036854775808")
            #expect(answer.json["result"]?.arrayValue?.count == 1)
        }
    }

    @Test func aCustomRobotTimestampOfInt64MinIsASecurityFailureNotATrap() async throws {
        let robot = DingTalkEmulator.CustomRobot(accessToken: "robot-token", secret: "SECabcdef0123456789", conversationId: "cidALERTS==")
        try await withDingTalk(.init(rateLimits: false, customRobots: [robot])) { emulator, http in
            let body = JSONValue.object(["msgtype": .string("text"), "text": .object(["content": .string("disk full")])])
            for timestamp in ["-9223372036854775808", "9223372036854775807"] {
                let answer = try await http.post("/robot/send?access_token=robot-token&timestamp=\(timestamp)&sign=AAAA", json: body)
                #expect(answer.json["errcode"] == .int(310000))
            }
            #expect(await emulator.stats().rejectedSignatures == 2)
        }
    }

    @Test func anEntityOffsetNearIntMaxIsABadRequestNotATrap() async throws {
        try await withTelegram(.init(token: Self.token, rateLimits: false)) { emulator, http in
            let chat = TelegramEmulator.Chat(id: -1_001_234_567_890, type: .supergroup, title: "Partners")
            _ = try await emulator.inject(.init(kind: .message, chat: chat, from: .init(id: 42, firstName: "Li"), text: "one"))
            let body = JSONValue.object([
                "chat_id": .int(chat.id), "text": .string("hello"),
                "entities": .array([.object(["type": .string("bold"), "offset": .int(.max), "length": .int(1)])]),
            ])
            let answer = try await http.post("/bot\(Self.token)/sendMessage", json: body)
            #expect(answer.status == 400)
            #expect(answer.json["description"]?.stringValue?.contains("can't parse entities") == true)
        }
    }
}
