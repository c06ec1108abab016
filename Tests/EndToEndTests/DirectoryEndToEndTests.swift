import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// The directory fills the sender over the DingTalk emulator: `{sender.name}` and
/// `{sender.dept}` from topapi/v2/user/get and department/get, and a `senders:` check that
/// names departments; a person the directory does not know still crosses (or is judged) as the
/// message gave them.
extension EndToEndTests {
    @Test func theDirectoryNamesTheSenderAndTheirDepartmentsForTheTemplateAndTheChecks() async throws {
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(of: #"template: "📢 {text}\n— {sender.name}""#, with: #"template: "📢 {text}\n— {sender.name}, {sender.dept}""#)
            .replacingOccurrences(
                of: "checks:\n",
                with: "checks:\n  insiders-only: { senders: { allow_departments: [市场部, 公关部] } }\n"
            )
            .replacingOccurrences(of: "      embargo: hold ", with: "      insiders-only: block\n      embargo: hold ")
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await dingtalk.addToDirectory(
                .init(
                    people: [.init(userid: "m01", name: "王芳", deptIdList: [2, 3])],
                    departments: [.init(deptId: 2, name: "市场部"), .init(deptId: 3, name: "公关部")]
                )
            )
            try await runGateway(config, httpClient) { ledger in
                // The message says "wang"; the directory says who that is.
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "wang", text: "launch on Monday")
                )
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").count == 1 })
                #expect(await telegram.sent(chatID: "-1001234567890").first?.text == "📢 launch on Monday\n— 王芳, 市场部、公关部")
                // Someone the directory does not know is in no department: the check blocks them.
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "x99", senderNick: "guest", text: "hi all"))
                #expect(
                    await eventually {
                        try await ledger.records(from: 1, limit: 100).contains { $0.kind == .crossing && $0.verdict == .block }
                    }
                )
                let blocked = try #require(try await ledger.records(from: 1, limit: 100).last { $0.kind == .crossing })
                #expect(blocked.findings?.map(\.check) == ["insiders-only"])
                #expect(await telegram.sent(chatID: "-1001234567890").count == 1)
            }
        }
    }
}
