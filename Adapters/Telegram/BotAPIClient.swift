import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// Calls Bot API methods and classifies every failure; the token never leaves the request URL.
struct BotAPIClient: Sendable {
    let baseURL: String
    let token: Secret
    let http: HTTPClient

    /// The largest response body accepted (getUpdates with 100 updates stays far below it).
    private static let maxResponseBytes = 16 << 20

    func call<Parameters: Encodable & Sendable, Result: Decodable>(
        _ method: String, _ parameters: Parameters, as: Result.Type = Result.self, timeout: Duration
    ) async throws(DeliveryError) -> Result {
        var request = HTTPClientRequest(url: "\(baseURL)/bot\(token.value)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(parameters)))
        } catch {
            throw .rejected("\(method): cannot encode parameters")
        }
        let status: HTTPResponseStatus
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.totalNanoseconds))
            status = response.status
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            // Never interpolate the underlying error's URL: describe by type only.
            throw .network("\(method): \(redact(String(describing: error)))")
        }
        let decoded: BotAPIResponse<Result>
        do {
            decoded = try JSONDecoder().decode(BotAPIResponse<Result>.self, from: Data(body.readableBytesView))
        } catch {
            if status.code >= 500 { throw .unavailable("\(method): HTTP \(status.code)") }
            throw .invalidResponse("\(method): HTTP \(status.code) with a body that is not a Bot API response")
        }
        if decoded.ok, let result = decoded.result { return result }
        throw classify(method: method, status: status, decoded)
    }

    /// Maps a Bot API error to what the dispatcher should do about it.
    private func classify<R>(method: String, status: HTTPResponseStatus, _ response: BotAPIResponse<R>) -> DeliveryError {
        let code = response.errorCode ?? Int(status.code)
        let detail = "\(method): \(code) \(redact(response.description ?? "no description"))"
        if let retryAfter = response.parameters?.retryAfter {
            return .rateLimited(retryAfter: .seconds(retryAfter), detail)
        }
        if let migrated = response.parameters?.migrateToChatID {
            return .moved(to: String(migrated), "\(detail) (the group is now supergroup \(migrated))")
        }
        switch code {
        case 429: return .rateLimited(retryAfter: nil, detail)
        case 500...: return .unavailable(detail)
        case 401, 403: return .unauthorized(detail)
        case 404: return .notFound(detail)
        case 409: return .conflict(detail)
        default: return .rejected(detail)
        }
    }

    /// Removes the token from text that may have echoed the request URL.
    func redact(_ text: String) -> String {
        text.replacingOccurrences(of: token.value, with: "<token>")
    }
}

