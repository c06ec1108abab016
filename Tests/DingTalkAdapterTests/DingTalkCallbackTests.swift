import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseTesting
import Logging
import Testing

@testable import DingTalkAdapter

/// HTTP callback intake: only DingTalk's signed, recent callbacks are taken.
@Suite struct DingTalkCallbackTests {
    static let secret = "callback-test-secret"
    let adapter = DingTalkAdapter(
        configuration: .init(platform: "corp", clientID: "ding", clientSecret: Secret(Self.secret), robotCode: "ding", receive: .http),
        httpClient: HTTPClient.shared,
        logger: quietLogger("test")
    )

    static let body = Array(
        #"""
        {"msgtype":"text","text":{"content":"hello from the desk"},"msgId":"msgCB1","createAt":1790000000000,
         "conversationType":"2","conversationId":"cidDesk==","senderId":"$:LWCP","senderStaffId":"m01","senderNick":"王经理",
         "robotCode":"ding"}
        """#.utf8
    )

    /// What DingTalk sends: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret)).
    static func signed(at milliseconds: Int64 = Int64(Date().timeIntervalSince1970 * 1000), sign: String? = nil, body: [UInt8] = body) -> Push {
        let timestamp = String(milliseconds)
        return Push(
            headers: ["timestamp": timestamp, "sign": sign ?? DingTalkAdapter.callbackSign(timestamp: timestamp, secret: Secret(secret))],
            body: body
        )
    }

    /// How the door would answer `push` up to its commit: the screen's refusal, the decoder's, or 200.
    func judge(_ push: Push, now: Date = Date()) -> PushAnswer {
        if let refusal = adapter.screen(push.headers, now: now) { return refusal }
        if case .refused(let answer) = adapter.decode(push) { return answer }
        return .ok
    }

    @Test func theDocumentedSignatureIsComputed() {
        // Computed independently (Python's hmac over "1577262236757\nSECtest" keyed with "SECtest"):
        // HMAC-SHA256 keyed with the secret, base64, no URL-encoding.
        #expect(DingTalkAdapter.callbackSign(timestamp: "1577262236757", secret: Secret("SECtest")) == "Za/ne6w2koB8B4ROVlgTNd/X+/FbyDpZrXLz57xNZSA=")
    }

    @Test func aSignedRecentCallbackIsDecodedIntoTheRobotMessage() async throws {
        // HTTP intake connects to nothing: it is ready at once, and hands over nothing itself.
        try await adapter.receive { _ in Issue.record("an HTTP-callback adapter handed over an event itself") }
        #expect(adapter.started?.hasFired == true)
        let push = Self.signed()
        #expect(adapter.screen(push.headers, now: Date()) == nil)
        guard case .envelope(let envelope) = adapter.decode(push) else {
            Issue.record("a signed robot message was not decoded")
            return
        }
        #expect(envelope.body.text == "hello from the desk")
        #expect(envelope.origin.eventID == "msgCB1" && envelope.origin.conversation == "cidDesk==" && envelope.sender.id == "m01")
    }

    @Test func forgedStaleOrEncodedSignaturesAreRefused() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let good = Self.signed(at: now)
        let sign = try #require(good.header("sign"))
        let refused = [
            Self.signed(at: now, sign: "AAAA" + sign.dropFirst(4)),  // forged
            Self.signed(at: now - 3_700_000),  // more than an hour old
            Self.signed(at: now + 3_700_000),  // more than an hour ahead
            Self.signed(at: now, sign: sign.addingPercentEncoding(withAllowedCharacters: .alphanumerics)),  // URL-encoded
            Push(headers: [:], body: Self.body),  // unsigned
        ]
        for push in refused {
            #expect(judge(push).status == 401)
        }
        // Signed but not a robot message: 400.
        #expect(judge(Self.signed(body: Array("not json".utf8))) == PushAnswer(status: 400, body: "not a robot message", refusal: .malformed))
    }

    @Test func aStreamRobotRefusesEveryPush() {
        let stream = DingTalkAdapter(
            configuration: .init(platform: "corp", clientID: "ding", clientSecret: Secret(Self.secret), robotCode: "ding", receive: .stream),
            httpClient: HTTPClient.shared,
            logger: quietLogger("test")
        )
        #expect(stream.screen(Self.signed().headers, now: Date()) == .refused(.unknownHook))
    }
}
