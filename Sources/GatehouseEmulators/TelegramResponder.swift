import Foundation
import Hummingbird
import Logging

/// Routes `/bot<token>/<method>` to the Bot API methods and `/_emulator/…` to the control API.
struct TelegramResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: TelegramBotState
    let token: String?
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/_emulator/") {
            return await control(request, path: path)
        }
        if path.hasPrefix("/file/bot") {
            return await download(request, path: path)
        }
        await state.countRequest()
        do {
            let result = try await botAPI(request, path: path)
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true), "result": result]))
        } catch let error as TelegramAPIError {
            return error.response
        } catch {
            logger.error("unexpected Bot API failure", metadata: ["error.type": "\(type(of: error))"])
            return EmulatorHTTP.json(
                .internalServerError,
                .object(["ok": .bool(false), "error_code": .int(500), "description": .string("Internal Server Error")])
            )
        }
    }

    private func botAPI(_ request: Request, path: String) async throws -> JSONValue {
        guard request.method == .get || request.method == .post else { throw TelegramAPIError.notFound }
        guard path.hasPrefix("/bot") else { throw TelegramAPIError.notFound }
        let rest = path.dropFirst(4)
        guard let slash = rest.firstIndex(of: "/") else { throw TelegramAPIError.notFound }
        let rawToken = String(rest[..<slash])
        let method = rest[rest.index(after: slash)...]
        let presented = rawToken.removingPercentEncoding ?? rawToken
        guard Self.accepts(presented, configured: token) else { throw TelegramAPIError.unauthorized }
        guard !method.isEmpty, !method.contains("/") else { throw TelegramAPIError.notFound }
        // Uploads up to the limit, and a little for the form around the file.
        try await state.injectFault(into: String(method))
        let parameters = try await TelegramParameters.from(request, bodyLimit: await state.configuration.fileLimits.upload + (1 << 20))
        return try await TelegramMethods(state: state).call(String(method), parameters)
    }

    /// The configured token, compared in constant time; or, with none configured, any token of
    /// the Bot API's shape "<digits>:<30 or more of [A-Za-z0-9_-]>".
    static func accepts(_ presented: String, configured: String?) -> Bool {
        if let configured {
            let lhs = Array(presented.utf8)
            let rhs = Array(configured.utf8)
            var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
            for index in 0..<min(lhs.count, rhs.count) {
                difference |= lhs[index] ^ rhs[index]
            }
            return difference == 0
        }
        let parts = presented.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return false
        }
        return parts[1].count >= 30
            && parts[1].unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
            }
    }

    /// `GET /file/bot<token>/<file_path>`: a file's bytes, as getFile located it.
    private func download(_ request: Request, path: String) async -> Response {
        let rest = path.dropFirst("/file/bot".count)
        guard request.method == .get, let slash = rest.firstIndex(of: "/") else { return TelegramAPIError.notFound.response }
        let presented = String(rest[..<slash]).removingPercentEncoding ?? ""
        guard Self.accepts(presented, configured: token) else { return TelegramAPIError.unauthorized.response }
        let filePath = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        guard let data = await state.download(path: filePath) else { return TelegramAPIError.notFound.response }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: Control API

    private func control(_ request: Request, path: String) async -> Response {
        switch (request.method, path) {
        case (.post, "/_emulator/updates"):
            guard let body = await EmulatorHTTP.body(of: request) else {
                return controlError(.contentTooLarge, "body too large")
            }
            // One message, or several at once (an album: Telegram sends its parts together).
            let batch = body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "[")
            let injected: [TelegramEmulator.InjectedUpdate]
            do {
                injected =
                    batch
                    ? try JSONDecoder().decode([TelegramEmulator.InjectedUpdate].self, from: Data(body))
                    : [try JSONDecoder().decode(TelegramEmulator.InjectedUpdate.self, from: Data(body))]
            } catch {
                return controlError(.badRequest, "invalid update: \(error)")
            }
            do {
                let answers = try await state.inject(all: injected).map {
                    TelegramEmulator.InjectionAnswer(updateID: $0.updateID, messageID: $0.messageID)
                }
                return batch ? EmulatorHTTP.json(.ok, encoding: answers) : EmulatorHTTP.json(.ok, encoding: answers[0])
            } catch let error as EmulatorError {
                return controlError(.badRequest, error.detail)
            } catch {
                return controlError(.badRequest, "\(error)")
            }
        case (.post, "/_emulator/chats"):
            guard let body = await EmulatorHTTP.body(of: request),
                let chat = try? JSONDecoder().decode(TelegramEmulator.Chat.self, from: Data(body)), chat.id != 0
            else {
                return controlError(.badRequest, "invalid chat")
            }
            return EmulatorHTTP.json(.ok, encoding: await state.upsert(chat))
        case (.post, "/_emulator/faults"):
            struct Faults: Decodable {
                var rate: Double
                var retryAfter: Int?
                var seed: UInt64?
                var kinds: [String]?
                enum CodingKeys: String, CodingKey {
                    case rate
                    case retryAfter = "retry_after"
                    case seed
                    case kinds
                }
            }
            let usage = "expected {\"rate\": 0.2, \"retry_after\": 1, \"seed\": N, \"kinds\": [\"429\", \"500\", \"502\"]}"
            guard let body = await EmulatorHTTP.body(of: request), let faults = try? JSONDecoder().decode(Faults.self, from: Data(body)) else {
                return controlError(.badRequest, usage)
            }
            let kinds = (faults.kinds ?? []).map(TelegramFaults.Kind.init(rawValue:))
            guard !kinds.contains(nil) else { return controlError(.badRequest, usage) }
            await state.setFaults(
                TelegramFaults(
                    rate: faults.rate,
                    retryAfter: faults.retryAfter ?? 1,
                    seed: faults.seed ?? TelegramFaults().seed,
                    kinds: kinds.compactMap { $0 }
                )
            )
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))
        case (.post, "/_emulator/business"):
            struct Connection: Decodable {
                var id: String
                var user: TelegramEmulator.User
                var userChatID: Int64
                enum CodingKeys: String, CodingKey {
                    case id, user
                    case userChatID = "user_chat_id"
                }
            }
            guard let body = await EmulatorHTTP.body(of: request), let connection = try? JSONDecoder().decode(Connection.self, from: Data(body)),
                !connection.id.isEmpty
            else {
                return controlError(.badRequest, "expected {\"id\", \"user\": {…}, \"user_chat_id\"}")
            }
            await state.connectBusiness(id: connection.id, user: connection.user, userChatID: connection.userChatID)
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))
        case (.post, "/_emulator/blocks"):
            struct Block: Decodable {
                var chatID: Int64
                enum CodingKeys: String, CodingKey {
                    case chatID = "chat_id"
                }
            }
            guard let body = await EmulatorHTTP.body(of: request), let block = try? JSONDecoder().decode(Block.self, from: Data(body)) else {
                return controlError(.badRequest, "expected {\"chat_id\": USER}")
            }
            await state.block(by: block.chatID)
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))
        case (.post, "/_emulator/migrate"):
            struct Migration: Decodable {
                var chatID: Int64
                var to: Int64
                enum CodingKeys: String, CodingKey {
                    case chatID = "chat_id"
                    case to
                }
            }
            guard let body = await EmulatorHTTP.body(of: request), let migration = try? JSONDecoder().decode(Migration.self, from: Data(body)) else {
                return controlError(.badRequest, "expected {\"chat_id\": GROUP, \"to\": SUPERGROUP}")
            }
            do {
                return EmulatorHTTP.json(.ok, encoding: try await state.migrate(group: migration.chatID, to: migration.to))
            } catch let error as EmulatorError {
                return controlError(.badRequest, error.detail)
            } catch {
                return controlError(.badRequest, "\(error)")
            }
        case (.get, "/_emulator/sent"):
            let filter = EmulatorHTTP.queryPairs(of: request).first { $0.0 == "chat_id" }?.1
            return EmulatorHTTP.json(.ok, encoding: await state.sent(chat: filter))
        case (.get, "/_emulator/stats"):
            return EmulatorHTTP.json(.ok, encoding: await state.stats())
        case (_, "/_emulator/updates"), (_, "/_emulator/sent"), (_, "/_emulator/stats"), (_, "/_emulator/chats"), (_, "/_emulator/migrate"),
            (_, "/_emulator/blocks"), (_, "/_emulator/business"):
            return controlError(.methodNotAllowed, "method not allowed")
        default:
            return controlError(.notFound, "unknown control endpoint")
        }
    }

    private func controlError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        EmulatorHTTP.json(status, .object(["error": .string(message)]))
    }
}
