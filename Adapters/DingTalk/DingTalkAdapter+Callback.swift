import Crypto
import Foundation
import GatehouseCore
import Logging
import Synchronization

/// The handler HTTP callbacks are given to while intake runs, what was refused, and the signed
/// times already used.
final class CallbackIntake: Sendable {
    let handler = Mutex<InboundHandler?>(nil)
    /// Callbacks refused for a missing, stale, wrong or reused signature.
    let rejected = Mutex(0)
    /// Signed times taken by a callback, with when each may be forgotten (its window is over).
    let used = Mutex(UsedTimestamps())
}

/// The callback timestamps this process has taken (or is taking), for as long as they could be
/// replayed. DingTalk's sign covers only the timestamp, not the body: whoever sees one signed
/// callback could send any body with its headers for as long as the timestamp is within the
/// window. So each signed timestamp is taken once; the ledger keeps it with the event's commit,
/// so that a restart does not reopen the window (this set only spares the body's read and decode).
struct UsedTimestamps: Sendable {
    private var expiry: [Int64: Int64] = [:]

    /// Takes `timestamp` until `expires` (ms); false if it is taken already.
    mutating func take(_ timestamp: Int64, expires: Int64, now: Int64) -> Bool {
        // Only signed callbacks get here, so the set grows with genuine traffic: prune it as it doubles.
        if expiry.count >= 1024, expiry.count.nonzeroBitCount == 1 {
            expiry = expiry.filter { $0.value > now }
        }
        if let until = expiry[timestamp], until > now { return false }
        expiry[timestamp] = expires
        return true
    }

    func isTaken(_ timestamp: Int64, now: Int64) -> Bool {
        (expiry[timestamp] ?? .min) > now
    }

    /// Gives a timestamp back: its callback was not committed, so the platform may send it again.
    mutating func release(_ timestamp: Int64) {
        expiry[timestamp] = nil
    }
}

extension DingTalkAdapter: WebhookReceiving {
    /// How far a callback's `timestamp` may be from this machine's clock (the documented hour).
    static let callbackClockWindow = ClockWindow(milliseconds: 3_600_000)

    /// HTTP callback intake: the robot's messages arrive at `/hooks/<platform>` through the
    /// gateway's listener; this keeps intake open until it is stopped.
    func receiveCallbacks(_ handler: @escaping InboundHandler) async throws {
        callbacks.handler.withLock { $0 = handler }
        defer { callbacks.handler.withLock { $0 = nil } }
        // Ready only now: a callback before this is answered 503 (not receiving yet).
        started?.fire()
        logger.info("receiving robot messages by HTTP callback")
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// The `sign` DingTalk puts on a callback: base64(HMAC-SHA256(key: appSecret, timestamp + "\n" +
    /// appSecret)), not URL-encoded.
    static func callbackSign(timestamp: String, secret: Secret) -> String {
        let key = SymmetricKey(data: Data(secret.value.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret.value)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    private static var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Refuses, before the body is read: a callback when the robot does not receive by HTTP; one
    /// whose `timestamp` is not within an hour of now (read overflow-safe: the header is anyone's);
    /// one whose `sign` does not match (constant time); one whose signed timestamp was taken before.
    public func screen(_ headers: [String: String]) -> WebhookResponse? {
        guard configuration.receive == .http else { return .refused(.unknownHook) }
        guard let timestamp = headers["timestamp"], let milliseconds = ClockWindow.milliseconds(timestamp),
              Self.callbackClockWindow.contains(milliseconds, now: Self.nowMilliseconds) else {
            return refuse(.stale)
        }
        guard let sign = headers["sign"], Secret(Self.callbackSign(timestamp: timestamp, secret: configuration.clientSecret)).matches(sign) else {
            return refuse(.unauthorized)
        }
        guard !callbacks.used.withLock({ $0.isTaken(milliseconds, now: Self.nowMilliseconds) }) else {
            return refuse(.replayed)
        }
        return nil
    }

    /// One callback: refused as ``screen(_:)`` says; 400 when the body is not a robot message;
    /// 403 when it is another robot's; 503 while intake is not running; 500 when the commit
    /// failed; 200 once committed and acknowledged.
    public func receiveWebhook(_ request: WebhookRequest) async -> WebhookResponse {
        if let refusal = screen(request.headers) { return refusal }
        guard let timestamp = request.header("timestamp").flatMap(ClockWindow.milliseconds) else { return refuse(.stale) }
        let message: RobotMessage
        do {
            message = try JSONDecoder().decode(RobotMessage.self, from: Data(request.body))
        } catch {
            return WebhookResponse(status: 400, body: "not a robot message", refusal: .malformed)
        }
        // The sign proves the sender knows the app secret, not that the message is for this
        // robot: another robot of the same app, or a body made up around replayed headers.
        guard message.robotCode == configuration.robotCode else {
            return WebhookResponse(status: 403, body: "not this platform's robot", refusal: .wrongRobot)
        }
        guard let handler = callbacks.handler.withLock({ $0 }) else {
            return WebhookResponse(status: 503, body: "not receiving yet")
        }
        // Taken before the commit, so that two copies of one callback racing in cannot both pass;
        // given back if the commit fails, so that the platform's retry is not refused.
        let now = Self.nowMilliseconds
        let (expires, overflow) = timestamp.addingReportingOverflow(Self.callbackClockWindow.milliseconds)
        guard callbacks.used.withLock({ $0.take(timestamp, expires: overflow ? .max : max(expires, now), now: now) }) else {
            return refuse(.replayed)
        }
        guard let envelope = envelope(from: message) else { return .ok }
        let outcome = Mutex<WebhookResponse?>(nil)
        let event = InboundEvent(
            envelope: envelope,
            acknowledgement: Acknowledgement({ outcome.withLock { $0 = .ok } }, refused: { _ in outcome.withLock { $0 = .refused(.replayed) } }),
            nonce: "callback-timestamp:\(timestamp)"
        )
        await commit(event, messageID: message.msgId, handler: handler)
        guard let answer = outcome.withLock({ $0 }) else {
            callbacks.used.withLock { $0.release(timestamp) }
            return WebhookResponse(status: 500, body: "not committed")
        }
        if answer.refusal != nil { callbacks.rejected.withLock { $0 += 1 } }
        return answer
    }

    private func refuse(_ refusal: WebhookResponse.Refusal) -> WebhookResponse {
        // Counted and summarised by the listener once per interval: a flood of forged callbacks
        // must not become a flood of log lines.
        callbacks.rejected.withLock { $0 += 1 }
        return .refused(refusal)
    }

    /// Callbacks refused for a missing, stale, wrong or reused signature, since the start.
    public var rejectedCallbacks: Int { callbacks.rejected.withLock { $0 } }
}
