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
        _ method: String,
        _ parameters: Parameters,
        as: Result.Type = Result.self,
        timeout: Duration
    ) async throws(DeliveryError) -> Result {
        let body: Data
        do {
            body = try JSONEncoder().encode(parameters)
        } catch {
            throw .rejected("\(method): cannot encode parameters")
        }
        return try await post(method, body: ByteBuffer(bytes: body), contentType: "application/json", timeout: timeout)
    }

    /// Calls an upload method (sendPhoto, sendDocument) as multipart/form-data: `fields` as text
    /// parts (JSON-serialized where the API says so), the file as a part named `fileField`.
    func upload<Result: Decodable>(
        _ method: String,
        fields: [(String, String)],
        fileField: String,
        file: AttachedFile,
        as: Result.Type = Result.self,
        timeout: Duration
    ) async throws(DeliveryError) -> Result {
        try await upload(method, fields: fields, files: [(fileField, file)], timeout: timeout)
    }

    /// A multipart/form-data request with several files, each in its own field (sendMediaGroup
    /// names them in `media` as `attach://<field>`).
    func upload<Result: Decodable>(
        _ method: String,
        fields: [(String, String)],
        files: [(field: String, file: AttachedFile)],
        as: Result.Type = Result.self,
        timeout: Duration
    ) async throws(DeliveryError) -> Result {
        var form = MultipartForm()
        for (name, value) in fields { form.add(name, value) }
        for (field, file) in files { form.add(file: field, name: file.name, contentType: file.mimeType, data: file.data) }
        return try await post(method, body: ByteBuffer(bytes: form.bytes), contentType: form.contentType, timeout: timeout)
    }

    private func post<Result: Decodable>(
        _ method: String,
        body payload: ByteBuffer,
        contentType: String,
        timeout: Duration
    ) async throws(DeliveryError) -> Result {
        var request = HTTPClientRequest(url: "\(baseURL)/bot\(token.value)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(payload)
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
            if status.code == 413 { throw .rejected("\(method): the file is larger than the server accepts (HTTP 413)") }
            throw .invalidResponse("\(method): HTTP \(status.code) with a body that is not a Bot API response")
        }
        if decoded.ok, let result = decoded.result { return result }
        throw classify(method: method, status: status, decoded)
    }

    /// Downloads a file getFile located: `{api}/file/bot<token>/<file_path>`. The URL holds the
    /// token, so it is built here, used once and never returned, logged or forwarded.
    func download(path: String, limit: Int, timeout: Duration) async throws(DeliveryError) -> Data {
        let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        var request = HTTPClientRequest(url: "\(baseURL)/file/bot\(token.value)/\(escaped)")
        request.method = .GET
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.totalNanoseconds))
            switch response.status.code {
            case 200..<300:
                return Data(try await response.body.collect(upTo: limit).readableBytesView)
            case 500...:
                throw DeliveryError.unavailable("file download: HTTP \(response.status.code)")
            default:
                throw DeliveryError.notFound("file download: HTTP \(response.status.code)")
            }
        } catch let error as DeliveryError {
            throw error
        } catch let error as NIOTooManyBytesError {
            throw .rejected("file download: larger than \(limit) bytes (\(type(of: error)))")
        } catch {
            throw .network("file download: \(redact(String(describing: error)))")
        }
    }

    /// Maps a Bot API error to what the dispatcher should do about it.
    private func classify<R>(method: String, status: HTTPResponseStatus, _ response: BotAPIResponse<R>) -> DeliveryError {
        let code = response.errorCode ?? Int(status.code)
        let detail = "\(method): \(code) \(redact(response.description ?? "no description"))"
        if let retryAfter = response.parameters?.retryAfter {
            return .rateLimited(retryAfter: .seconds(retryAfter), detail)
        }
        if let migrated = response.parameters?.migrateToChatID {
            return .chatMigrated(to: String(migrated), "\(detail) (the group is now supergroup \(migrated))")
        }
        switch code {
        case 429: return .rateLimited(retryAfter: nil, detail)
        case 500...: return .unavailable(detail)
        case 401, 403: return .unauthorized(detail)
        case 404: return .notFound(detail)
        case 409: return .conflict(detail)
        case 400: return DeliveryError(Self.badRequest(method: method, response.description ?? ""), detail)
        default: return .rejected(detail)
        }
    }

    /// What a 400 means, read from its description: the Bot API gives these cases no code of
    /// their own, only the text (as seen from the Bot API server; the documentation lists none).
    /// Read here once, so that no caller matches text.
    static func badRequest(method: String, _ description: String) -> DeliveryError.Code {
        let text = description.lowercased()
        if text.contains("message is not modified") { return .notModified }
        if text.contains("message to be replied not found") || text.contains("replied message not found") { return .replyTargetGone }
        if text.contains("message to edit not found") || text.contains("message to delete not found") { return .messageGone }
        if text.contains("message can't be deleted") { return .notRemovable }
        if text.contains("message can't be edited") { return .tooOld }
        // PHOTO_INVALID_DIMENSIONS, PHOTO_SAVE_FILE_INVALID, PHOTO_EXT_INVALID, IMAGE_PROCESS_FAILED (not a
        // picture the server reads), …: the file can still go as a document.
        if method == "sendPhoto", description.contains("PHOTO") || description.contains("IMAGE_PROCESS_FAILED") { return .photoRefused }
        return .rejected
    }

    /// Removes the token from text that may have echoed the request URL.
    func redact(_ text: String) -> String {
        text.replacingOccurrences(of: token.value, with: "<token>")
    }
}
