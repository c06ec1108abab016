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
        /// The chats the config's channels name (ids as written): what earlier runs learned of
        /// their upgrades to supergroups is read at start.
        public var chats: [String]

        public init(
            platform: String,
            token: Secret,
            apiURL: String = "https://api.telegram.org",
            pollTimeout: Duration = .seconds(25),
            pollBackoff: Backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(60), jitter: 0.2),
            requestTimeout: Duration = .seconds(30),
            limits: Limits = Limits(),
            webhook: Webhook? = nil,
            chats: [String] = []
        ) {
            self.chats = chats
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

    /// Tries of one message part before a transient failure is handed back: a split message
    /// that fails halfway is sent again from its first part, so parts are retried here first.
    static let partAttempts = 3

    /// The update types a bridge needs; others are not requested.
    static let allowedUpdates = ["message", "edited_message", "channel_post", "edited_channel_post", "business_message", "edited_business_message"]
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
    let splitter = TextSplitter(limit: TelegramAdapter.textLimit, measure: .utf16)
    let pacer: SendPacer
    /// Fired after the first getUpdates (or setWebhook) attempt.
    public let started: StartSignal? = StartSignal()
    let migrations: ChatMigrations

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
        await migrations.load(configuration.chats)
        if let webhook = configuration.webhook {
            // The updates come through the gateway's push door (``decode(_:)``) once Telegram
            // knows where to push them.
            await register(webhook)
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
            // The first poll does not wait for updates, so that the first attempt to reach
            // Telegram is over at once and the daemon can say it is ready.
            let first = !(started?.hasFired ?? true)
            do {
                defer { started?.fire() }
                updates = try await client.call(
                    "getUpdates",
                    GetUpdates(offset: offset, limit: 100, timeout: first ? 0 : timeoutSeconds, allowedUpdates: Self.allowedUpdates),
                    as: [Update].self,
                    timeout: configuration.pollTimeout + .seconds(15)
                )
                failures = 0
            } catch {
                if Task.isCancelled { break }
                failures += 1
                let delay = configuration.pollBackoff.delay(afterFailures: failures)
                if error.code == .conflict {
                    // Telegram serves one poller per bot: another process is polling with this token
                    // (a second gateway, an old instance, a webhook). Say so every time: it does not heal itself.
                    logger.error(
                        "another client is receiving this bot's updates (409 Conflict): stop the other poller or delete its webhook; retrying",
                        metadata: [
                            "gh.detail": .string(error.detail), "gh.retry_in": .string(delay.description),
                        ]
                    )
                    try await Task.sleep(for: delay)
                    continue
                }
                logger.warning(
                    "getUpdates failed; retrying",
                    metadata: [
                        "gh.error": .string(error.shortDescription), "gh.detail": .string(error.detail),
                        "gh.retry_in": .string(delay.description),
                    ]
                )
                try await Task.sleep(for: delay)
                continue
            }
            await learnMigrations(from: updates)
            // The whole answer is handed over at once, to be committed together; the offset then
            // moves past the updates acknowledged in an unbroken run from the first.
            let acknowledged = Mutex(Set<Int64>())
            // The updates that carry an event; the others (service messages) are confirmed as they are.
            var carrying = Set<Int64>()
            let events = Self.albums(in: updates).compactMap { album -> InboundEvent? in
                guard let envelope = envelope(from: album) else { return nil }
                let ids = album.map(\.updateID)
                carrying.formUnion(ids)
                return InboundEvent(
                    envelope: envelope,
                    acknowledgement: Acknowledgement {
                        acknowledged.withLock { $0.formUnion(ids) }
                    }
                )
            }
            if !events.isEmpty {
                do {
                    try await handler(events)
                } catch {
                    logger.error(
                        "updates could not be committed; they will be received again",
                        metadata: [
                            "gh.updates": .stringConvertible(events.count), "gh.error": .string(String(describing: error)),
                        ]
                    )
                }
            }
            let confirmed = acknowledged.withLock { $0 }
            var stalled = false
            for update in updates {
                guard confirmed.contains(update.updateID) || !carrying.contains(update.updateID) else {
                    stalled = true
                    break
                }
                // The id comes from the server: one at Int64.max cannot be confirmed past, and must
                // not trap the process (the next poll then takes it again, which dedup absorbs).
                offset = update.updateID < .max ? update.updateID + 1 : update.updateID
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
            logger.warning(
                "cannot read the saved getUpdates offset; starting from what Telegram retains",
                metadata: [
                    "gh.error": .string(String(describing: error))
                ]
            )
            return nil
        }
    }

    /// A group upgraded to a supergroup says so in both: the old group's last message names the
    /// new id, the new one's first message the old id. Learned before the updates are read, so
    /// that the supergroup's messages already count as the configured group's.
    private func learnMigrations(from updates: [Update]) async {
        for update in updates {
            guard let message = update.message ?? update.channelPost else { continue }
            if let to = message.migrateToChatID {
                await migrations.record(String(message.chat.id), movedTo: String(to))
            } else if let from = message.migrateFromChatID, migrations.original(of: String(message.chat.id)) == nil {
                await migrations.record(String(from), movedTo: String(message.chat.id))
            }
        }
    }

    /// The updates in order, those of one album (new posts of one chat with the same
    /// `media_group_id`, which Telegram sends one after another) together: an album crosses as
    /// one message with its files in order. An album split across two answers (rare: Telegram sends
    /// its parts at once) crosses as two.
    static func albums(in updates: [Update]) -> [[Update]] {
        var albums: [[Update]] = []
        for update in updates {
            if let last = albums.last?.last, let group = Self.album(of: update), group == Self.album(of: last) {
                albums[albums.count - 1].append(update)
            } else {
                albums.append([update])
            }
        }
        return albums
    }

    /// The chat and album a new post belongs to, if it is part of one.
    private static func album(of update: Update) -> String? {
        guard let message = update.message ?? update.channelPost, let group = message.mediaGroupID else { return nil }
        return "\(message.chat.id)/\(group)"
    }

    /// One envelope for an album: the first part's, with every part's files in order, and the
    /// caption of whichever part has one (Telegram shows an album's one caption).
    func envelope(from album: [Update]) -> Envelope? {
        guard var envelope = album.first.flatMap(envelope(from:)), album.count > 1 else {
            return album.first.flatMap(envelope(from:))
        }
        let parts = album.dropFirst().compactMap(envelope(from:))
        envelope.attachments += parts.flatMap(\.attachments)
        if envelope.body.text.isEmpty, let captioned = parts.first(where: { !$0.body.text.isEmpty }) {
            envelope.body = captioned.body
        }
        return envelope
    }

    /// The envelope for an update, or nil for updates no route can take.
    func envelope(from update: Update) -> Envelope? {
        let kind: Envelope.Kind
        let message: Message
        if let post = update.message ?? update.channelPost ?? update.businessMessage {
            kind = .post
            message = post
        } else if let edit = update.editedMessage ?? update.editedChannelPost ?? update.editedBusinessMessage {
            kind = .edit
            message = edit
        } else {
            return nil
        }
        // A business account's own messages in its chats come too: only the customer's (in a
        // private chat, the one whose id the chat has) are the customer's messages.
        if message.businessConnectionID != nil, let from = message.from, from.id != message.chat.id { return nil }
        // What the chat is, for pacing sends to it (a channel is not a group).
        let chatKind = SendBudget.ChatKind(type: message.chat.type)
        pacer.learn(String(message.chat.id), is: chatKind)
        if let username = message.chat.username { pacer.learn("@" + username, is: chatKind) }
        let attachments = Self.attachments(of: message)
        let content = message.content
        let written = message.text ?? message.caption ?? ""
        let spans = EntityMapping.spans(from: message.text != nil ? message.entities : message.captionEntities, in: written)
        // The label of a kind that is no file goes after the caption, so the caption's spans still fit.
        let text = content.label.map { written.isEmpty ? $0 : written + "\n" + $0 } ?? written
        // A message with nothing to carry is a service message (someone joined, a pin, a new
        // title): an envelope that says what happened, which intake records as ignored.
        let service = text.isEmpty && attachments.isEmpty
        if service, kind == .edit { return nil }
        let topic = message.isTopicMessage == true ? message.messageThreadID : nil
        // In a forum topic, a message "replying" to the topic's root is just a message in the topic.
        var replyTo = message.replyToMessage?.messageID
        if let topic, replyTo == topic { replyTo = nil }
        // A supergroup a configured group became speaks for the configured group. Its message ids
        // start again from 1: they are told apart from the group's by the supergroup's id.
        let actual = String(message.chat.id)
        let original = migrations.original(of: actual)
        let chat = original ?? actual
        let messageID = original == nil ? String(message.messageID) : "\(actual)/\(message.messageID)"
        // An edit is its own event: edit_date has whole seconds, and two edits within one second
        // must not be taken for a redelivery; the update's id is what Telegram repeats when it
        // delivers the same update again.
        let eventID =
            kind == .edit
            ? "\(actual)/\(message.messageID)/edit/\(message.editDate ?? message.date)/\(update.updateID)" : "\(actual)/\(message.messageID)"
        var envelope = Envelope(
            origin: .init(
                platform: platform,
                conversation: chat,
                handle: message.chat.username,
                topic: topic,
                messageID: messageID,
                eventID: eventID
            ),
            sender: sender(of: message),
            kind: kind,
            body: service ? .init(text: message.service ?? "other") : .init(text: text, spans: spans),
            attachments: attachments,
            replyTo: replyTo.map { original == nil ? String($0) : "\(actual)/\($0)" },
            // An edit is judged when it was made, not when the message first was: otherwise an
            // office-hours check is bypassed by editing at night. Without an edit_date, now.
            time: kind == .edit
                ? message.editDate.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()
                : Date(timeIntervalSince1970: TimeInterval(message.date)),
            labels: Set([message.from?.isBot == true ? "bot" : nil, message.chat.type == "private" ? Channel.privateLabel : nil].compactMap { $0 }),
            contentKind: service ? .service : content.kind == .text ? nil : content.kind,
            native: message.native
        )
        envelope.connection = message.businessConnectionID
        return envelope
    }

    /// The files a message carries, each with the form it came as: an animation (which also
    /// comes as `document`, for old clients) taken once, as an animation; of a photo's sizes the
    /// largest; a sticker's file, for a destination that sends stickers.
    static func attachments(of message: Message) -> [Envelope.Attachment] {
        var attachments: [Envelope.Attachment] = []
        let files: [(Document?, ContentKind)] = [
            (message.animation, .animation), (message.animation == nil ? message.document : nil, .document), (message.video, .video),
            (message.videoNote, .videoNote), (message.audio, .audio), (message.voice, .voice),
        ]
        for case (let file?, let kind) in files {
            attachments.append(
                .init(
                    reference: file.fileID,
                    name: file.fileName,
                    mimeType: file.mimeType,
                    bytes: file.fileSize,
                    kind: kind == .document ? nil : kind,
                    duration: file.duration
                )
            )
        }
        // The sizes come from outside: compared as full-width products, which cannot overflow.
        if let photo = message.photo?.max(by: { $0.width.multipliedFullWidth(by: $0.height) < $1.width.multipliedFullWidth(by: $1.height) }) {
            attachments.append(.init(reference: photo.fileID, mimeType: "image/jpeg", bytes: photo.fileSize, isPhoto: true))
        }
        if let sticker = message.sticker {
            let file = sticker.file
            attachments.append(.init(reference: sticker.fileID, name: file.name, mimeType: file.mimeType, bytes: sticker.fileSize, kind: .sticker))
        }
        return attachments
    }

    private func sender(of message: Message) -> Envelope.Sender {
        if let user = message.from {
            let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
            var sender = Envelope.Sender(id: String(user.id), name: name)
            sender.handle = user.username
            sender.language = user.languageCode
            return sender
        }
        // Channel posts carry the channel as the sender, and optionally the author's signature.
        let chat = message.senderChat ?? message.chat
        return .init(id: String(chat.id), name: message.authorSignature ?? chat.title ?? chat.username ?? String(chat.id))
    }
}
