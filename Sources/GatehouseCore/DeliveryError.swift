/// A failed send, edit or delete, classified by the adapter that saw it.
///
/// `detail` is for people and logs; adapters must keep credentials (tokens, secrets, URLs that embed
/// them) out of it. `shortDescription` is a bounded label, usable as a metric dimension.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the dispatcher should do next.
    public enum Disposition: Sendable, Hashable {
        /// Try again later; after `retryAfter` when the platform said how long to wait.
        case transient(retryAfter: Duration?)
        /// Trying again cannot help: dead-letter the job.
        case permanent
    }

    private enum Code: String, Sendable {
        case rateLimited = "rate_limited"
        case unavailable
        case network
        case rejected
        case unauthorized
        case notFound = "not_found"
        case invalidResponse = "invalid_response"
        case conflict
        case moved
        case notRemovable = "not_removable"
        case paced
    }

    private let code: Code
    public let disposition: Disposition
    public let detail: String
    /// Where the destination went, for ``moved(to:_:)``.
    public let newAddress: String?

    private init(_ code: Code, _ disposition: Disposition, _ detail: String, newAddress: String? = nil) {
        self.code = code
        self.disposition = disposition
        self.detail = detail
        self.newAddress = newAddress
    }

    public var shortDescription: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(detail)" }

    public var isPermanent: Bool { disposition == .permanent }

    /// The platform asked us to slow down.
    public static func rateLimited(retryAfter: Duration?, _ detail: String) -> Self {
        Self(.rateLimited, .transient(retryAfter: retryAfter), detail)
    }
    /// The platform is temporarily failing (5xx, busy).
    public static func unavailable(_ detail: String, retryAfter: Duration? = nil) -> Self {
        Self(.unavailable, .transient(retryAfter: retryAfter), detail)
    }
    /// The request did not complete (connection refused, timeout).
    public static func network(_ detail: String) -> Self { Self(.network, .transient(retryAfter: nil), detail) }
    /// The platform refused the request itself (bad parameters, too long, unsafe content).
    public static func rejected(_ detail: String) -> Self { Self(.rejected, .permanent, detail) }
    /// The credentials or permissions are wrong (bot kicked, robot not in group).
    public static func unauthorized(_ detail: String) -> Self { Self(.unauthorized, .permanent, detail) }
    /// The chat, group or message does not exist.
    public static func notFound(_ detail: String) -> Self { Self(.notFound, .permanent, detail) }
    /// Another client holds what this one needs (Telegram 409: a second poller, or a webhook while
    /// polling); it lasts until someone stops the other client, so it is reported loudly.
    public static func conflict(_ detail: String) -> Self { Self(.conflict, .transient(retryAfter: nil), detail) }
    /// The destination now lives at another address (a Telegram group upgraded to a supergroup,
    /// `migrate_to_chat_id`); an adapter that can follows it, otherwise it is permanent here.
    public static func moved(to address: String, _ detail: String) -> Self {
        Self(.moved, .permanent, detail, newAddress: address)
    }
    /// The message is there but the platform no longer lets it be deleted (Telegram: after 48
    /// hours); the dispatcher withdraws it instead, by editing it to a notice, where it can.
    public static func notRemovable(_ detail: String) -> Self { Self(.notRemovable, .permanent, detail) }
    /// The destination's own limit (a group's 20 a minute, a chat's 429) makes this send wait
    /// longer than a delivery may hold its place: the dispatcher defers it for `retryAfter` and
    /// serves other destinations meanwhile. Not a refusal by the platform: nothing was sent.
    public static func paced(retryAfter: Duration, _ detail: String) -> Self { Self(.paced, .transient(retryAfter: retryAfter), detail) }
    /// Whether this is a ``notRemovable(_:)``.
    public var isNotRemovable: Bool { code == .notRemovable }
    /// Whether this is a ``rateLimited(retryAfter:_:)``.
    public var isRateLimited: Bool { code == .rateLimited }
    /// Whether this is a ``conflict(_:)``.
    public var isConflict: Bool { code == .conflict }
    /// The platform answered something that is not its documented protocol; it may be a proxy hiccup.
    public static func invalidResponse(_ detail: String) -> Self {
        Self(.invalidResponse, .transient(retryAfter: nil), detail)
    }
}
