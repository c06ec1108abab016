import AsyncHTTPClient
@testable import DingTalkAdapter
import Foundation
import GatehouseCore
import GatehouseTesting
import Logging
import Testing

/// HTTP callback intake: only DingTalk's signed, recent callbacks are taken.
@Suite struct DingTalkCallbackTests {
    static let secret = "callback-test-secret"
    let adapter = DingTalkAdapter(
        configuration: .init(platform: "corp", clientID: "ding", clientSecret: Secret(Self.secret), robotCode: "ding", receive: .http),
        httpClient: HTTPClient.shared, logger: quietLogger("test")
    )

    static let body = Array(#"""
        {"msgtype":"text","text":{"content":"hello from the desk"},"msgId":"msgCB1","createAt":1790000000000,
         "conversationType":"2","conversationId":"cidDesk==","senderId":"$:LWCP","senderStaffId":"m01","senderNick":"王经理",
         "robotCode":"ding"}
        """#.utf8)

    /// What DingTalk sends: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret)).
    static func signed(at milliseconds: Int64 = Int64(Date().timeIntervalSince1970 * 1000), sign: String? = nil, body: [UInt8] = body) -> WebhookRequest {
        let timestamp = String(milliseconds)
        return WebhookRequest(
            headers: ["timestamp": timestamp, "sign": sign ?? DingTalkAdapter.callbackSign(timestamp: timestamp, secret: Secret(secret))],
            body: body
        )
    }

    @Test func theDocumentedSignatureIsComputed() {
        // Computed independently (Python's hmac over "1577262236757\nSECtest" keyed with "SECtest"):
        // HMAC-SHA256 keyed with the secret, base64, no URL-encoding.
        #expect(DingTalkAdapter.callbackSign(timestamp: "1577262236757", secret: Secret("SECtest")) == "Za/ne6w2koB8B4ROVlgTNd/X+/FbyDpZrXLz57xNZSA=")
    }

    @Test func aSignedRecentCallbackIsCommittedAndAnsweredOK() async throws {
        try await withIntake(adapter) { seen in
            #expect(await eventually { await adapter.receiveWebhook(Self.signed()).status == 200 })
            #expect(seen.values.map(\.body.text).first == "hello from the desk")
            #expect(seen.values.first?.origin.eventID == "msgCB1")
        }
    }

    @Test func forgedStaleOrEncodedSignaturesAreRefused() async throws {
        try await withIntake(adapter) { seen in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let good = Self.signed(at: now)
            let sign = try #require(good.header("sign"))
            let refused = [
                Self.signed(at: now, sign: "AAAA" + sign.dropFirst(4)),                          // forged
                Self.signed(at: now - 3_700_000),                                                  // more than an hour old
                Self.signed(at: now + 3_700_000),                                                  // more than an hour ahead
                Self.signed(at: now, sign: sign.addingPercentEncoding(withAllowedCharacters: .alphanumerics)), // URL-encoded
                WebhookRequest(headers: [:], body: Self.body),                                     // unsigned
            ]
            for request in refused {
                #expect(await adapter.receiveWebhook(request).status == 401)
            }
            #expect(adapter.rejectedCallbacks == 5)
            // Signed but not a robot message: 400, and nothing taken.
            #expect(await adapter.receiveWebhook(Self.signed(body: Array("not json".utf8))).status == 400)
            #expect(seen.values.isEmpty)
        }
    }
}
