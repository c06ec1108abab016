import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// Review cards on the DingTalk side: what a card callback's click is (and what it is not), what
/// the answer says, and which posted clicks the door lets in.
@Suite struct DingTalkCardTests {
    static let secret = Secret("card-test-secret")
    let adapter = DingTalkAdapter(
        configuration: .init(
            platform: "corp",
            clientID: "ding",
            clientSecret: Self.secret,
            robotCode: "ding",
            cardCallbackURL: "https://gatehouse.example/hooks/corp/cards"
        ),
        httpClient: HTTPClient.shared,
        logger: quietLogger("test")
    )

    static func callback(_ content: String, user: String = "rev01", card: String = "gatehouse-h7-abc") -> Data {
        Data(#"{"type":"actionCallback","outTrackId":"\#(card)","corpId":"dingcorp","userId":"\#(user)","content":\#(content)}"#.utf8)
    }

    @Test func aClickCarriesTheCardThePersonAndTheButtonsParameters() throws {
        let content = #""{\"cardPrivateData\":{\"actionIds\":[\"approve\"],\"params\":{\"action\":\"approve\",\"reason\":\"checked\",\"hold\":7}}}""#
        let action = try #require(DingTalkAdapter.cardAction(from: Self.callback(content), platform: "corp"))
        #expect(action.card == "gatehouse-h7-abc" && action.person == "rev01" && action.platform == "corp")
        #expect(action.parameters == ["action": "approve", "reason": "checked", "hold": "7"])
        #expect(action.approve == true)
        // The content may come as an object too, and an action that is neither approves nothing.
        let object = #"{"cardPrivateData":{"params":{"action":"maybe"}}}"#
        #expect(DingTalkAdapter.cardAction(from: Self.callback(object), platform: "corp")?.approve == nil)
    }

    @Test(arguments: [
        "", "null", "[]", #"{"outTrackId":"c"}"#, #"{"userId":"u"}"#, #"{"outTrackId":"","userId":"u"}"#,
        #"{"outTrackId":7,"userId":"u"}"#, "{\"outTrackId\":\"\(String(repeating: "c", count: 300))\",\"userId\":\"u\"}",
    ])
    func whatIsNotAClickIsNone(_ body: String) {
        #expect(DingTalkAdapter.cardAction(from: Data(body.utf8), platform: "corp") == nil)
    }

    @Test func parametersAreBoundedWhateverTheCallbackSays() throws {
        let many = (0..<100).map { #"\"k\#($0)\":\"\#(String(repeating: "v", count: 5000))\""# }.joined(separator: ",")
        let content = #""{\"cardPrivateData\":{\"params\":{\#(many)}}}""#
        let action = try #require(DingTalkAdapter.cardAction(from: Self.callback(content), platform: "corp"))
        #expect(action.parameters.count <= 32 && action.parameters.values.allSatisfy { $0.count <= 2000 })
    }

    @Test func theAnswerUpdatesEveryonesCardByKeyAndTellsTheClickerAlone() throws {
        let json = DingTalkAdapter.cardResponse(CardAnswer(fields: ["status": "Approved", "decided": "true"], notice: "Recorded."))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["cardData"] as? [String: Any])?["cardParamMap"] as? [String: String] == ["status": "Approved", "decided": "true"])
        #expect((object["userPrivateData"] as? [String: Any])?["cardParamMap"] as? [String: String] == ["notice": "Recorded."])
        let options = try #require(object["cardUpdateOptions"] as? [String: Bool])
        #expect(options["updateCardDataByKey"] == true && options["updatePrivateDataByKey"] == true)
    }

    @Test func postedClicksAreLetInOnlyWhenSignedRecentlyWithTheDerivedSecret() {
        let now = Date()
        let timestamp = String(Int64(now.timeIntervalSince1970 * 1000))
        let secret = DingTalkAdapter.cardSecret(for: Self.secret)
        #expect(secret != Self.secret.value && !secret.isEmpty)
        let good = [
            "x-ddpaas-signature-timestamp": timestamp, "x-ddpaas-signature": DingTalkAdapter.cardSignature(timestamp: timestamp, secret: secret),
        ]
        #expect(adapter.screenCard(good, now: now) == nil)
        #expect(adapter.screenCard(good, now: now.addingTimeInterval(400))?.refusal == .stale)
        #expect(
            adapter.screenCard(["x-ddpaas-signature-timestamp": timestamp, "x-ddpaas-signature": "Zm9yZ2Vk"], now: now)?.refusal == .unauthorized
        )
        #expect(adapter.screenCard(["x-ddpaas-signature-timestamp": "99999999999999999999999"], now: now)?.refusal == .stale)
        #expect(adapter.screenCard([:], now: now)?.refusal == .stale)
        // Signed with the app secret itself (the robot callbacks' scheme): not a card secret.
        let misused = [
            "x-ddpaas-signature-timestamp": timestamp,
            "x-ddpaas-signature": DingTalkAdapter.cardSignature(timestamp: timestamp, secret: Self.secret.value),
        ]
        #expect(adapter.screenCard(misused, now: now)?.refusal == .unauthorized)
        // Each signed time is one token, over within the window.
        let token = adapter.cardToken(good)
        #expect(token?.expires.timeIntervalSince(now) ?? 0 <= 301)
        // A platform whose clicks come over Stream takes no posted ones.
        let streamed = DingTalkAdapter(
            configuration: .init(platform: "corp", clientID: "ding", clientSecret: Self.secret, robotCode: "ding"),
            httpClient: HTTPClient.shared,
            logger: quietLogger("test")
        )
        #expect(streamed.screenCard(good, now: now)?.refusal == .unknownHook)
    }

    @Test func aClickBeforeTheGatewayInstalledItsHandlerIsToldToWait() async {
        let answer = await adapter.answerCardPush(Push(headers: [:], body: Array(Self.callback(#""{}""#))))
        #expect(answer.status == 200 && answer.body.contains("starting"))
        let malformed = await adapter.answerCardPush(Push(headers: [:], body: Array("nope".utf8)))
        #expect(malformed.status == 400 && malformed.refusal == .malformed)
    }
}
