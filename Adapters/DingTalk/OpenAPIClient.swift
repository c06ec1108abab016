import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// Calls the DingTalk v1.0 open API (JSON in, JSON out) and classifies its failures.
/// Secrets travel only in request bodies and headers, never in anything logged.
struct OpenAPIClient: Sendable {
    let baseURL: String
    let http: HTTPClient

    private static let maxResponseBytes = 4 << 20

    func post<Body: Encodable & Sendable, Result: Decodable>(
        _ path: String,
        _ body: Body,
        accessToken: String? = nil,
        as: Result.Type = Result.self,
        method: HTTPMethod = .POST,
        timeout: Duration = .seconds(30)
    ) async throws(DeliveryError) -> Result {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        } catch {
            throw .rejected("\(path): cannot encode the request")
        }
        return try await execute(request, path: path, accessToken: accessToken, timeout: timeout)
    }

    /// A GET with `query` percent-encoded (the v1.0 read APIs, such as `get_blackboard`).
    func get<Result: Decodable>(
        _ path: String,
        query: [(String, String)],
        accessToken: String,
        as: Result.Type = Result.self,
        timeout: Duration = .seconds(30)
    ) async throws(DeliveryError) -> Result {
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves "+" alone, which a server may read as a space.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        var request = HTTPClientRequest(url: baseURL + path + (encoded.isEmpty ? "" : "?" + encoded))
        request.method = .GET
        return try await execute(request, path: path, accessToken: accessToken, timeout: timeout)
    }

    private func execute<Result: Decodable>(
        _ request: HTTPClientRequest,
        path: String,
        accessToken: String?,
        timeout: Duration
    ) async throws(DeliveryError) -> Result {
        var request = request
        if let accessToken {
            request.headers.add(name: "x-acs-dingtalk-access-token", value: accessToken)
        }
        let status: UInt
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.totalNanoseconds))
            status = response.status.code
            bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw .network("\(path): \(type(of: error)) \(error)")
        }
        let data = Data(bytes.readableBytesView)
        if (200..<300).contains(status) {
            do {
                return try JSONDecoder().decode(Result.self, from: data)
            } catch {
                throw .invalidResponse("\(path): HTTP \(status) with an unexpected body")
            }
        }
        let failure = try? JSONDecoder().decode(OpenAPIError.self, from: data)
        throw Self.classify(path: path, status: status, code: failure?.code, message: failure?.message)
    }

    /// Whether a failure means the access token is no longer valid (fetch a new one and retry).
    static func isInvalidToken(_ code: String?) -> Bool {
        guard let code else { return false }
        return code == "InvalidAuthentication" || code == "token.notExisted" || code == "invalidParameter.token.invalid"
            || code.hasPrefix("Unauthorized")
    }

    static func classify(path: String, status: UInt, code: String?, message: String?) -> DeliveryError {
        let detail = "\(path): HTTP \(status) \(code ?? "-") \(message ?? "")"
        if let code {
            // Documented throttling: 20 QPS per app per API, and the platform-wide limit; wait a second.
            if code.contains("QpsLimit") || code.contains("too.fast") || code.hasPrefix("Throttling") {
                return .rateLimited(retryAfter: .seconds(1), detail)
            }
            if isInvalidToken(code) { return DeliveryError(.tokenInvalid, detail) }
            // "unknown send result": the message may or may not have gone; retrying is the at-least-once choice.
            if code == "unknown.send.result" || code.hasPrefix("ServiceUnavailable") || code.hasPrefix("InternalError") {
                return .unavailable(detail)
            }
            if code == "group.disbanded" || code == "invalid.openConversationId" || code.contains("notExsit") {
                return .notFound(detail)
            }
            if code == "bot.stopped" || code.hasPrefix("invalidParameter.robotCode") || code.hasPrefix("Forbidden") {
                return .unauthorized(detail)
            }
        }
        switch status {
        case 429: return .rateLimited(retryAfter: .seconds(1), detail)
        case 500...: return .unavailable(detail)
        case 401, 403: return .unauthorized(detail)
        case 404: return .notFound(detail)
        default: return .rejected(detail)
        }
    }
}
