import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import Synchronization

/// Speaks the Telegram Bot API: getUpdates long polling in, sendMessage / editMessageText /
/// deleteMessage out. Works against Telegram, a local Bot API server or any compatible base URL.
public struct TelegramAdapter: Adapter {
    public struct Configuration: Sendable {
        /// The config's name of the platform.
        public var platform: String
        public var token: Secret
        /// Base of the Bot API, without a trailing slash.
        public var apiURL: String
        /// getUpdates long-poll timeout.
        public var pollTimeout: Duration
        /// Backoff after a failed poll.
        public var pollBackoff: Backoff
        /// How long a send, edit or delete may take, connecting included (an unreachable server is
        /// retried by the HTTP client until then).
        public var requestTimeout: Duration
        /// How fast the bot sends (Telegram's broadcasting limits by default).
        public var limits: Limits
        /// Receive by webhook instead of long polling.
        public var webhook: Webhook?

        public init(
            platform: String, token: Secret, apiURL: String = "https://api.telegram.org",
            pollTimeout: Duration = .seconds(25),
            pollBackoff: Backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(60), jitter: 0.2),
            requestTimeout: Duration = .seconds(30), limits: Limits = Limits(), webhook: Webhook? = nil
        ) {
            self.platform = platform
            self.token = token
            self.apiURL = apiURL
            self.pollTimeout = pollTimeout
            self.pollBackoff = pollBackoff
            self.requestTimeout = requestTimeout
            self.limits = limits
            self.webhook = webhook
        }
    }

    /// Webhook intake: Telegram POSTs each update to `url` with `secret` in the
    /// `X-Telegram-Bot-Api-Secret-Token` header; the gateway's listener passes it to
    /// ``receiveWebhook(_:)``.
    public struct Webhook: Sendable {
        /// The full public URL of this platform's hook (…/hooks/<platform>).
        public var url: String
        public var secret: Secret

        public init(url: String, secret: Secret) {
            self.url = url
            self.secret = secret
        }
    }

    /// The send rates kept so that the server never has to answer 429 (the Bot FAQ: about one
    /// message per second to a chat, 20 per minute to a group, 30 per second overall).
    public struct Limits: Sendable, Hashable {
        public var chat: Rate
        public var group: Rate
        public var bot: Rate

        public init(chat: Rate = Rate(1, per: .seconds(1)), group: Rate = Rate(20, per: .seconds(60)), bot: Rate = Rate(30, per: .seconds(1))) {
            self.chat = chat
            self.group = group
            self.bot = bot
        }
    }

    /// The longest `retry_after` waited out inside a send; a longer one goes back to the
    /// dispatcher, which defers the job (and frees the destination's worker meanwhile).
    static let longestInlineWait: Duration = .seconds(60)
    /// Tries of one message part before a transient failure is handed back: a split message
    /// that fails halfway is sent again from its first part, so parts are retried here first.
    static let partAttempts = 3

    /// The update types a bridge needs; others are not requested.
    static let allowedUpdates = ["message", "edited_message", "channel_post", "edited_channel_post"]
    /// Telegram's limit on a message text, in UTF-16 code units (which also satisfies its code-point count).
    static let textLimit = 4096
    /// Telegram's limit on a caption.
    static let captionLimit = 1024
    /// The largest file getFile lets a bot download.
    static let downloadLimit = 20 << 20

    public let configuration: Configuration
    let client: BotAPIClient
    /// Keeps the getUpdates offset across restarts (the ledger); nil = start from what Telegram retains.
    private let cursors: (any CursorStore)?
    let logger: Logger
    private let splitter = TextSplitter(limit: TelegramAdapter.textLimit, measure: .utf16)
    private let pacer: SendPacer
    private let migrations: ChatMigrations
    /// Where pushed updates go while intake runs in webhook mode.
    let pushes = WebhookIntake()

    public var platform: String { configuration.platform }

    public var acceptsFiles: Bool { true }

    public init(configuration: Configuration, httpClient: HTTPClient, cursors: (any CursorStore)? = nil, logger: Logger) {
        self.configuration = configuration
        self.cursors = cursors
        self.pacer = SendPacer(limits: configuration.limits)
        self.client = BotAPIClient(baseURL: configuration.apiURL, token: configuration.token, http: httpClient)
        var logger = logger
        logger[metadataKey: "gh.platform"] = .string(configuration.platform)
        self.logger = logger
        self.migrations = ChatMigrations(platform: configuration.platform, store: cursors, logger: logger)
    }

    // MARK: - Intake

    public func receive(_ handler: @escaping InboundHandler) async throws {
        if let webhook = configuration.webhook {
            try await receivePushes(at: webhook, handler)
        } else {
            try await poll(handler)
        }
    }

    /// Long polling with getUpdates.
    private func poll(_ handler: @escaping InboundHandler) async throws {
        // The offset is only advanced past an update once its event was committed and acknowledged;
        // Telegram then forgets it on the next getUpdates call (that call is the confirmation).
        // It is saved in the ledger, so that a restart resumes there rather than replaying what
        // Telegram still retains (up to a day of updates).
        var offset = await savedOffset()
        var saved = offset
        var failures = 0
        // Consecutive polls that stopped at an unacknowledged update (the commit is failing).
        var stalls = 0
        let timeoutSeconds = Int(configuration.pollTimeout.components.seconds)
        while !Task.isCancelled {
            let updates: [Update]
            do {
                updates = try await client.call(
                    "getUpdates",
                    GetUpdates(offset: offset, limit: 100, timeout: timeoutSeconds, allowedUpdates: Self.allowedUpdates),
                    as: [Update].self,
                    timeout: configuration.pollTimeout + .seconds(15)
                )
                failures = 0
            } catch {
                if Task.isCancelled { break }
                failures += 1
                let delay = configuration.pollBackoff.delay(afterFailures: failures)
                if error.isConflict {
                    // Telegram serves one poller per bot: another process is polling with this token
                    // (a second gateway, an old instance, a webhook). Say so every time: it does not heal itself.
                    logger.error("another client is receiving this bot's updates (409 Conflict): stop the other poller or delete its webhook; retrying", metadata: [
                        "gh.detail": .string(error.detail), "gh.retry_in": .string(delay.description),
                    ])
                    try await Task.sleep(for: delay)
                    continue
                }
                logger.warning("getUpdates failed; retrying", metadata: [
                    "gh.error": .string(error.shortDescription), "gh.detail": .string(error.detail),
                    "gh.retry_in": .string(delay.description),
                ])
                try await Task.sleep(for: delay)
                continue
            }
            // The whole answer is handed over at once, to be committed together; the offset then
            // moves past the updates acknowledged in an unbroken run from the first.
            let acknowledged = Mutex(Set<Int64>())
            // The updates that carry an event; the others (service messages) are confirmed as they are.
            var carrying = Set<Int64>()
            let events = updates.compactMap { update -> InboundEvent? in
                guard let envelope = envelope(from: update) else { return nil }
                carrying.insert(update.updateID)
                return InboundEvent(envelope: envelope, acknowledgement: Acknowledgement {
                    _ = acknowledged.withLock { $0.insert(update.updateID) }
                })
            }
            if !events.isEmpty {
                do {
                    try await handler(events)
                } catch {
                    logger.error("updates could not be committed; they will be received again", metadata: [
                        "gh.updates": .stringConvertible(events.count), "gh.error": .string(String(describing: error)),
                    ])
                }
            }
            let confirmed = acknowledged.withLock { $0 }
            var stalled = false
            for update in updates {
                guard confirmed.contains(update.updateID) || !carrying.contains(update.updateID) else {
                    stalled = true
                    break
                }
                offset = update.updateID + 1
            }
            if offset != saved, let value = offset {
                do {
                    try await cursors?.saveCursor(String(value), for: platform)
                    saved = offset
                } catch {
                    // Not fatal: after a restart the updates since the last saved offset come again
                    // and inbound dedup absorbs them.
                    logger.warning("cannot save the getUpdates offset", metadata: ["gh.error": .string(String(describing: error))])
                }
            }
            if stalled {
                // Stopped at an unacknowledged update: pause, longer each time, before asking for it again.
                stalls += 1
                try await Task.sleep(for: configuration.pollBackoff.delay(afterFailures: stalls))
            } else {
                stalls = 0
            }
        }
    }

    /// The offset the last run saved, if any.
    private func savedOffset() async -> Int64? {
        guard let cursors else { return nil }
        do {
            return try await cursors.cursor(for: platform).flatMap { Int64($0) }
        } catch {
            logger.warning("cannot read the saved getUpdates offset; starting from what Telegram retains", metadata: [
                "gh.error": .string(String(describing: error)),
            ])
            return nil
        }
    }

    /// The envelope for an update, or nil for updates no route can take.
    func envelope(from update: Update) -> Envelope? {
        let kind: Envelope.Kind
        let message: Message
        if let post = update.message ?? update.channelPost {
            kind = .post
            message = post
        } else if let edit = update.editedMessage ?? update.editedChannelPost {
            kind = .edit
            message = edit
        } else {
            return nil
        }
        var attachments: [Envelope.Attachment] = []
        // An animation also comes as `document`, for old clients: taken once.
        for file in [message.document ?? message.animation, message.video, message.audio, message.voice].compactMap({ $0 }) {
            attachments.append(.init(reference: file.fileID, name: file.fileName, mimeType: file.mimeType, bytes: file.fileSize))
        }
        if let photo = message.photo?.max(by: { $0.width * $0.height < $1.width * $1.height }) {
            attachments.append(.init(reference: photo.fileID, mimeType: "image/jpeg", bytes: photo.fileSize, isPhoto: true))
        }
        let text = message.text ?? message.caption ?? ""
        let spans = EntityMapping.spans(from: message.text != nil ? message.entities : message.captionEntities, in: text)
        guard !text.isEmpty || !attachments.isEmpty else { return nil }
        let topic = message.isTopicMessage == true ? message.messageThreadID : nil
        // In a forum topic, a message "replying" to the topic's root is just a message in the topic.
        var replyTo = message.replyToMessage?.messageID
        if let topic, replyTo == topic { replyTo = nil }
        let chat = String(message.chat.id)
        let messageID = String(message.messageID)
        let eventID = kind == .edit ? "\(chat)/\(messageID)/edit/\(message.editDate ?? message.date)" : "\(chat)/\(messageID)"
        return Envelope(
            origin: .init(platform: platform, conversation: chat, handle: message.chat.username, topic: topic,
                          messageID: messageID, eventID: eventID),
            sender: sender(of: message),
            kind: kind,
            body: .init(text: text, spans: spans),
            attachments: attachments,
            replyTo: replyTo.map(String.init),
            time: Date(timeIntervalSince1970: TimeInterval(message.date)),
            labels: message.from?.isBot == true ? ["bot"] : []
        )
    }

    private func sender(of message: Message) -> Envelope.Sender {
        if let user = message.from {
            let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
            return .init(id: String(user.id), name: name)
        }
        // Channel posts carry the channel as the sender, and optionally the author's signature.
        let chat = message.senderChat ?? message.chat
        return .init(id: String(chat.id), name: message.authorSignature ?? chat.title ?? chat.username ?? String(chat.id))
    }

    // MARK: - Delivery

    /// One message of a send: a part of the text, or an attachment (with the text as its caption
    /// when the text fits one).
    private enum Unit {
        case text(RichText)
        case file(Envelope.Attachment, caption: RichText?)
    }

    /// Sends the text (split at 4096 UTF-16 units, never inside a span) and the attachments. A
    /// text that fits a caption goes on the first file; a longer one is sent first, the files after.
    /// Each file is fetched just before it is sent; one that cannot be had at all is replaced by a
    /// line saying it was not forwarded, so the rest of the message still arrives.
    public func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let (chat, topic) = try address(of: message.channel)
        let content = message.content
        let reply = message.replyTo.flatMap(NativeID.init).map { ReplyParameters(messageID: $0.messageID) }
        let captioned = !message.attachments.isEmpty && content.text.utf16.count <= Self.captionLimit
        let units = (captioned ? [] : messages(of: content)).map(Unit.text)
            + message.attachments.enumerated().map { number, attachment in
                Unit.file(attachment, caption: captioned && number == 0 && !content.text.isEmpty ? content : nil)
            }
        guard !units.isEmpty else {
            throw DeliveryError.rejected("nothing to send: the text is empty and no file goes with it")
        }
        // Those an earlier attempt delivered are skipped; only the first message answers the
        // replied-to one.
        var ids = progress.delivered
        for (index, unit) in units.enumerated() where index >= progress.delivered.count {
            let answering = index == 0 ? reply : nil
            let sent: NativeID
            switch unit {
            case .text(let part):
                sent = NativeID(.text, try await sendText(part, to: chat, topic: topic, reply: answering))
            case .file(let attachment, let caption):
                do {
                    let file = try await message.files(attachment)
                    let id = try await upload(file, caption: caption, to: chat, topic: topic, reply: answering)
                    sent = NativeID(caption == nil ? .file : .caption, id)
                } catch let error as DeliveryError where error.isPermanent && !Self.isUploadRefusal(error) {
                    logger.warning("attachment not forwarded: it cannot be fetched", metadata: [
                        "gh.attachment": .string(attachment.name ?? attachment.mimeType ?? "file"), "gh.error": .string(error.detail),
                    ])
                    sent = NativeID(.text, try await sendText(Self.notForwarded(attachment, caption: caption), to: chat, topic: topic, reply: answering))
                }
            }
            ids.append(sent.text)
            await progress.record(ids)
        }
        return ids
    }

    /// The text's messages: its parts, without any that is only whitespace (Telegram refuses an
    /// empty message, and trims the whitespace a part would carry anyway).
    private func messages(of content: RichText) -> [RichText] {
        splitter.split(content).filter { !$0.text.allSatisfy(\.isWhitespace) }
    }

    /// What stands in for a file that could not be fetched: its caption, and a line naming it (never
    /// why: the reader may be outside, the log line has the reason).
    static func notForwarded(_ attachment: Envelope.Attachment, caption: RichText?) -> RichText {
        let line = "📎 \(attachment.name ?? "a file") (not forwarded)"
        guard let caption, !caption.text.isEmpty else { return RichText(text: line) }
        return RichText(text: caption.text + "\n" + line, spans: caption.spans)
    }

    /// Whether a permanent failure is Telegram refusing the upload (rather than the file being
    /// impossible to fetch): that fails the send, as any refused message does.
    private static func isUploadRefusal(_ error: DeliveryError) -> Bool {
        error.detail.hasPrefix("sendPhoto:") || error.detail.hasPrefix("sendDocument:")
    }

    private func sendText(_ part: RichText, to chat: ChatID, topic: Int64?, reply: ReplyParameters?) async throws -> Int64 {
        try await answering(reply) { reply in
            let sent: Message = try await paced("sendMessage", to: chat) { chat throws(DeliveryError) in
                try await client.call("sendMessage", SendMessage(
                    chatID: chat, messageThreadID: topic, text: part.text,
                    entities: EntityMapping.entities(from: part.spans, in: part.text), replyParameters: reply
                ), timeout: configuration.requestTimeout)
            }
            return sent.messageID
        }
    }

    /// Sends as a reply, and once more as a plain message if the answered message is gone:
    /// `allow_sending_without_reply` does not apply in forum topics, where Telegram refuses instead.
    private func answering(_ reply: ReplyParameters?, _ send: (ReplyParameters?) async throws -> Int64) async throws -> Int64 {
        guard let reply else { return try await send(nil) }
        do {
            return try await send(reply)
        } catch let error as DeliveryError where error.detail.contains("message to be replied not found") {
            return try await send(nil)
        }
    }

    /// sendPhoto for what came as a photo (within Telegram's photo limit), sendDocument for
    /// everything else, and for a photo Telegram refuses as one (its dimensions, say).
    private func upload(_ file: AttachedFile, caption: RichText?, to chat: ChatID, topic: Int64?, reply: ReplyParameters?) async throws -> Int64 {
        try await answering(reply) { reply in
            if file.isPhoto && file.data.count <= Self.photoUploadLimit {
                do {
                    return try await upload(file, as: "photo", caption: caption, to: chat, topic: topic, reply: reply)
                } catch let error as DeliveryError where error.isPermanent && error.detail.contains("PHOTO") {
                    logger.info("Telegram refused a photo as a photo; sending it as a document", metadata: ["gh.detail": .string(error.detail)])
                }
            }
            return try await upload(file, as: "document", caption: caption, to: chat, topic: topic, reply: reply)
        }
    }

    private func upload(_ file: AttachedFile, as field: String, caption: RichText?, to chat: ChatID, topic: Int64?, reply: ReplyParameters?) async throws -> Int64 {
        let method = field == "photo" ? "sendPhoto" : "sendDocument"
        let sent: Message = try await paced(method, to: chat) { chat throws(DeliveryError) in
            var fields: [(String, String)] = [("chat_id", chat.key)]
            if let topic { fields.append(("message_thread_id", String(topic))) }
            if let caption {
                fields.append(("caption", caption.text))
                if let entities = EntityMapping.entities(from: caption.spans, in: caption.text) {
                    fields.append(("caption_entities", Self.json(entities)))
                }
            }
            if let reply { fields.append(("reply_parameters", Self.json(reply))) }
            return try await client.upload(method, fields: fields, fileField: field, file: file, timeout: configuration.requestTimeout)
        }
        return sent.messageID
    }

    /// Telegram's limit on an uploaded photo; a larger picture goes as a document.
    static let photoUploadLimit = 10 << 20

    private static func json(_ value: some Encodable) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// Edits every part, by what each message is (its ``NativeID`` role): text parts are edited
    /// (more parts sent, parts no longer needed deleted); a caption is edited in place, or, when the
    /// text outgrew it, emptied and the text sent as messages of its own; files stay as they are.
    public func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let (chat, topic) = try address(of: message.channel)
        let content = message.content
        let existing = nativeIDs.compactMap(NativeID.init)
        let textIDs = existing.filter { $0.role == .text }
        var files = existing.filter { $0.role != .text }
        var newText: [String] = []
        if let captionIndex = files.firstIndex(where: { $0.role == .caption }) {
            let captioned = files[captionIndex]
            let fits = content.text.utf16.count <= Self.captionLimit
            try await editCaption(captioned.messageID, to: fits ? content : RichText(text: ""), in: chat)
            if !fits {
                files[captionIndex].role = .file
                await progress.record(files.map(\.text))
                for part in messages(of: content) {
                    newText.append(NativeID(.text, try await sendText(part, to: chat, topic: topic, reply: nil)).text)
                    await progress.record(newText + files.map(\.text))
                }
            }
        } else {
            let parts = messages(of: content)
            for (index, part) in parts.enumerated() {
                let entities = EntityMapping.entities(from: part.spans, in: part.text)
                if index < textIDs.count {
                    let id = textIDs[index].messageID
                    try await unlessUnchanged {
                        let _: Message = try await paced("editMessageText", to: chat) { chat throws(DeliveryError) in
                            try await client.call("editMessageText", EditMessageText(chatID: chat, messageID: id, text: part.text, entities: entities),
                                                  timeout: configuration.requestTimeout)
                        }
                    }
                    newText.append(textIDs[index].text)
                } else {
                    // The edit made the text longer than before: the extra parts are new messages,
                    // each reported, so that a retry edits it rather than sending it again.
                    newText.append(NativeID(.text, try await sendText(part, to: chat, topic: topic, reply: nil)).text)
                    await progress.record(newText + files.map(\.text))
                }
            }
            // …or shorter: the parts it no longer needs go.
            try await deleteMessages(textIDs.dropFirst(parts.count).map(\.messageID), in: chat)
        }
        return newText + files.map(\.text)
    }

    private func editCaption(_ messageID: Int64, to caption: RichText, in chat: ChatID) async throws {
        try await unlessUnchanged {
            let _: Message = try await paced("editMessageCaption", to: chat) { chat throws(DeliveryError) in
                try await client.call("editMessageCaption", EditMessageCaption(
                    chatID: chat, messageID: messageID, caption: caption.text,
                    captionEntities: EntityMapping.entities(from: caption.spans, in: caption.text)
                ), timeout: configuration.requestTimeout)
            }
        }
    }

    /// Runs an edit, taking Telegram's "message is not modified" as done: the part already reads
    /// so (a retry after a failure later in the message, or an edit that changed only other parts).
    private func unlessUnchanged(_ edit: () async throws -> Void) async throws {
        do {
            try await edit()
        } catch let error as DeliveryError where error.detail.contains("message is not modified") {
            logger.debug("part already edited", metadata: ["gh.detail": .string(error.detail)])
        }
    }

    public func delete(_ nativeIDs: [String], in channel: Channel) async throws {
        let (chat, _) = try address(of: channel)
        try await deleteMessages(nativeIDs.compactMap(NativeID.init).map(\.messageID), in: chat)
    }

    /// Deletes messages in the chat's turn; one already gone (a retry after a later one failed)
    /// counts as deleted.
    private func deleteMessages(_ ids: [Int64], in chat: ChatID) async throws {
        for id in ids {
            do {
                let _: Bool = try await paced("deleteMessage", to: chat) { chat throws(DeliveryError) in
                    try await client.call("deleteMessage", DeleteMessage(chatID: chat, messageID: id), timeout: configuration.requestTimeout)
                }
            } catch let error as DeliveryError where error.detail.contains("message to delete not found") {
                logger.debug("message already deleted", metadata: ["gh.detail": .string(error.detail)])
            }
        }
    }

    /// Fetches a file that arrived here: getFile, then the download, within Telegram's 20 MB and
    /// `limit`. The download URL embeds the token and never leaves ``BotAPIClient``.
    public func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile {
        let limit = min(limit, Self.downloadLimit)
        if let bytes = attachment.bytes, bytes > limit {
            throw DeliveryError.rejected("attachment '\(attachment.name ?? "file")' is \(bytes) bytes; at most \(limit) can be fetched from Telegram")
        }
        let file: File = try await client.call("getFile", GetFile(fileID: attachment.reference), timeout: configuration.requestTimeout)
        guard let path = file.filePath else {
            throw DeliveryError.rejected("getFile: Telegram gave no path for attachment '\(attachment.name ?? "file")' (too large to download?)")
        }
        let data = try await client.download(path: path, limit: limit, timeout: configuration.requestTimeout)
        let name = attachment.name ?? path.split(separator: "/").last.map(String.init) ?? "file"
        return AttachedFile(name: name, mimeType: attachment.mimeType, data: data, isPhoto: attachment.isPhoto == true)
    }

    /// Calls a method that puts a message in `chat`, in the chat's turn (``SendPacer``), at the id
    /// the chat has now (``ChatMigrations``). A 429 pauses the chat for exactly `retry_after` and the
    /// same part is tried again; a group that became a supergroup is followed at once; other
    /// transient failures are retried with backoff a few times before they are handed back.
    private func paced<Result>(
        _ method: String, to configured: ChatID, _ call: (ChatID) async throws(DeliveryError) -> Result
    ) async throws -> Result {
        var failures = 0
        var chat = ChatID(await migrations.current(configured.key))
        while true {
            let ticket = pacer.reserve(chat: chat.key)
            if ticket.wait > .zero { try await Task.sleep(for: ticket.wait) }
            do {
                defer { pacer.complete(ticket) }
                return try await call(chat)
            } catch {
                if let moved = error.newAddress, moved != chat.key {
                    await migrations.record(chat.key, movedTo: moved)
                    chat = ChatID(moved)
                    continue
                }
                failures += 1
                guard case .transient(let retryAfter) = error.disposition, failures < Self.partAttempts, !Task.isCancelled else { throw error }
                if error.isRateLimited {
                    let pause = retryAfter ?? .seconds(1)
                    guard pause <= Self.longestInlineWait else { throw error }
                    let wholeBot = pacer.rateLimited(chat: chat.key, for: pause)
                    logger.warning("Telegram asked to slow down (429); \(wholeBot ? "the whole bot" : "this chat") waits exactly retry_after", metadata: [
                        "gh.chat": .string(chat.key), "gh.retry_after": .string(pause.description), "gh.method": .string(method),
                    ])
                } else {
                    try await Task.sleep(for: configuration.pollBackoff.delay(afterFailures: failures))
                }
            }
        }
    }

    private func address(of channel: Channel) throws(DeliveryError) -> (ChatID, Int64?) {
        guard case .chat(let chat, let topic) = channel.address else {
            throw .rejected("channel '\(channel.name)' is not a Telegram chat")
        }
        return (ChatID(chat), topic)
    }
}
