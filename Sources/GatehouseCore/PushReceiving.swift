import Foundation

/// An adapter whose platform pushes its events to the gateway over HTTP (a Telegram webhook, a
/// DingTalk robot's HTTP callbacks). The gateway's push door owns `/hooks/<platform>`: it reads
/// the request within its bounds, asks the adapter what the push is, and commits what it
/// carries through intake, answering 2xx only once it is committed and acknowledged, so that the
/// platform pushes again after any failure (the same rule as for pulled events). The adapter
/// holds no handler and runs no loop for pushes: it only judges and decodes.
public protocol PushReceiving: Adapter {
    /// Looks at a push's headers before its body is read: a forged or stale push is refused here,
    /// for the price of its headers, however large the body it announces. nil lets it in.
    /// `now` is the time signed times are judged by.
    func screen(_ headers: [String: String], now: Date) -> PushAnswer?

    /// The signed value in a push's headers that may be used only once, when the platform's
    /// signature covers a time and not the body (DingTalk's callbacks): whoever saw one signed
    /// push could otherwise send any body with its headers while the time is good. The door
    /// takes each such token once (the ledger keeps it with the commit); nil when the platform
    /// signs nothing that could be replayed.
    func token(_ headers: [String: String]) -> PushToken?

    /// What a push that passed ``screen(_:now:)`` carries: an envelope to commit, nothing a route
    /// can take, or a refusal (not the platform's event, another robot's). Pure: no intake
    /// state and no I/O, so the door, the fuzzer and the tests call it alike.
    func decode(_ push: Push) -> PushContent
}

extension PushReceiving {
    public func screen(_ headers: [String: String], now: Date) -> PushAnswer? { nil }
    public func token(_ headers: [String: String]) -> PushToken? { nil }
}

/// One HTTP request to `/hooks/<platform>`, read whole (the door bounds its size).
public struct Push: Sendable {
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

/// What a push carries, as its adapter decodes it.
public enum PushContent: Sendable {
    /// An event for intake: answered 200 once committed and acknowledged.
    case envelope(Envelope)
    /// The platform's event, but nothing a route can take (an empty message): answered 200.
    case nothing
    /// Not taken: answered so, and counted with the refusals.
    case refused(PushAnswer)
}

/// A signed value a push may use only once (``PushReceiving/token(_:)``).
public struct PushToken: Sendable, Hashable {
    /// Recorded with the commit as the intake's nonce, so that a restart does not reopen the
    /// window; unique among the platform's tokens.
    public var nonce: String
    /// When a replay would be refused anyway (its signed time is out of the window): the door
    /// forgets it then.
    public var expires: Date

    public init(nonce: String, expires: Date) {
        self.nonce = nonce
        self.expires = expires
    }
}

/// The answer to a push.
public struct PushAnswer: Sendable, Hashable {
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

    public static let ok = PushAnswer(status: 200)

    /// A refusal with its usual status and the reason as its body.
    public static func refused(_ refusal: Refusal) -> PushAnswer {
        PushAnswer(status: refusal.status, body: refusal.rawValue, refusal: refusal)
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
