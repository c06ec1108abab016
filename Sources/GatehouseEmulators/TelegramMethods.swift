import Foundation

/// The Bot API methods the emulator implements. Method names are case-insensitive, as on
/// api.telegram.org; anything else is "Not Found".
struct TelegramMethods: Sendable {
    let state: TelegramBotState

    /// The longest long poll the Bot API holds a request for.
    static let maximumPollTimeout = 50

    func call(_ method: String, _ parameters: TelegramParameters) async throws -> JSONValue {
        switch method.lowercased() {
        case "getme":
            return await state.botJSON()
        case "getupdates":
            return try await getUpdates(parameters)
        case "setwebhook":
            return try await setWebhook(parameters)
        case "deletewebhook":
            await state.deleteWebhook(dropPendingUpdates: try parameters.bool("drop_pending_updates") ?? false)
            return .bool(true)
        case "getwebhookinfo":
            return await state.webhookInfo
        case "sendmessage":
            return try await sendMessage(parameters)
        case "editmessagetext":
            return try await editMessageText(parameters)
        case "deletemessage":
            return try await deleteMessage(parameters)
        case "sendphoto", "senddocument", "sendanimation", "sendvideo", "sendvideonote", "sendvoice", "sendaudio", "sendsticker":
            let kind = TelegramMedia.Kind.allCases.first { $0.method.lowercased() == method.lowercased() } ?? .document
            return try await sendMedia(kind, parameters)
        case "sendlocation", "sendvenue", "sendcontact", "sendpoll", "senddice":
            return try await sendNative(method.lowercased(), parameters)
        case "sendmediagroup":
            return try await sendMediaGroup(parameters)
        case "editmessagecaption":
            return try await editMessageCaption(parameters)
        case "getchat":
            return try await state.chatFullInfo(try requiredChat(parameters))
        case "copymessage":
            return try await copyMessage(parameters, forwarded: false)
        case "forwardmessage":
            return try await copyMessage(parameters, forwarded: true)
        case "sendchataction":
            guard let action = try parameters.string("action"), !action.isEmpty else {
                throw TelegramAPIError.badRequest("action is empty")
            }
            try await state.chatAction(in: try requiredChat(parameters), action: action, threadID: try parameters.int64("message_thread_id"))
            return .bool(true)
        case "createforumtopic":
            guard let name = try parameters.string("name"), !name.isEmpty else {
                throw TelegramAPIError.badRequest("invalid forum topic name specified")
            }
            return try await state.createForumTopic(in: try requiredChat(parameters), name: name, iconColor: try parameters.int64("icon_color"))
        case "getfile":
            guard let id = try parameters.string("file_id"), !id.isEmpty else { throw TelegramAPIError.badRequest("file_id not specified") }
            return try await state.getFile(id)
        default:
            throw TelegramAPIError.notFound
        }
    }

    private func getUpdates(_ parameters: TelegramParameters) async throws -> JSONValue {
        // The Bot API clamps limit to 1…100 and timeout to 0…50 rather than rejecting them.
        let limit = Int(min(max(try parameters.int64("limit") ?? 100, 1), 100))
        let timeout = Int(min(max(try parameters.int64("timeout") ?? 0, 0), Int64(Self.maximumPollTimeout)))
        let start = try await state.startPolling(
            offset: try parameters.int64("offset"),
            limit: limit,
            timeout: timeout,
            allowedUpdates: try parameters.stringArray("allowed_updates")
        )
        switch start {
        case .ready(let updates):
            return .array(updates)
        case .wait(let poll):
            let state = self.state
            let outcome = await withTaskGroup(of: TelegramPollOutcome?.self) { group in
                group.addTask {
                    // Also runs when the request is cancelled (server shutdown): the poll then ends early.
                    try? await Task.sleep(for: .seconds(timeout))
                    await state.resolvePoll(poll, .timedOut)
                    return nil
                }
                group.addTask { await state.waitForUpdates(poll) }
                var outcome = TelegramPollOutcome.timedOut
                for await result in group {
                    if let result {
                        outcome = result
                        group.cancelAll()
                    }
                }
                return outcome
            }
            return .array(try await state.finishPolling(poll, outcome: outcome, limit: limit))
        }
    }

