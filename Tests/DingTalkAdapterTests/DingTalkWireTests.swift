import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import Testing

@testable import DingTalkAdapter

@Suite struct DingTalkWireTests {
    let adapter = DingTalkAdapter(
        configuration: .init(platform: "corp", clientID: "dingabc", clientSecret: Secret("s"), robotCode: "dingabc"),
        httpClient: HTTPClient.shared,
        logger: Logger(label: "test")
    )

    @Test func aRobotCallbackBecomesAPost() throws {
        let message = try JSONDecoder().decode(
            RobotMessage.self,
            from: Data(
                """
                {"msgtype":"text","text":{"content":" Q3 is out "},"msgId":"msgABC","createAt":1790000000123,
                 "conversationType":"2","conversationId":"cidAAA==","conversationTitle":"All hands",
                 "senderId":"$:LWCP_v1:$x","senderStaffId":"manager01","senderNick":"王经理","robotCode":"dingabc",
                 "isInAtList":true,"sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=s"}
                """.utf8
            )
        )
        let envelope = try #require(adapter.envelope(from: message))
        #expect(envelope.origin == .init(platform: "corp", conversation: "cidAAA==", messageID: "msgABC", eventID: "msgABC"))
        #expect(envelope.sender == .init(id: "manager01", name: "王经理"))
        #expect(envelope.body.text == "Q3 is out")
        #expect(envelope.time == Date(timeIntervalSince1970: 1_790_000_000.123))
    }

    @Test func everyMsgParamStaysWithinTheLimitEvenWhenEscapingGrowsIt() throws {
        for text in [String(repeating: "机密信息 ", count: 4000), String(repeating: "\"\\", count: 12_000), "short"] {
            let params = try adapter.msgParams(for: RichText(text: text)).map(\.param)
            var rebuilt = ""
            for param in params {
                #expect(param.utf8.count <= DingTalkAdapter.msgParamLimit)
                rebuilt += try JSONDecoder().decode([String: String].self, from: Data(param.utf8))["content"] ?? ""
            }
            #expect(rebuilt == text)
        }
    }

    @Test func markdownIsSentAsSampleMarkdownWithItsTitle() throws {
        let params = try adapter.msgParams(for: RichText(text: "### Q3\n- revenue **+12%**"), format: .markdown(title: "Q3 results"))
        #expect(params.map(\.msgKey) == ["sampleMarkdown"])
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(try #require(params.first).param.utf8))
        #expect(decoded == ["title": "Q3 results", "text": "### Q3\n- revenue **+12%**"])
    }

    @Test(
        arguments: [
            (400, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", .rateLimited, false),
            (400, "send.too.fast", .rateLimited, false),
            (400, "unknown.send.result", .unavailable, false),
            (401, "InvalidAuthentication", .tokenInvalid, false),
            (400, "invalidParameter.token.invalid", .tokenInvalid, false),
            (400, "group.disbanded", .notFound, true),
            (400, "bot.stopped", .unauthorized, true),
            (400, "invalidParameter.robotCode.auth", .unauthorized, true),
            (400, "invalidParameter.msgParam.tooLong", .rejected, true),
            (503, nil, .unavailable, false),
        ] as [(UInt, String?, DeliveryError.Code, Bool)]
    )
    func failuresAreClassified(status: UInt, code: String?, kind: DeliveryError.Code, permanent: Bool) {
        let error = OpenAPIClient.classify(path: "/v1.0/robot/groupMessages/send", status: status, code: code, message: "m")
        #expect(error.code == kind)
        #expect(error.isPermanent == permanent)
    }
}
