import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// Attacks on the HTTP callback door (`receive: http`), each closed: numbers that trapped the
/// process, forged signatures read before the body, replayed headers with another body, a
/// callback for another robot.
@Suite struct AdversarialCallbackTests {
    let adapter = DingTalkCallbackTests().adapter
    typealias Self_ = DingTalkCallbackTests

    @Test func aTimestampAtTheEdgesOfInt64IsRefusedWithoutTrapping() async throws {
        // `abs(now - Int64.min)` overflows: one unauthenticated request used to kill the daemon.
        for timestamp in ["-9223372036854775808", "9223372036854775807", "-1", "+1", " 1", "1e3", String(repeating: "9", count: 400)] {
            let headers = ["timestamp": timestamp, "sign": "x"]
            #expect(adapter.screen(headers, now: Date())?.refusal == .stale)
            // Its token is read overflow-safe too (the door asks for it only after the screen).
            _ = adapter.token(headers)
        }
        #expect(adapter.token(["timestamp": "9223372036854775807"])?.expires == .distantFuture)
    }

    @Test func aForgedSignatureIsRefusedBeforeTheBodyIsRead() {
        let good = Self_.signed()
        #expect(adapter.screen(good.headers, now: Date()) == nil)
        var forged = good.headers
        forged["sign"] = "bm90IHRoZSBzaWdu"
        #expect(adapter.screen(forged, now: Date()) == .refused(.unauthorized))
    }

    @Test func aSignedTimestampIsAOneUseTokenForAsLongAsItIsGood() throws {
        // The sign covers only the timestamp, so the same headers with another body are what a
        // replay looks like: the timestamp is the token the door takes once (tested end to end
        // in EndToEndTests), kept until the hour it is good for is over.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let token = try #require(adapter.token(Self_.signed(at: now).headers))
        #expect(token == adapter.token(Self_.signed(at: now, body: []).headers))
        #expect(token != adapter.token(Self_.signed(at: now + 1).headers))
        #expect(token.nonce == "callback-timestamp:\(now)")
        #expect(abs(token.expires.timeIntervalSince1970 - (Double(now) / 1000 + 3600)) < 0.01)
    }

    @Test func aCallbackForAnotherRobotIsRefused() async throws {
        let judge = DingTalkCallbackTests().judge
        let other = Array(
            String(decoding: Self_.body, as: UTF8.self).replacingOccurrences(of: #""robotCode":"ding""#, with: #""robotCode":"dingOther""#).utf8
        )
        #expect(judge(Self_.signed(body: other), Date()) == PushAnswer(status: 403, body: "not this platform's robot", refusal: .wrongRobot))
        let none = Array(String(decoding: Self_.body, as: UTF8.self).replacingOccurrences(of: #""robotCode":"ding""#, with: #""robot":"ding""#).utf8)
        #expect(judge(Self_.signed(body: none), Date()).status == 403)
    }
}