    private func setWebhook(_ parameters: TelegramParameters) async throws -> JSONValue {
        guard parameters.has("url") else { throw TelegramAPIError.badRequest("url is empty") }
        let url = try parameters.string("url") ?? ""
        if url.isEmpty {
            await state.deleteWebhook(dropPendingUpdates: try parameters.bool("drop_pending_updates") ?? false)
            return .bool(true)
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw TelegramAPIError.badRequest("bad webhook: invalid URL")
        }
        // Telegram pushes over HTTPS to port 443, 80, 88 or 8443 only; a sandbox that pushes to a
        // receiver on this machine says so in its configuration (`plainWebhooks`).
        if !state.configuration.plainWebhooks {
            guard parsed.scheme == "https" else { throw TelegramAPIError.badRequest("bad webhook: An HTTPS URL must be provided for webhook") }
            guard [443, 80, 88, 8443].contains(parsed.port ?? 443) else {
                throw TelegramAPIError.badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            }
        }
        let secret = try parameters.string("secret_token")
        if let secret {
            // 1–256 characters of A-Z, a-z, 0-9, _ and -.
            guard (1...256).contains(secret.count), secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw TelegramAPIError.badRequest("bad webhook: secret token contains unallowed characters")
            }
        }
        await state.setWebhook(
            url: url,
            secretToken: secret,
            allowedUpdates: try parameters.stringArray("allowed_updates"),
            dropPendingUpdates: try parameters.bool("drop_pending_updates") ?? false
        )
        return .bool(true)
    }

    private func messageText(_ parameters: TelegramParameters) throws -> TelegramText {
        guard let raw = try parameters.string("text"), !raw.isEmpty else {
            throw TelegramAPIError.badRequest("message text is empty")
        }
        let text = try TelegramText.parse(
            raw,
            parseMode: try parameters.string("parse_mode"),
            entities: try parameters.entities("entities")
        )
        try text.checkMessageLength()
        return text
    }

    private func requiredChat(_ parameters: TelegramParameters) throws -> TelegramChatReference {
        guard let chat = try parameters.chat("chat_id") else { throw TelegramAPIError.badRequest("chat_id is empty") }
        return chat
    }

    private func sendMessage(_ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        let text = try messageText(parameters)
        return try await state.sendMessage(
            to: chat,
            threadID: try parameters.int64("message_thread_id"),
            text: text,
            reply: try parameters.reply(),
            businessConnection: try parameters.string("business_connection_id")
        )
    }

    private func editMessageText(_ parameters: TelegramParameters) async throws -> JSONValue {
        if parameters.has("inline_message_id") {
            throw TelegramAPIError.badRequest("inline messages are not supported by this emulator")
        }
        let chat = try requiredChat(parameters)
        guard let messageID = try parameters.int64("message_id") else {
            throw TelegramAPIError.badRequest("message identifier is not specified")
        }
        let text = try messageText(parameters)
        return try await state.editMessageText(in: chat, messageID: messageID, text: text)
    }

    private func deleteMessage(_ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        guard let messageID = try parameters.int64("message_id") else {
            throw TelegramAPIError.badRequest("message identifier is not specified")
        }
        try await state.deleteMessage(in: chat, messageID: messageID)
        return .bool(true)
    }

    /// A caption: 0–1024 characters, from `caption` with `caption_entities` or `parse_mode`.
    private func caption(_ parameters: TelegramParameters) throws -> TelegramText {
        try TelegramText.parse(
            try parameters.string("caption") ?? "",
            parseMode: try parameters.string("parse_mode"),
            entities: try parameters.entities("caption_entities")
        )
    }

    private func sendMedia(_ kind: TelegramMedia.Kind, _ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        guard let file = try parameters.inputFile(kind.rawValue) else {
            throw TelegramAPIError.badRequest("there is no \(kind.rawValue) in the request")
        }
        return try await state.sendMedia(
            kind,
            file: file,
            to: chat,
            threadID: try parameters.int64("message_thread_id"),
            caption: try caption(parameters),
            reply: try parameters.reply(),
            duration: try parameters.int64("duration").map { Int(clamping: $0) },
            emoji: try parameters.string("emoji"),
            businessConnection: try parameters.string("business_connection_id")
        )
    }

    /// The content of sendLocation, sendVenue, sendContact, sendPoll or sendDice, checked as the
    /// Bot API checks it, and the Message field it shows in.
    private func sendNative(_ method: String, _ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        func required(_ key: String) throws -> String {
            guard let value = try parameters.string(key), !value.isEmpty else { throw TelegramAPIError.badRequest("\(key) is empty") }
            return value
        }
        func coordinates() throws -> [(String, JSONValue?)] {
            guard let latitude = try parameters.double("latitude"), (-90...90).contains(latitude) else {
                throw TelegramAPIError.badRequest("wrong latitude specified")
            }
            guard let longitude = try parameters.double("longitude"), (-180...180).contains(longitude) else {
                throw TelegramAPIError.badRequest("wrong longitude specified")
            }
            return [("latitude", .double(latitude)), ("longitude", .double(longitude))]
        }
        let field: String
        let value: JSONValue
        switch method {
        case "sendlocation":
            field = "location"
            value = .object(try coordinates())
        case "sendvenue":
            field = "venue"
            let location = JSONValue.object(try coordinates())
            value = .object([("location", location), ("title", .string(try required("title"))), ("address", .string(try required("address")))])
        case "sendcontact":
            field = "contact"
            value = .object([
                ("phone_number", .string(try required("phone_number"))), ("first_name", .string(try required("first_name"))),
                ("last_name", try parameters.string("last_name").map(JSONValue.string)),
            ])
        case "sendpoll":
            field = "poll"
            let question = try required("question")
            guard question.count <= 300 else { throw TelegramAPIError.badRequest("poll question length must not exceed 300") }
            let options = try (parameters.json("options")?.arrayValue ?? []).map { option -> String in
                guard let text = option.stringValue ?? option["text"]?.stringValue, (1...100).contains(text.count) else {
                    throw TelegramAPIError.badRequest("poll options length must not exceed 100")
                }
                return text
            }
            guard (2...12).contains(options.count) else { throw TelegramAPIError.badRequest("poll must have 2-12 options") }
            value = .object([
                ("id", .string(String(UInt64.random(in: 1...UInt64(Int64.max))))), ("question", .string(question)),
                (
                    "options",
                    .array(
                        options.enumerated().map { number, text in
                            .object([("persistent_id", .string(String(number))), ("text", .string(text)), ("voter_count", .int(0))])
                        }
                    )
                ),
                ("total_voter_count", .int(0)), ("is_closed", .bool(false)),
                ("is_anonymous", .bool(try parameters.bool("is_anonymous") ?? true)),
                ("type", .string(try parameters.string("type") ?? "regular")),
                ("allows_multiple_answers", .bool(try parameters.bool("allows_multiple_answers") ?? false)),
                ("allows_revoting", .bool(try parameters.bool("allows_revoting") ?? true)),
                ("members_only", .bool(try parameters.bool("members_only") ?? false)),
            ])
        default:
            field = "dice"
            let emoji = try parameters.string("emoji") ?? "🎲"
            guard let highest = TelegramBotState.dice[emoji] else { throw TelegramAPIError.badRequest("invalid dice emoji") }
            value = .object([("emoji", .string(emoji)), ("value", .int(Int64.random(in: 1...highest)))])
        }
        let name = TelegramBotState.methodNames[method] ?? method
        return try await state.sendNative(
            field,
            value,
            method: name,
            to: chat,
            threadID: try parameters.int64("message_thread_id"),
            reply: try parameters.reply()
        )
    }

    /// sendMediaGroup: `media` is a JSON array of InputMedia, each file given by file_id or as
    /// `attach://<field>` of the multipart request.
    private func sendMediaGroup(_ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        guard let media = try parameters.json("media")?.arrayValue else { throw TelegramAPIError.badRequest("parameter \"media\" is required") }
        let items = try media.map { item -> TelegramBotState.AlbumItem in
            guard let members = item.objectValue, let type = members["type"]?.stringValue,
                let kind = TelegramMedia.Kind(rawValue: type), [.photo, .video, .document, .audio].contains(kind)
            else {
                throw TelegramAPIError.badRequest("can't parse InputMedia: media type is invalid")
            }
            let nested = TelegramParameters(members, uploads: parameters.uploads)
            guard let file = try nested.inputFile("media") else { throw TelegramAPIError.badRequest("can't parse InputMedia: media not found") }
            return .init(kind: kind, file: file, caption: try caption(nested))
        }
        return try await state.sendMediaGroup(
            items,
            to: chat,
            threadID: try parameters.int64("message_thread_id"),
            reply: try parameters.reply()
        )
    }

    /// copyMessage answers the copy's MessageId; forwardMessage the Message, with its origin.
    private func copyMessage(_ parameters: TelegramParameters, forwarded: Bool) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        guard let source = try parameters.chat("from_chat_id") else { throw TelegramAPIError.badRequest("from_chat_id is empty") }
        guard let messageID = try parameters.int64("message_id") else {
            throw TelegramAPIError.badRequest("message identifier is not specified")
        }
        let caption = !forwarded && parameters.has("caption") ? try caption(parameters) : nil
        let (copy, original, from) = try await state.copyMessage(
            messageID,
            from: source,
            to: chat,
            threadID: try parameters.int64("message_thread_id"),
            caption: caption,
            forwarded: forwarded
        )
        guard forwarded else { return .object(["message_id": .int(copy.id)]) }
        return await state.forwardJSON(copy, of: original, from: from)
    }

    private func editMessageCaption(_ parameters: TelegramParameters) async throws -> JSONValue {
        let chat = try requiredChat(parameters)
        guard let messageID = try parameters.int64("message_id") else {
            throw TelegramAPIError.badRequest("message identifier is not specified")
        }
        return try await state.editMessageCaption(in: chat, messageID: messageID, caption: try caption(parameters))
    }
}
