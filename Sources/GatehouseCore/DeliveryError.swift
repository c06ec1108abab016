/// A failed send, edit or delete, classified once, where the platform's answer is read.
///
/// What went wrong is its ``code``: callers match on it (`catch let error as DeliveryError where
/// error.code == .notModified`), the way GRDB's errors are matched on their result code, and never
/// on ``detail``, which is for people and logs. Adapters keep credentials
/// (tokens, secrets, URLs that embed them) out of `detail`. ``shortDescription`` (the code's
/// name) is a bounded label, usable as a metric dimension.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the dispatcher should do next.
    public enum Disposition: Sendable, Hashable {
        /// Try again later; after `retryAfter` when the platform said how long to wait.
        case transient(retryAfter: Duration?)
        /// Trying again cannot help: dead-letter the job.
        case permanent
    }

    /// What went wrong. Each says whether trying again can help (``isTransient``).
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The platform asked us to slow down (Telegram 429, DingTalk's throttling codes).
        case rateLimited = "rate_limited"
        /// The platform is temporarily failing (5xx, busy, a send whose result it does not know).
        case unavailable
        /// The request did not complete (connection refused, timeout).
        case network
        /// The platform refused the request itself (bad parameters, too long, unsafe content).
        case rejected
        /// The credentials or permissions are wrong (bot kicked, robot not in group).
        case unauthorized
        /// The access token the request carried is no longer valid: fetch a new one and retry.
        case tokenInvalid = "token_invalid"
        /// The chat, group or file does not exist.
        case notFound = "not_found"
        /// The platform answered something that is not its documented protocol (a proxy hiccup?).
        case invalidResponse = "invalid_response"
        /// Another client holds what this one needs (Telegram 409: a second poller, or a webhook
        /// while polling); it lasts until someone stops the other client.
        case conflict
        /// The destination now lives at another address (a Telegram group upgraded to a
        /// supergroup, `migrate_to_chat_id`): ``newAddress``.
        case chatMigrated = "chat_migrated"
        /// The message is there but may no longer be deleted (Telegram: after 48 hours).
        case notRemovable = "not_removable"
        /// The message is there but may no longer be edited (Telegram: after 48 hours).
        case tooOld = "too_old"
        /// An edit that changes nothing: the message already reads so.
        case notModified = "not_modified"
        /// The message a reply answers is gone.
        case replyTargetGone = "reply_target_gone"
        /// The message to edit or delete is gone.
        case messageGone = "message_gone"
        /// The platform will not take a file as a photo (its dimensions, its format); as a
        /// document it may.
        case photoRefused = "photo_refused"
        /// The destination's own limit (a group's 20 a minute, a chat's 429) makes this send wait
        /// longer than a delivery may hold its place: nothing was sent, defer it.
        case paced

        /// Whether trying the same request again later can succeed.
        public var isTransient: Bool {
            switch self {
            case .rateLimited, .unavailable, .network, .tokenInvalid, .invalidResponse, .conflict, .paced: true
            case .rejected, .unauthorized, .notFound, .chatMigrated, .notRemovable, .tooOld, .notModified, .replyTargetGone,
                .messageGone, .photoRefused:
                false
            }
        }
    }

    public let code: Code
    public let disposition: Disposition
    public let detail: String
    /// Where the destination went, for ``Code/chatMigrated``.
    public let newAddress: String?

    /// An error with `code`; transient codes wait `retryAfter` when the platform said how long.
    public init(_ code: Code, _ detail: String, retryAfter: Duration? = nil, newAddress: String? = nil) {
        self.code = code
        self.disposition = code.isTransient ? .transient(retryAfter: retryAfter) : .permanent
        self.detail = detail
        self.newAddress = newAddress
    }

    public var shortDescription: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(detail)" }

    public var isPermanent: Bool { disposition == .permanent }

    /// The platform asked us to slow down.
    public static func rateLimited(retryAfter: Duration?, _ detail: String) -> Self { Self(.rateLimited, detail, retryAfter: retryAfter) }
    /// The platform is temporarily failing (5xx, busy).
    public static func unavailable(_ detail: String, retryAfter: Duration? = nil) -> Self { Self(.unavailable, detail, retryAfter: retryAfter) }
    /// The request did not complete (connection refused, timeout).
    public static func network(_ detail: String) -> Self { Self(.network, detail) }
    /// The platform refused the request itself (bad parameters, too long, unsafe content).
    public static func rejected(_ detail: String) -> Self { Self(.rejected, detail) }
    /// The credentials or permissions are wrong (bot kicked, robot not in group).
    public static func unauthorized(_ detail: String) -> Self { Self(.unauthorized, detail) }
    /// The chat, group or message does not exist.
    public static func notFound(_ detail: String) -> Self { Self(.notFound, detail) }
    /// Another client holds what this one needs; reported loudly.
    public static func conflict(_ detail: String) -> Self { Self(.conflict, detail) }
    /// The destination now lives at `address`; an adapter that can follows it, otherwise it is
    /// permanent here.
    public static func chatMigrated(to address: String, _ detail: String) -> Self { Self(.chatMigrated, detail, newAddress: address) }
    /// The message may no longer be deleted; the dispatcher withdraws it instead, by editing it
    /// to a notice, where it can.
    public static func notRemovable(_ detail: String) -> Self { Self(.notRemovable, detail) }
    /// This send would wait `retryAfter` for the destination's own limit: defer it. Not a refusal
    /// by the platform: nothing was sent.
    public static func paced(retryAfter: Duration, _ detail: String) -> Self { Self(.paced, detail, retryAfter: retryAfter) }
    /// The platform answered something that is not its documented protocol.
    public static func invalidResponse(_ detail: String) -> Self { Self(.invalidResponse, detail) }
}
