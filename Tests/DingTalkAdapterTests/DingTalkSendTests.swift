import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// One-to-one sends, custom robots' @mentions, and the access token's life.
extension DingTalkAdapterLiveTests {
    @Test func aOneToOneChannelReachesEachPersonThroughBatchSendAndIsRecalledWithBatchRecall() async throws {
        try await withAdapter { adapter, emulator in
            let people = Channel(name: "on-call", platform: "corp", address: .users(["u1", "u2"]))
            let keys = try await adapter.send(OutboundMessage(channel: people, text: "[外部 support] Li: 你好", idempotencyKey: "k"))
            let sent = await emulator.sent(conversation: "u1,u2")
            #expect(sent.map(\.api) == ["oToMessages/batchSend"])
            #expect(sent.map(\.content) == ["[外部 support] Li: 你好"])
            #expect(keys == sent.compactMap(\.processQueryKey))
            // An edit is the new message, then the old one recalled (otoMessages/batchRecall).
            let edited = try await adapter.edit(keys, with: OutboundMessage(channel: people, text: "corrected", idempotencyKey: "k2"))
            #expect(
                await emulator.sent(conversation: "u1,u2").map(\.api) == [
                    "oToMessages/batchSend", "oToMessages/batchSend", "otoMessages/batchRecall",
                ]
            )
            #expect(await emulator.sent(conversation: "u1,u2").last?.processQueryKey == keys.first)
            // A delete recalls; a second one finds it recalled already, which is no failure.
            try await adapter.delete(edited, in: people, priority: .interactive)
            try await adapter.delete(edited, in: people, priority: .interactive)
            #expect(await emulator.sent(conversation: "u1,u2").filter { $0.api == "otoMessages/batchRecall" }.count == 2)
        }
    }

    @Test func staffIdsDingTalkDoesNotKnowGetNothingAndAChannelOfOnlyThoseIsRefused() async throws {
        try await withAdapter(staffIDs: ["u1"]) { adapter, emulator in
            let mixed = Channel(name: "mixed", platform: "corp", address: .users(["u1", "gone"]))
            _ = try await adapter.send(OutboundMessage(channel: mixed, text: "hello", idempotencyKey: "k"))
            #expect(await emulator.sent().map(\.conversation) == ["u1"])
            let nobody = Channel(name: "nobody", platform: "corp", address: .users(["gone"]))
            await #expect {
                _ = try await adapter.send(OutboundMessage(channel: nobody, text: "hello", idempotencyKey: "k2"))
            } throws: { error in
                (error as? DeliveryError)?.code == .notFound
            }
        }
    }

    @Test func aCustomRobotMentionsItsPeopleOnceAndNamesThemInTheText() async throws {
        let robot = DingTalkEmulator.CustomRobot(accessToken: "mention-token", conversationId: "cidAlerts==")
        try await withAdapter(customRobots: [robot]) { adapter, emulator in
            let alerts = Channel(
                name: "alerts",
                platform: "corp",
                address: .robotWebhook(
                    accessToken: Secret("mention-token"),
                    secret: nil,
                    mentions: .init(userIDs: ["oncall01"], mobiles: ["13800000000"])
                )
            )
            _ = try await adapter.send(OutboundMessage(channel: alerts, text: "disk full on db1", idempotencyKey: "m"))
            #expect(await emulator.sent(conversation: "cidAlerts==").compactMap(\.content) == ["disk full on db1\n@oncall01 @13800000000"])
        }
    }

    @Test func mentionsGoInTheFirstPartOnlyAndNoNameTwice() {
        let mentions = Channel.Mentions(userIDs: ["u1", "u2"], all: true)
        let body = CustomRobotMessage(msgtype: "text", text: .init(content: "ping @u1"), msgUuid: "x")
        let first = DingTalkAdapter.mentioning(mentions, in: body, isFirstPart: true)
        #expect(first.text?.content == "ping @u1\n@u2")
        #expect(first.at?.atUserIds == ["u1", "u2"] && first.at?.isAtAll == true)
        let later = DingTalkAdapter.mentioning(mentions, in: body, isFirstPart: false)
        #expect(later.text?.content == "ping @u1" && later.at == nil)
    }

    @Test func anExpiredAccessTokenIsReplacedWithoutFailingASend() async throws {
        // The platform's tokens live one second here: the adapter's cached one goes stale
        // between sends, and on the platform's clock possibly mid-send.
        try await withAdapter(accessTokenLifetime: 1) { adapter, emulator in
            for number in 1...4 {
                _ = try await adapter.send(OutboundMessage(channel: Self.desk, text: "tick \(number)", idempotencyKey: "t\(number)"))
                try await Task.sleep(for: .milliseconds(600))
            }
            #expect(await emulator.sent(conversation: "cidDesk==").count == 4)
        }
    }
}
