import Foundation
import Logging

/// A chat reference as a client passes it: an integer id or "@username".
enum TelegramChatReference: Sendable, Equatable {
    case id(Int64)
    case username(String)
}

/// A message the emulated server knows, in any chat.
struct TelegramStoredMessage: Sendable {
    enum Sender: Sendable {
        case bot
        case user(TelegramEmulator.User)
        /// Channel posts are sent on behalf of the channel (`sender_chat`), without `from`.
        case chat
    }

    var id: Int64
    var chatID: Int64
    var threadID: Int64?
    var sender: Sender
    var sentByBot: Bool
    var date: Int64
    var editDate: Int64?
    /// The text, or the caption of a message with a file.
    var text: TelegramText
    var replyToID: Int64?
    /// The file the message carries (a photo, a document, a voice note, a sticker, …).
    var media: TelegramMedia? = nil
    /// Content that is no file: a location, venue, contact, poll or die (the Message field and its value).
    var native: TelegramNative? = nil
    /// The album the message is part of.
    var mediaGroupID: String? = nil
    /// The business connection the message came or went through.
    var businessConnectionID: String? = nil
}

/// The file of a message, by the Message field it is in.
struct TelegramMedia: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case photo, document, animation, video, voice, audio, sticker
        case videoNote = "video_note"

        /// The method that sends it (sendPhoto, sendVideoNote, …).
        var method: String {
            "send" + rawValue.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }

        /// Whether its messages have a caption (stickers and video notes have none).
        var takesCaption: Bool { self != .sticker && self != .videoNote }

        /// Where getFile puts it, as the Bot API's paths do.
        var directory: String {
            switch self {
            case .photo: "photos"
            case .document: "documents"
            case .animation: "animations"
            case .video: "videos"
            case .voice: "voice"
            case .audio: "music"
            case .sticker: "stickers"
            case .videoNote: "video_notes"
            }
        }
    }

    var kind: Kind
    var fileID: String
}

/// Content of a message that is no file, as its Message field shows it (`location`, `poll`, …).
struct TelegramNative: Sendable {
    var field: String
    var value: JSONValue
}

/// A file the server keeps: uploaded by the bot, or attached by a user.
struct TelegramStoredFile: Sendable {
    var id: String
    var uniqueID: String
    /// Where getFile says to download it (`documents/file_3.pdf`).
    var path: String
    var name: String?
    var mimeType: String?
    var data: [UInt8]
    /// For photos.
    var width: Int?
    var height: Int?
    /// Seconds, for audio and video.
    var duration: Int?
    /// A sticker's emoji.
    var emoji: String?
}

