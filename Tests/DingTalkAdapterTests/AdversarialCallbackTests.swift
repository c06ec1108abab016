@testable import DingTalkAdapter
import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// Attacks on the HTTP callback door (`receive: http`), each closed: numbers that trapped the
/// process, forged signatures read before the body, replayed headers with another body, a
/// callback for another robot.
@Suite struct AdversarialCallbackTests {
    let adapter = DingTalkCallbackTests().adapter
    typealias Self_ = DingTalkCallbackTests

    @Test func aTimestampAtTheEdgesOfInt64IsRefusedWithoutTrapping() async throws {
        // `abs(now - Int64.min)` overflows: one unauthenticated request used to kill the daemon.
        for timestamp in ["-9223372036854775808", "9223372036854775807", "-1", "+1", " 1", "1e3", String(repeating: "9", count: 400)] {
            let request = WebhookRequest(headers: ["timestamp": timestamp, "sign": "x"], body: Self_.body)
            #expect(adapter.screen(request.headers)?.refusal == .stale)
            #expect(await adapter.receiveWebhook(request).status == 401)
        }
    }

    @Test func aForgedSignatureIsRefusedBeforeTheBodyIsRead() {
        let good = Self_.signed()
        #expect(adapter.screen(good.headers) == nil)
        var forged = good.headers
        forged["sign"] = "bm90IHRoZSBzaWdu"
        #expect(adapter.screen(forged) == .refused(.unauthorized))
    }

    @Test func aSignedTimestampIsTakenOnceSoACapturedCallbackCannotBeReplayedWithAnotherBody() async throws {
        try await withIntake(adapter) { seen in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(await eventually { await adapter.receiveWebhook(Self_.signed(at: now)).status == 200 })
            // The same headers with another body (another msgId, another text): the sign covers
            // only the timestamp, so this is what a replay looks like.
            let other = Array(String(decoding: Self_.body, as: UTF8.self).replacingOccurrences(of: "msgCB1", with: "msgCB2")
                .replacingOccurrences(of: "hello from the desk", with: "wire the money").utf8)
            #expect(adapter.screen(Self_.signed(at: now).headers) == .refused(.replayed))
            #expect(await adapter.receiveWebhook(Self_.signed(at: now, body: other)).status == 401)
            #expect(seen.values.map(\.body.text) == ["hello from the desk"])
            // A later, freshly signed callback is taken.
            #expect(await adapter.receiveWebhook(Self_.signed(at: now + 1, body: other)).status == 200)
        }
    }

    @Test func aCallbackForAnotherRobotIsRefused() async throws {
        try await withIntake(adapter) { seen in
            let other = Array(String(decoding: Self_.body, as: UTF8.self).replacingOccurrences(of: #""robotCode":"ding""#, with: #""robotCode":"dingOther""#).utf8)
            #expect(await adapter.receiveWebhook(Self_.signed(body: other)) == WebhookResponse(status: 403, body: "not this platform's robot", refusal: .wrongRobot))
            let none = Array(String(decoding: Self_.body, as: UTF8.self).replacingOccurrences(of: #""robotCode":"ding""#, with: #""robot":"ding""#).utf8)
            #expect(await adapter.receiveWebhook(Self_.signed(body: none)).status == 403)
            #expect(seen.values.isEmpty)
        }
    }
}
