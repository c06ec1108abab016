import Crypto
import Foundation
import GatehouseCore
import Logging
import Synchronization

/// The handler HTTP callbacks are given to while intake runs, and what was refused.
final class CallbackIntake: Sendable {
    let handler = Mutex<InboundHandler?>(nil)
    /// Callbacks refused for a missing, stale or wrong signature.
    let rejected = Mutex(0)
}

extension DingTalkAdapter: WebhookReceiving {
    /// How far a callback's `timestamp` may be from this machine's clock (the documented hour).
    static let callbackClockWindow: Int64 = 3_600_000

    /// HTTP callback intake: the robot's messages arrive at `/hooks/<platform>` through the
    /// gateway's listener; this keeps intake open until it is stopped.
    func receiveCallbacks(_ handler: @escaping InboundHandler) async throws {
        callbacks.handler.withLock { $0 = handler }
        defer { callbacks.handler.withLock { $0 = nil } }
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

    /// One callback: 401 unless `timestamp` is within an hour and `sign` matches (compared in
    /// constant time); 400 when the body is not a robot message; 503 while intake is not
    /// running; 500 when the commit failed; 200 once committed and acknowledged.
    public func receiveWebhook(_ request: WebhookRequest) async -> WebhookResponse {
        guard configuration.receive == .http else { return WebhookResponse(status: 404, body: "not receiving by HTTP callback") }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        guard let timestamp = request.header("timestamp"), let milliseconds = Int64(timestamp),
              abs(now - milliseconds) <= Self.callbackClockWindow else {
            return refuse("callback without a timestamp within an hour of now")
        }
        guard let sign = request.header("sign"), Secret(Self.callbackSign(timestamp: timestamp, secret: configuration.clientSecret)).matches(sign) else {
            return refuse("callback whose sign does not match")
        }
        let message: RobotMessage
        do {
            message = try JSONDecoder().decode(RobotMessage.self, from: Data(request.body))
        } catch {
            logger.warning("callback that is not a robot message refused", metadata: ["gh.bytes": .stringConvertible(request.body.count)])
            return WebhookResponse(status: 400, body: "not a robot message")
        }
        guard let handler = callbacks.handler.withLock({ $0 }) else {
            return WebhookResponse(status: 503, body: "not receiving yet")
        }
        guard let envelope = envelope(from: message) else { return .ok }
        let acknowledged = Mutex(false)
        let event = InboundEvent(envelope: envelope, acknowledgement: Acknowledgement { acknowledged.withLock { $0 = true } })
        await commit(event, messageID: message.msgId, handler: handler)
        return acknowledged.withLock { $0 } ? .ok : WebhookResponse(status: 500, body: "not committed")
    }

    private func refuse(_ why: String) -> WebhookResponse {
        let count = callbacks.rejected.withLock { count in
            count += 1
            return count
        }
        logger.warning("\(why); refused", metadata: ["gh.rejected": .stringConvertible(count)])
        return WebhookResponse(status: 401, body: "unauthorized")
    }

    /// Callbacks refused for a missing, stale or wrong signature, since the start.
    public var rejectedCallbacks: Int { callbacks.rejected.withLock { $0 } }
}