/// The state of the one emulated bot: chats, messages, the update queue, what the bot did.
actor TelegramBotState {
    typealias Chat = TelegramEmulator.Chat

    let configuration: TelegramEmulator.Configuration
    let logger: Logger

    private var chats: [Int64: Chat] = [:]
    private var usernames: [String: Int64] = [:]
    /// Seconds the emulator's clock runs ahead of the real one (``advanceClock(by:)``), so that tests
    /// reach time rules (the 48 h delete window) without waiting.
    private var clockOffset: Int64 = 0
    /// Groups upgraded to supergroups: old id → new id.
    private var migrations: [Int64: Int64] = [:]
    /// Private chats whose person blocked the bot.
    var blockedBy: Set<Int64> = []
    /// Business accounts connected to the bot: connection id → the business user's private chat.
    var businessConnections: [String: Int64] = [:]
    private var messages: [Int64: [Int64: TelegramStoredMessage]] = [:]
    private var lastMessageID: [Int64: Int64] = [:]
    private var sentRecords: [TelegramEmulator.SentRecord] = []
    /// Files by file_id.
    var files: [String: TelegramStoredFile] = [:]
    private var requestCount = 0
    private var rateLimitedCount = 0
    /// Requests refused on purpose, and which ones.
    private var faults: TelegramFaults
    private var faultChoices: SplitMix64
    private var injectedFaultCount = 0
    private var flood: TelegramFloodControl

    // Update queue and long polling (see TelegramBotState+Updates.swift).
    var updates: [TelegramStoredUpdate] = []
    var nextUpdateID: Int64
    var allowedUpdates: Set<String>?
    var polls: [UInt64: TelegramPollState] = [:]
    var activePoll: UInt64?
    var nextPollID: UInt64 = 0
    var shuttingDown = false
    /// Where updates are pushed while a webhook is set (getUpdates then answers 409).
    var webhookURL: String?
    /// The `secret_token` sent with every push in `X-Telegram-Bot-Api-Secret-Token`.
    var webhookSecret: String?
    /// Pushes the receiver did not take (non-2xx or no answer), for the stats.
    var webhookPushFailures = 0
    /// The last failed push, for getWebhookInfo.
    var webhookLastError: (date: Int64, message: String)?
    /// Rung when there may be something to push (an update arrived, a webhook was set).
    let webhookDoorbell = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    init(configuration: TelegramEmulator.Configuration, logger: Logger) {
        self.configuration = configuration
        self.flood = TelegramFloodControl(limits: configuration.floodLimits)
        self.faults = configuration.faults
        self.faultChoices = SplitMix64(seed: configuration.faults.seed)
        self.logger = logger
        // Update ids "start from a certain positive number": not 1, so clients cannot assume it.
        self.nextUpdateID = Int64.random(in: 100_000...900_000)
        for chat in configuration.chats {
            Self.merge(chat, into: &chats, usernames: &usernames)
        }
    }

    // MARK: Counters and records

    func countRequest() {
        requestCount += 1
    }

    func stats() -> TelegramEmulator.Stats {
        TelegramEmulator.Stats(
            requests: requestCount,
            rateLimited: rateLimitedCount,
            webhookFailures: webhookPushFailures,
            injectedFaults: injectedFaultCount
        )
    }

    func setFaults(_ faults: TelegramFaults) {
        self.faults = faults
        faultChoices = SplitMix64(seed: faults.seed)
    }

    /// Refuses this request on purpose, as often as the faults say: a 429, a 500 or a 502 (those of
    /// the faults' kinds).
    func injectFault(into method: String) throws {
        guard faults.rate > 0, TelegramFaults.methods.contains(method.lowercased()), faultChoices.unit() < faults.rate else { return }
        injectedFaultCount += 1
        switch faults.kinds[Int(faultChoices.next() % UInt64(faults.kinds.count))] {
        case .tooManyRequests: throw TelegramAPIError.tooManyRequests(retryAfter: faults.retryAfter)
        case .internalError: throw TelegramAPIError.internalServerError
        case .badGateway: throw TelegramAPIError.badGateway
        }
    }

    /// What the bot did, in order; `chat` filters by an integer id or "@username".
    func sent(chat filter: String?) -> [TelegramEmulator.SentRecord] {
        guard let filter = filter?.trimmingCharacters(in: .whitespaces), !filter.isEmpty else { return sentRecords }
        let chatID: Int64?
        if filter.hasPrefix("@") {
            chatID = usernames[filter.dropFirst().lowercased()]
        } else {
            chatID = Int64(filter)
        }
        guard let chatID else { return [] }
        return sentRecords.filter { $0.chatID == chatID }
    }

    // MARK: Chats

    /// Makes a chat known (so that "@username" resolves to it), merging with what is known.
    @discardableResult
    func upsert(_ chat: Chat) -> Chat {
        Self.merge(chat, into: &chats, usernames: &usernames)
    }

    @discardableResult
    private static func merge(_ chat: Chat, into chats: inout [Int64: Chat], usernames: inout [String: Int64]) -> Chat {
        var merged = chats[chat.id] ?? chat
        merged.type = chat.type
        merged.title = chat.title ?? merged.title
        merged.firstName = chat.firstName ?? merged.firstName
        merged.isForum = chat.isForum ?? merged.isForum
        if let topics = chat.topics {
            merged.topics = Array(Set(merged.topics ?? []).union(topics)).sorted()
            // A chat with topics is a forum.
            if !topics.isEmpty { merged.isForum = merged.isForum ?? true }
        }
        if let username = chat.username?.trimmingCharacters(in: CharacterSet(charactersIn: "@")), !username.isEmpty {
            if let old = merged.username { usernames[old.lowercased()] = nil }
            merged.username = username
            usernames[username.lowercased()] = chat.id
        }
        chats[chat.id] = merged
        return merged
    }

    /// The chat a client means: one declared (the configuration's chats, `POST /_emulator/chats`)
    /// or seen (a user's message injected in it). Any other is "chat not found", as on the
    /// platform, unless the configuration opens every chat (`openChats`): then an integer id
    /// never seen is created on first use (-100… supergroup, other negative ids group, positive
    /// ids private). "@username" must be known either way.
    func resolve(_ reference: TelegramChatReference) throws -> Chat {
        switch reference {
        case .username(let name):
            guard let id = usernames[name.lowercased()], let chat = chats[id] else { throw TelegramAPIError.chatNotFound }
            return chat
        case .id(let id):
            if let supergroup = migrations[id] { throw TelegramAPIError.migrated(to: supergroup) }
            if let chat = chats[id] { return chat }
            guard id != 0, configuration.openChats else { throw TelegramAPIError.chatNotFound }
            if id == configuration.botID {
                throw TelegramAPIError.forbidden("bot can't send messages to bots")
            }
            let chat: Chat
            if id > 0 {
                chat = Chat(id: id, type: .private, firstName: "User \(id)")
            } else if id <= -1_000_000_000_000 {
                chat = Chat(id: id, type: .supergroup, title: "Supergroup \(id)")
            } else {
                chat = Chat(id: id, type: .group, title: "Group \(id)")
            }
            return upsert(chat)
        }
    }

    /// The emulator's time, Unix seconds.
    func now() -> Int64 {
        EmulatorHTTP.nowSeconds() + clockOffset
    }

    /// Moves the emulator's clock forward.
    func advanceClock(by seconds: Int64) {
        clockOffset += max(seconds, 0)
    }

    /// Upgrades a group to a supergroup, as Telegram does when a group grows or an admin turns on a
    /// supergroup feature: the group's id answers `migrate_to_chat_id` from then on.
    @discardableResult
    func migrate(group: Int64, to supergroup: Int64) throws -> Chat {
        guard group < 0, group > -1_000_000_000_000, supergroup <= -1_000_000_000_000 else {
            throw EmulatorError.invalidInjection("a group id (negative, above -10^12) migrates to a supergroup id (-100…)")
        }
        let old = chats[group] ?? Chat(id: group, type: .group)
        migrations[group] = supergroup
        let new = upsert(Chat(id: supergroup, type: .supergroup, title: old.title ?? "Supergroup \(supergroup)"))
        // Both chats say so, as service messages from the person who upgraded (here Telegram's
        // service account): the group's last names the new id, the supergroup's first the old.
        let upgrader = TelegramEmulator.User(id: 777_000, firstName: "Telegram")
        for (chat, field, other) in [(old, "migrate_to_chat_id", supergroup), (new, "migrate_from_chat_id", group)] {
            var message = TelegramStoredMessage(
                id: nextMessageID(in: chat.id),
                chatID: chat.id,
                threadID: nil,
                sender: .user(upgrader),
                sentByBot: false,
                date: now(),
                editDate: nil,
                text: TelegramText(text: "", entities: []),
                replyToID: nil
            )
            message.native = TelegramNative(field: field, value: .int(other))
            store(message)
            _ = enqueue(message, as: "message")
        }
        chats[group] = nil
        return new
    }

    /// Checks that `threadID` can be used in `chat`: a topic that exists in a forum supergroup
    /// (declared, created with createForumTopic, or seen in an injected message), or, with
    /// `openChats`, any positive id in a supergroup nobody declared a non-forum (which becomes a
    /// forum on first use).
    func useThread(_ threadID: Int64, in chat: Chat) throws {
        guard threadID > 0, chat.type == .supergroup, chat.isForum != false else {
            throw TelegramAPIError.badRequest("message thread not found")
        }
        guard configuration.openChats || (chats[chat.id]?.topics ?? []).contains(threadID) else {
            throw TelegramAPIError.badRequest("message thread not found")
        }
        if chat.isForum == nil {
            var forum = chat
            forum.isForum = true
            chats[chat.id] = forum
        }
    }

    // MARK: Messages

    func nextMessageID(in chatID: Int64) -> Int64 {
        let id = (lastMessageID[chatID] ?? 0) + 1
        lastMessageID[chatID] = id
        return id
    }

    func store(_ message: TelegramStoredMessage) {
        messages[message.chatID, default: [:]][message.id] = message
    }

    func message(_ id: Int64, in chatID: Int64) -> TelegramStoredMessage? {
        messages[chatID]?[id]
    }

    func removeMessage(_ id: Int64, in chatID: Int64) {
        messages[chatID]?[id] = nil
    }

    func record(_ record: TelegramEmulator.SentRecord) {
        sentRecords.append(record)
    }

    /// Applies the flood limits when enabled; throws the 429 (and counts it) when over.
    func admitOutgoing(to chat: Chat) throws {
        // A person who blocked the bot cannot be written to (Telegram answers 403).
        if blockedBy.contains(chat.id) { throw TelegramAPIError.forbidden("bot was blocked by the user") }
        guard configuration.rateLimits else { return }
        let isGroup = chat.type != .private
        if let retryAfter = flood.admit(chatID: chat.id, isGroup: isGroup, at: .now) {
            rateLimitedCount += 1
            logger.debug("flood limit", metadata: ["emulator.chat": "\(chat.id)", "emulator.retry_after": "\(retryAfter)"])
            throw TelegramAPIError.tooManyRequests(retryAfter: retryAfter)
        }
    }

    // MARK: JSON

    var botUser: TelegramEmulator.User {
        TelegramEmulator.User(
            id: configuration.botID,
            firstName: configuration.botFirstName,
            username: configuration.botUsername,
            isBot: true
        )
    }

    /// The `getMe` result.
    func botJSON() -> JSONValue {
        guard case .object(var members) = Self.userJSON(botUser) else { return .null }
        members["can_join_groups"] = .bool(true)
        members["can_read_all_group_messages"] = .bool(false)
        members["supports_inline_queries"] = .bool(false)
        members["can_connect_to_business"] = .bool(false)
        members["has_main_web_app"] = .bool(false)
        return .object(members)
    }

    static func userJSON(_ user: TelegramEmulator.User) -> JSONValue {
        .object([
            ("id", .int(user.id)),
            ("is_bot", .bool(user.isBot ?? false)),
            ("first_name", .string(user.firstName)),
            ("last_name", user.lastName.map(JSONValue.string)),
            ("username", user.username.map(JSONValue.string)),
        ])
    }

    /// getChat: the chat's fields, with those ChatFullInfo always has (an accent colour, the
    /// most reactions a message may get, the gifts it accepts).
    func chatFullInfo(_ reference: TelegramChatReference) throws -> JSONValue {
        let chat = try resolve(reference)
        guard case .object(var members) = Self.chatJSON(chat) else { return Self.chatJSON(chat) }
        members["accent_color_id"] = .int(Int64(chat.id.magnitude % 7))
        members["max_reaction_count"] = .int(11)
        members["accepted_gift_types"] = .object([
            ("unlimited_gifts", .bool(false)), ("limited_gifts", .bool(false)), ("unique_gifts", .bool(false)),
            ("premium_subscription", .bool(false)), ("gifts_from_channels", .bool(false)),
        ])
        return .object(members)
    }

    static func chatJSON(_ chat: Chat) -> JSONValue {
        .object([
            ("id", .int(chat.id)),
            ("type", .string(chat.type.rawValue)),
            ("title", chat.type == .private ? nil : .string(chat.title ?? "Chat \(chat.id)")),
            ("username", chat.username.map(JSONValue.string)),
            ("first_name", chat.type == .private ? .string(chat.firstName ?? "User \(chat.id)") : nil),
            ("is_forum", chat.type == .supergroup && chat.isForum == true ? .bool(true) : nil),
        ])
    }

    static func entityJSON(_ entity: TelegramEmulator.MessageEntity) -> JSONValue {
        .object([
            ("type", .string(entity.type)),
            ("offset", .int(Int64(entity.offset))),
            ("length", .int(Int64(entity.length))),
            ("url", entity.url.map(JSONValue.string)),
            ("user", entity.user.map(userJSON)),
            ("language", entity.language.map(JSONValue.string)),
            ("custom_emoji_id", entity.customEmojiID.map(JSONValue.string)),
            ("unix_time", entity.unixTime.map(JSONValue.int)),
            ("date_time_format", entity.dateTimeFormat.map(JSONValue.string)),
        ])
    }

    /// A Bot API `Message`. Replies carry `reply_to_message`; a message in a forum topic that is
    /// not a reply carries the topic's creation message there, as Telegram does.
    func messageJSON(_ message: TelegramStoredMessage, nested: Bool = false) -> JSONValue {
        let chat = chats[message.chatID] ?? Chat(id: message.chatID, type: .group)
        var members: [(String, JSONValue?)] = [
            ("message_id", .int(message.id)),
            ("date", .int(message.date)),
            ("chat", Self.chatJSON(chat)),
        ]
        let entities: JSONValue? = message.text.entities.isEmpty ? nil : .array(message.text.entities.map(Self.entityJSON))
        if let native = message.native {
            members.append((native.field, native.value))
        } else if let media = message.media, let file = files[media.fileID] {
            // A message with a file has a caption (possibly none), not a text.
            members += [
                ("caption", message.text.text.isEmpty ? nil : .string(message.text.text)),
                ("caption_entities", entities),
                (media.kind.rawValue, fileJSON(file, as: media.kind)),
                ("media_group_id", message.mediaGroupID.map(JSONValue.string)),
            ]
            // A message sent as an animation also carries it as a document, for old clients.
            if media.kind == .animation { members.append(("document", fileJSON(file, as: .document))) }
        } else {
            members += [("text", .string(message.text.text)), ("entities", entities)]
        }
        members += [
            ("business_connection_id", message.businessConnectionID.map(JSONValue.string)),
            ("edit_date", message.editDate.map(JSONValue.int)),
            ("message_thread_id", message.threadID.map(JSONValue.int)),
            ("is_topic_message", message.threadID == nil ? nil : .bool(true)),
        ]
        switch message.sender {
        case .bot: members.append(("from", Self.userJSON(botUser)))
        case .user(let user): members.append(("from", Self.userJSON(user)))
        case .chat: members.append(("sender_chat", Self.chatJSON(chat)))
        }
        if !nested {
            if let replyID = message.replyToID, let original = messages[message.chatID]?[replyID] {
                members.append(("reply_to_message", messageJSON(original, nested: true)))
            } else if let threadID = message.threadID {
                members.append(("reply_to_message", topicRootJSON(threadID, chat: chat, date: message.date)))
            }
        }
        return .object(members)
    }

    private func topicRootJSON(_ threadID: Int64, chat: Chat, date: Int64) -> JSONValue {
        .object([
            ("message_id", .int(threadID)),
            ("date", .int(date)),
            ("chat", Self.chatJSON(chat)),
            ("from", Self.userJSON(botUser)),
            ("message_thread_id", .int(threadID)),
            ("is_topic_message", .bool(true)),
            ("forum_topic_created", .object([("name", .string("Topic \(threadID)")), ("icon_color", .int(7_322_096))])),
        ])
    }
}
