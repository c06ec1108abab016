/// An adapter that (also) receives its platform's pushes over HTTP: the gateway's listener hands it
/// every request to `/hooks/<platform>`, and answers with what it returns.
///
/// The adapter checks that the push is its platform's (a secret header, a signature) and answers
/// 2xx only once the event is committed and acknowledged, so that the platform pushes again after
/// any failure: the same acknowledge-after-commit rule as for pulled events.
public protocol WebhookReceiving: Adapter {
    /// Looks at a push's headers before its body is read: a forged or stale push is refused here,
    /// for the price of its headers, however large the body it announces. nil lets it in.
    func screen(_ headers: [String: String]) -> WebhookResponse?

    func receiveWebhook(_ request: WebhookRequest) async -> WebhookResponse
}

extension WebhookReceiving {
    public func screen(_ headers: [String: String]) -> WebhookResponse? { nil }
}

/// One HTTP request to `/hooks/<platform>`, read whole (the listener bounds its size).
public struct WebhookRequest: Sendable {
    /// Header values by lowercased name.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(headers: [String: String], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    /// A header's value, by any capitalisation of its name.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// The answer to a push.
public struct WebhookResponse: Sendable, Hashable {
    public var status: Int
    /// A short plain-text reason, never a secret.
    public var body: String
    /// Why the push was refused, when it was: the tally of refusals counts by it.
    public var refusal: Refusal?

    public init(status: Int, body: String = "", refusal: Refusal? = nil) {
        self.status = status
        self.body = body
        self.refusal = refusal
    }

    public static let ok = WebhookResponse(status: 200)

    /// A refusal with its usual status and the reason as its body.
    public static func refused(_ refusal: Refusal) -> WebhookResponse {
        WebhookResponse(status: refusal.status, body: refusal.rawValue, refusal: refusal)
    }

    /// Why a push was refused: a short, bounded set, so that each can be a metric label and a
    /// count in the audit log's summary of refusals.
    public enum Refusal: String, Sendable, Hashable, CaseIterable, Codable {
        /// No platform of the config takes pushes at that path.
        case unknownHook = "unknown_hook"
        /// Its secret header or signature is missing or wrong.
        case unauthorized
        /// Its signed time is missing or too far from now.
        case stale
        /// Its signed time was used by an earlier push: a replay.
        case replayed
        /// Signed, but for another robot or app than the platform's.
        case wrongRobot = "wrong_robot"
        /// Its body is not the platform's event.
        case malformed
        /// Its body is over the limit.
        case tooLarge = "too_large"
        /// Its source sent more than the listener takes.
        case rateLimited = "rate_limited"
        /// Its source has too many requests open at once.
        case busy

        /// The HTTP status a refusal is answered with.
        public var status: Int {
            switch self {
            case .unknownHook: 404
            case .unauthorized, .stale, .replayed: 401
            case .wrongRobot: 403
            case .malformed: 400
            case .tooLarge: 413
            case .rateLimited, .busy: 429
            }
        }
    }
}
