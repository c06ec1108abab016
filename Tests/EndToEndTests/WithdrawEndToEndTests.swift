import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// `gatehouse withdraw` over both emulators: a message that went out as three Telegram messages
/// and a DingTalk copy is taken back everywhere, each step audited in the caller's name.
extension EndToEndTests {
    @Test func withdrawTakesBackAThreePartTelegramCopyAndTheDingTalkCopyInTheCallersName() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-withdraw-\(UUID().uuidString.prefix(8)).sock").path
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(of: "    from: all-hands\n    to: [news]\n", with: "    from: all-hands\n    to: [news, desk]\n")
            + "\nlisten: { admin: \"\(socket)\" }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                func records(_ kind: AuditRecord.Kind) async throws -> [AuditRecord] {
                    try await ledger.records(from: 1, limit: 1000).filter { $0.kind == kind }
                }
                let text = (1...3).map { part in "\(part) " + String(repeating: "公告", count: 1_800) }.joined(separator: "\n")
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: text))
                #expect(await eventually { try await records(.delivery).filter { $0.outcome == .delivered }.count == 2 })
                let posted = await telegram.sent(chatID: "-1001234567890")
                #expect(posted.map(\.method) == ["sendMessage", "sendMessage", "sendMessage"])
                let deskKeys = await dingtalk.sent(conversation: "cidServiceDesk0==").compactMap(\.processQueryKey)
                #expect(!deskKeys.isEmpty)
                let crossing = try #require(try await records(.crossing).first)

                // A manager recalls the first part of the DingTalk copy in DingTalk, which reports
                // it (robot_msg_recall): recorded, with the copy's destination and crossing from
                // the message map, and who recalled it.
                let key = try #require(deskKeys.first)
                _ = await dingtalk.pushEvent(
                    eventType: "robot_msg_recall",
                    data:
                        #"{"processQueryKey":"\#(key)","openConversationId":"cidServiceDesk0==","userId":"manager","operatTime":1790000000000,"robotCode":"dingdemo"}"#
                )
                #expect(await eventually { try await !records(.copyRecalled).isEmpty })
                let report = try #require(try await records(.copyRecalled).first)
                let deskCrossing = try await records(.crossing).first { $0.destination == "desk" }?.sequence
                #expect(report.destination == "desk" && report.crossing == deskCrossing)
                #expect(report.nativeIDs == [key] && report.approver == "corp:manager")

                #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
                let command = try #require(
                    try GatehouseCommand.parseAsRoot(["withdraw", String(crossing.sequence), "--reason", "sent by mistake", "--socket", socket])
                        as? Withdraw
                )
                try await command.run()

                // Every Telegram part deleted, the DingTalk copy recalled.
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").filter { $0.method == "deleteMessage" }.count == 3 })
                let deleted = await telegram.sent(chatID: "-1001234567890").filter { $0.method == "deleteMessage" }.compactMap(\.messageID)
                #expect(deleted == posted.compactMap(\.messageID))
                #expect(await eventually { await dingtalk.sent(conversation: "cidServiceDesk0==").contains { $0.api == "groupMessages/recall" } })
                let recalled = await dingtalk.sent(conversation: "cidServiceDesk0==").filter { $0.api == "groupMessages/recall" }.compactMap(
                    \.processQueryKey
                )
                #expect(Set(recalled) == Set(deskKeys))

                // Audited: who asked, why, what was taken back, and how each deletion went.
                let withdrawn = try await records(.withdrawn)
                #expect(withdrawn.map(\.destination) == ["desk", "news"])
                #expect(withdrawn.allSatisfy { $0.approver?.hasPrefix("uid \(getuid())") == true && $0.reason == "sent by mistake" })
                #expect(withdrawn.first { $0.destination == "news" }?.nativeIDs?.count == 3)
                #expect(await eventually { try await records(.delivery).filter { $0.outcome == .delivered }.count == 4 })

                // Asked again: nothing is left to take back, and that is no error.
                try await command.run()
                #expect(try await records(.withdrawn).count == 2)
            }
        }
    }
}
