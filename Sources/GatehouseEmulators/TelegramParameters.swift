import Foundation
import Hummingbird

/// The parameters of a Bot API call, from the query string and the body (JSON, URL-encoded form
/// or multipart form), typed the way the Bot API coerces them.
struct TelegramParameters: Sendable {
    private(set) var values: [String: JSONValue] = [:]
    /// Files uploaded in a multipart form, by field name.
    private(set) var uploads: [String: MultipartFile] = [:]

    /// Parameters of `values`; `uploads` are the request's files, for an object nested in it
    /// (an album's InputMedia) that names them as `attach://<field>`.
    init(_ values: [String: JSONValue] = [:], uploads: [String: MultipartFile] = [:]) {
        self.values = values
        self.uploads = uploads
    }

    static func from(_ request: Request, bodyLimit: Int) async throws -> TelegramParameters {
        var parameters = TelegramParameters()
        for (key, value) in EmulatorHTTP.queryPairs(of: request) {
            parameters.values[key] = .string(value)
        }
        guard request.method == .post || request.method == .put else { return parameters }
        guard let body = await EmulatorHTTP.body(of: request, limit: bodyLimit) else {
            throw TelegramAPIError.entityTooLarge
        }
        guard !body.isEmpty else { return parameters }
        switch EmulatorHTTP.mediaType(of: request) {
        case "application/json":
            guard let json = try? JSONValue.parse(body), case .object(let members) = json else {
                throw TelegramAPIError.badRequest("can't parse JSON object in the request body")
            }
            parameters.values.merge(members) { _, body in body }
        case "multipart/form-data":
            guard let boundary = EmulatorHTTP.contentTypeParameter("boundary", of: request),
                let form = EmulatorHTTP.multipartFields(body, boundary: boundary)
            else {
                throw TelegramAPIError.badRequest("can't parse multipart form data")
            }
            for (key, value) in form.fields { parameters.values[key] = .string(value) }
            for file in form.files { parameters.uploads[file.field] = file }
        default:
            // URL-encoded forms, also when a client omits the content type.
            for (key, value) in EmulatorHTTP.formPairs(Substring(decoding: body, as: UTF8.self)) {
                parameters.values[key] = .string(value)
            }
        }
        return parameters
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    func has(_ key: String) -> Bool {
        value(key) != nil || uploads[key] != nil
    }

    /// An `InputFile` parameter: a file uploaded in the form, or the file_id of a known file.
    func inputFile(_ key: String) throws -> TelegramInputFile? {
        if let upload = uploads[key] { return .upload(upload) }
        guard let text = try string(key), !text.isEmpty else { return nil }
        if text.hasPrefix("attach://"), let upload = uploads[String(text.dropFirst("attach://".count))] { return .upload(upload) }
        return .existing(text)
    }

    /// A string; numbers and booleans are accepted as their text, as the Bot API does.
    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: throw TelegramAPIError.badRequest("field \"\(key)\" must be of type String")
        }
    }

    func int64(_ key: String) throws -> Int64? {
        guard let value = value(key) else { return nil }
        if case .string(let text) = value, text.isEmpty { return nil }
        guard let number = value.int64Value else {
            throw TelegramAPIError.badRequest("field \"\(key)\" must be of type Integer")
        }
        return number
    }

    /// A Float: a JSON number, or its text in forms and queries.
    func double(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text) where Double(text) != nil: return Double(text)
        default: throw TelegramAPIError.badRequest("field \"\(key)\" must be of type Float")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else {
            throw TelegramAPIError.badRequest("field \"\(key)\" must be of type Boolean")
        }
        return flag
    }

    /// A JSON-serialized parameter: native JSON in a JSON body, JSON text in forms and queries.
    func json(_ key: String) throws -> JSONValue? {
        guard let value = value(key) else { return nil }
        if case .string(let text) = value {
            guard !text.isEmpty else { return nil }
            return try? JSONValue.parse(text)
        }
        return value
    }

    /// A `chat_id`: an integer or "@username" (strings of digits are integers).
    func chat(_ key: String = "chat_id") throws -> TelegramChatReference? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let id): return .id(id)
        case .double:
            guard let id = value.int64Value else { throw TelegramAPIError.chatNotFound }
            return .id(id)
        case .string(let raw):
            let text = raw.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            if text.hasPrefix("@") {
                let name = String(text.dropFirst())
                guard !name.isEmpty else { throw TelegramAPIError.chatNotFound }
                return .username(name)
            }
            guard let id = Int64(text) else { throw TelegramAPIError.chatNotFound }
            return .id(id)
        default:
            throw TelegramAPIError.badRequest("field \"\(key)\" must be of type Integer or String")
        }
    }

    func entities(_ key: String) throws -> [TelegramEmulator.MessageEntity]? {
        guard has(key) else { return nil }
        guard let json = try json(key), case .array = json,
            let entities = try? JSONDecoder().decode([TelegramEmulator.MessageEntity].self, from: Data(json.jsonString.utf8))
        else {
            throw TelegramAPIError.badRequest("can't parse entities JSON object")
        }
        return entities
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard has(key) else { return nil }
        guard let json = try json(key), let elements = json.arrayValue else {
            throw TelegramAPIError.badRequest("can't parse \(key) JSON array")
        }
        return try elements.map { element in
            guard let text = element.stringValue else {
                throw TelegramAPIError.badRequest("can't parse \(key) JSON array")
            }
            return text
        }
    }

    /// `reply_parameters`, or the older `reply_to_message_id` / `allow_sending_without_reply`.
    func reply() throws -> TelegramReplyRequest? {
        if has("reply_parameters") {
            guard let json = try json("reply_parameters"), let members = json.objectValue,
                let messageID = members["message_id"]?.int64Value
            else {
                throw TelegramAPIError.badRequest("can't parse reply parameters JSON object")
            }
            let nested = TelegramParameters(members)
            return TelegramReplyRequest(
                messageID: messageID,
                chat: try nested.chat("chat_id"),
                allowSendingWithoutReply: try nested.bool("allow_sending_without_reply") ?? false
            )
        }
        guard let messageID = try int64("reply_to_message_id") else { return nil }
        return TelegramReplyRequest(
            messageID: messageID,
            chat: nil,
            allowSendingWithoutReply: try bool("allow_sending_without_reply") ?? false
        )
    }
}

/// A file a bot sends: uploaded now, or one the server already has (by file_id).
enum TelegramInputFile: Sendable {
    case upload(MultipartFile)
    case existing(String)
}
