import AsyncHTTPClient
import Crypto
import Foundation
import GatehouseCore
import NIOCore

/// Sends through a custom group robot (`POST {oapi}/robot/send?access_token=…&timestamp=…&sign=…`),
/// signed exactly once and classified by `errcode`: HTTP 200 with an errcode other than 0 is a
/// failure. The access token is a credential: the URL that carries it is never logged or returned.
struct CustomRobotClient: Sendable {
    let baseURL: String
    let http: HTTPClient

    /// The penalty the platform imposes on a robot that sent more than 20 messages in a minute.
    static let penalty: Duration = .seconds(600)

    /// A name for a robot that is not its token (a SHA-256 prefix): for pacing and logs.
    static func key(of accessToken: Secret) -> String {
        let digest = Array(SHA256.hash(data: Data(accessToken.value.utf8)))
        var key = "robot-"
        for byte in digest.prefix(6) {
            key += byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        return key
    }

    /// The robot signature: base64(HMAC-SHA256(key: secret, timestamp + "\n" + secret)).
    static func sign(timestamp: String, secret: Secret) -> String {
        let key = SymmetricKey(data: Data(secret.value.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret.value)".utf8), using: key)).base64EncodedString()
    }

    /// Percent-encodes a query value once: everything but unreserved characters, so a base64
    /// signature's `+`, `/` and `=` arrive as themselves after the server decodes the query.
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The request URL, signed with the current time when the robot has a secret.
    static func url(base: String, accessToken: Secret, secret: Secret?, now: Date = Date()) -> String {
        var url = "\(base)/robot/send?access_token=\(queryValue(accessToken.value))"
        if let secret {
            let timestamp = String(Int64(now.timeIntervalSince1970 * 1000))
            url += "&timestamp=\(timestamp)&sign=\(queryValue(sign(timestamp: timestamp, secret: secret)))"
        }
        return url
    }

    func send(_ message: CustomRobotMessage, accessToken: Secret, secret: Secret?, timeout: Duration = .seconds(30)) async throws(DeliveryError) {
        var request = HTTPClientRequest(url: Self.url(base: baseURL, accessToken: accessToken, secret: secret))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(message)))
        } catch {
            throw .rejected("robot/send: cannot encode the message")
        }
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.totalNanoseconds))
            status = response.status.code
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            // The error may quote the URL, and the URL holds the token: describe it by type only.
            throw .network("robot/send: \(type(of: error))")
        }
        guard let answer = try? JSONDecoder().decode(LegacyAnswer.self, from: Data(body.readableBytesView)) else {
            if status >= 500 { throw .unavailable("robot/send: HTTP \(status)") }
            throw .invalidResponse("robot/send: HTTP \(status) with a body that is not {errcode, errmsg}")
        }
        guard answer.errcode != 0 else { return }
        throw Self.classify(errcode: answer.errcode, errmsg: answer.errmsg ?? "")
    }

    /// Every errcode the custom robot documents (and 130101, seen in the field), as what to do.
    static func classify(errcode: Int, errmsg: String) -> DeliveryError {
        let detail = "robot/send: errcode \(errcode) \(errmsg)"
        switch errcode {
        case 410100, 130101:
            // Over 20 a minute: the robot is throttled for ten minutes; waiting less only extends it.
            return .rateLimited(retryAfter: penalty, detail)
        case -1:
            return .unavailable(detail)
        case 310000:
            // The robot's security settings refused it: signature, keywords or IP allow-list.
            return .unauthorized(detail)
        case 400101, 400102, 400106:
            return .unauthorized(detail)
        case 400013:
            return .notFound(detail)
        case 400105, 40035, 43004, 430101, 430102, 430103, 430104:
            return .rejected(detail)
        default:
            // Not a documented code: retrying blindly could repeat a refused message forever.
            return .rejected(detail)
        }
    }
}

/// `{"errcode":0,"errmsg":"ok"}`.
struct LegacyAnswer: Decodable {
    var errcode: Int
    var errmsg: String?
}

/// A custom robot message: `text` or `markdown`, with `msgUuid` so that a retry after a timeout
/// is not sent twice, and `at` for @mentions.
struct CustomRobotMessage: Encodable, Sendable {
    struct Text: Encodable, Sendable {
        var content: String
    }

    struct Markdown: Encodable, Sendable {
        var title: String
        var text: String
    }

    struct At: Encodable, Sendable {
        var atMobiles: [String] = []
        var atUserIds: [String] = []
        var isAtAll = false
    }

    var msgtype: String
    var text: Text?
    var markdown: Markdown?
    var at: At?
    var msgUuid: String
}
