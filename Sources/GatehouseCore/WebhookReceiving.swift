/// An adapter that (also) receives its platform's pushes over HTTP: the gateway's listener hands it
/// every request to `/hooks/<platform>`, and answers with what it returns.
///
/// The adapter checks that the push is its platform's (a secret header, a signature) and answers
/// 2xx only once the event is committed and acknowledged, so that the platform pushes again after
/// any failure: the same acknowledge-after-commit rule as for pulled events.
public protocol WebhookReceiving: Adapter {
    func receiveWebhook(_ request: WebhookRequest) async -> WebhookResponse
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

    public init(status: Int, body: String = "") {
        self.status = status
        self.body = body
    }

    public static let ok = WebhookResponse(status: 200)
}
