import Crypto
import Foundation
import GatehouseCore

extension DingTalkAdapter: PushReceiving {
    /// How far a callback's `timestamp` may be from this machine's clock (the documented hour).
    static let callbackClockWindow = ClockWindow(milliseconds: 3_600_000)

    /// The `sign` DingTalk puts on a callback: base64(HMAC-SHA256(key: appSecret, timestamp + "\n" +
    /// appSecret)), not URL-encoded.
    static func callbackSign(timestamp: String, secret: Secret) -> String {
        let key = SymmetricKey(data: Data(secret.value.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret.value)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Refuses, before the body is read: a callback when the robot does not receive by HTTP; one
    /// whose `timestamp` is not within an hour of `now` (read overflow-safe: the header is
    /// anyone's); one whose `sign` does not match (constant time). A signed timestamp used
    /// before is the door's to refuse (``token(_:)``).
    public func screen(_ headers: [String: String], now: Date) -> PushAnswer? {
        guard configuration.receive == .http else { return .refused(.unknownHook) }
        guard let timestamp = headers["timestamp"], let milliseconds = ClockWindow.milliseconds(timestamp),
            Self.callbackClockWindow.contains(milliseconds, now: Int64(now.timeIntervalSince1970 * 1000))
        else {
            return .refused(.stale)
        }
        guard let sign = headers["sign"], Secret(Self.callbackSign(timestamp: timestamp, secret: configuration.clientSecret)).matches(sign) else {
            return .refused(.unauthorized)
        }
        return nil
    }

    /// DingTalk's sign covers only the timestamp, not the body: whoever sees one signed callback
    /// could send any body with its headers for as long as the timestamp is within the window.
    /// So each signed timestamp is taken once, until the window is over.
    public func token(_ headers: [String: String]) -> PushToken? {
        guard let milliseconds = headers["timestamp"].flatMap(ClockWindow.milliseconds) else { return nil }
        // Overflow-safe: a timestamp this far out was refused by the screen, but the header is anyone's.
        let (end, overflow) = milliseconds.addingReportingOverflow(Self.callbackClockWindow.milliseconds)
        return PushToken(
            nonce: "callback-timestamp:\(milliseconds)",
            expires: overflow ? .distantFuture : Date(timeIntervalSince1970: TimeInterval(end) / 1000)
        )
    }

    /// One callback: refused as malformed when the body is not a robot message, and as another
    /// robot's when it names another robot code (the sign proves the sender knows the app
    /// secret, not that the message is for this robot: another robot of the same app, or a body
    /// made up around replayed headers); nothing when it carries nothing a route can take.
    public func decode(_ push: Push) -> PushContent {
        guard let message = try? JSONDecoder().decode(RobotMessage.self, from: Data(push.body)) else {
            return .refused(PushAnswer(status: 400, body: "not a robot message", refusal: .malformed))
        }
        guard message.robotCode == configuration.robotCode else {
            return .refused(PushAnswer(status: 403, body: "not this platform's robot", refusal: .wrongRobot))
        }
        return envelope(from: message).map(PushContent.envelope) ?? .nothing
    }
}
