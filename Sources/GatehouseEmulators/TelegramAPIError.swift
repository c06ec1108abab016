import Hummingbird

/// A Bot API failure, answered as `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`
/// with the same HTTP status, the way api.telegram.org answers.
struct TelegramAPIError: Error, Sendable {
    private enum Code: Sendable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case conflict
        case tooManyRequests
        case entityTooLarge
        case internalServerError
        case badGateway
    }

    private let code: Code
    let description: String
    /// `parameters.retry_after`, seconds.
    let retryAfter: Int?
    /// `parameters.migrate_to_chat_id`: the supergroup a group became.
    let migrateToChatID: Int64?

    private init(_ code: Code, _ description: String, retryAfter: Int? = nil, migrateToChatID: Int64? = nil) {
        self.code = code
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
    }

    /// A group that was upgraded to a supergroup: its old id answers this from then on.
    static func migrated(to supergroup: Int64) -> TelegramAPIError {
        TelegramAPIError(.badRequest, "Bad Request: group chat was upgraded to a supergroup chat", migrateToChatID: supergroup)
    }

    static func badRequest(_ detail: String) -> TelegramAPIError {
        TelegramAPIError(.badRequest, "Bad Request: \(detail)")
    }

    static let unauthorized = TelegramAPIError(.unauthorized, "Unauthorized")

    static func forbidden(_ detail: String) -> TelegramAPIError {
        TelegramAPIError(.forbidden, "Forbidden: \(detail)")
    }

    static let notFound = TelegramAPIError(.notFound, "Not Found")

    static func conflict(_ detail: String) -> TelegramAPIError {
        TelegramAPIError(.conflict, "Conflict: \(detail)")
    }

    static func tooManyRequests(retryAfter seconds: Int) -> TelegramAPIError {
        TelegramAPIError(.tooManyRequests, "Too Many Requests: retry after \(seconds)", retryAfter: seconds)
    }

    /// An upload over the server's body limit (50 MB on api.telegram.org).
    static let entityTooLarge = TelegramAPIError(.entityTooLarge, "Request Entity Too Large")

    static let internalServerError = TelegramAPIError(.internalServerError, "Internal Server Error")
    /// What the proxy in front of the Bot API answers when the server behind it fails: HTML.
    static let badGateway = TelegramAPIError(.badGateway, "Bad Gateway")

    static let chatNotFound = badRequest("chat not found")
    static let terminatedByOtherPoller = conflict(
        "terminated by other getUpdates request; make sure that only one bot instance is running"
    )
    static let webhookActive = conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )

    var errorCode: Int {
        switch code {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .tooManyRequests: 429
        case .entityTooLarge: 413
        case .internalServerError: 500
        case .badGateway: 502
        }
    }

    var isRateLimit: Bool { code == .tooManyRequests }

    var response: Response {
        if code == .badGateway {
            let page =
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            return Response(status: .badGateway, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        var fields: [(String, JSONValue?)] = []
        if let retryAfter { fields.append(("retry_after", .int(Int64(retryAfter)))) }
        if let migrateToChatID { fields.append(("migrate_to_chat_id", .int(migrateToChatID))) }
        let parameters: JSONValue? = fields.isEmpty ? nil : .object(fields)
        let body = JSONValue.object([
            ("ok", .bool(false)),
            ("error_code", .int(Int64(errorCode))),
            ("description", .string(description)),
            ("parameters", parameters),
        ])
        return EmulatorHTTP.json(HTTPResponse.Status(code: errorCode), body)
    }
}
