import Foundation

extension TelegramEmulator {
    /// The kind of a Telegram chat.
    public enum ChatType: String, Codable, Sendable, CaseIterable {
        case `private`
        case group
        case supergroup
        case channel
    }

    /// A chat as the emulator knows it (the Bot API `Chat`, reduced to what the emulator uses).
    /// JSON: `{"id":-1001,"type":"supergroup","title":"…","username":"…","first_name":"…","is_forum":true}`.
    public struct Chat: Codable, Sendable, Equatable {
        /// The chat id: positive for users, negative for groups, -100… for supergroups and channels.
        public var id: Int64
        /// The chat's kind.
        public var type: ChatType
        /// For groups, supergroups and channels.
        public var title: String?
        /// Without the leading "@"; lets "@username" chat ids resolve to this chat.
        public var username: String?
        /// For private chats.
        public var firstName: String?
        /// For supergroups with topics. A supergroup also becomes a forum when a topic is used in it.
        public var isForum: Bool?
        /// The forum topics that exist in it (their `message_thread_id`s): a message may name
        /// only those, as on Telegram. Also learned from createForumTopic and injected messages.
        public var topics: [Int64]?

        /// A chat.
        public init(
            id: Int64,
            type: ChatType,
            title: String? = nil,
            username: String? = nil,
            firstName: String? = nil,
            isForum: Bool? = nil,
            topics: [Int64]? = nil
        ) {
            self.id = id
            self.type = type
            self.title = title
            self.username = username
            self.firstName = firstName
            self.isForum = isForum
            self.topics = topics
        }

        enum CodingKeys: String, CodingKey {
            case id, type, title, username, topics
            case firstName = "first_name"
            case isForum = "is_forum"
        }
    }

    /// A user (the Bot API `User`, reduced). JSON: `{"id":42,"first_name":"Li","is_bot":false}`.
    public struct User: Codable, Sendable, Equatable {
        /// The user id.
        public var id: Int64
        /// The user's first name.
        public var firstName: String
        /// The user's last name.
        public var lastName: String?
        /// The username, without "@".
        public var username: String?
        /// Whether the user is a bot (false when nil).
        public var isBot: Bool?

        /// A user.
        public init(id: Int64, firstName: String, lastName: String? = nil, username: String? = nil, isBot: Bool? = nil) {
            self.id = id
            self.firstName = firstName
            self.lastName = lastName
            self.username = username
            self.isBot = isBot
        }

        enum CodingKeys: String, CodingKey {
            case id, username
            case firstName = "first_name"
            case lastName = "last_name"
            case isBot = "is_bot"
        }
    }

    /// A Bot API `MessageEntity`; offsets and lengths are in UTF-16 code units.
    public struct MessageEntity: Codable, Sendable, Equatable {
        /// "bold", "text_link", … (see the Bot API's MessageEntity).
        public var type: String
        /// Start, in UTF-16 code units.
        public var offset: Int
        /// Length, in UTF-16 code units.
        public var length: Int
        /// For "text_link".
        public var url: String?
        /// For "text_mention".
        public var user: User?
        /// For "pre".
        public var language: String?
        /// For "custom_emoji".
        public var customEmojiID: String?
        /// For "date_time".
        public var unixTime: Int64?
        /// For "date_time".
        public var dateTimeFormat: String?

        /// An entity.
        public init(
            type: String,
            offset: Int,
            length: Int,
            url: String? = nil,
            user: User? = nil,
            language: String? = nil,
            customEmojiID: String? = nil,
            unixTime: Int64? = nil,
            dateTimeFormat: String? = nil
        ) {
            self.type = type
            self.offset = offset
            self.length = length
            self.url = url
            self.user = user
            self.language = language
            self.customEmojiID = customEmojiID
            self.unixTime = unixTime
            self.dateTimeFormat = dateTimeFormat
        }

        enum CodingKeys: String, CodingKey {
            case type, offset, length, url, user, language
            case customEmojiID = "custom_emoji_id"
            case unixTime = "unix_time"
            case dateTimeFormat = "date_time_format"
        }
    }

    /// What a user or channel posts, for `POST /_emulator/updates` and ``TelegramEmulator/inject(_:)``.
    ///
    /// JSON: `{"kind":"message","chat":{"id":-1001,"type":"supergroup","title":"…"},"from":{"id":42,"first_name":"Li"},
    /// "text":"…","message_id":N,"message_thread_id":N}` — `message_id` only for edits.
    public struct InjectedUpdate: Codable, Sendable, Equatable {
        /// The Update field the message arrives in.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case message
            case editedMessage = "edited_message"
            case channelPost = "channel_post"
            case editedChannelPost = "edited_channel_post"
            /// A customer's message to a business account connected to the bot (needs `business_connection_id`).
            case businessMessage = "business_message"
            case editedBusinessMessage = "edited_business_message"

            var isEdit: Bool { self == .editedMessage || self == .editedChannelPost || self == .editedBusinessMessage }
            var isBusiness: Bool { self == .businessMessage || self == .editedBusinessMessage }
            var isChannel: Bool { self == .channelPost || self == .editedChannelPost }
        }

        /// Which Update field the message arrives in.
        public var kind: Kind
        /// The chat; it becomes known to the emulator ("@username" included).
        public var chat: Chat
        /// The sender; required except in channels (which have `sender_chat`) and private chats
        /// (where the sender defaults to the chat's user).
        public var from: User?
        /// The message text.
        public var text: String
        /// The message to edit; only for the edited kinds.
        public var messageID: Int64?
        /// The forum topic the message is posted in.
        public var messageThreadID: Int64?
        /// Formatting of `text`, validated like the Bot API validates a bot's entities.
        public var entities: [MessageEntity]?
        /// A message of the same chat this one replies to.
        public var replyToMessageID: Int64?
        /// A document attached (then `text` is its caption, and may be empty).
        public var document: InjectedFile?
        /// A photo attached (then `text` is its caption, and may be empty).
        public var photo: InjectedFile?
        /// Another kind of file: `animation`, `video`, `video_note`, `voice`, `audio` or
        /// `sticker` (then `text` is its caption, and may be empty).
        public var media: [String: InjectedFile]?
        /// The album the message is part of: messages injected one after another with the same
        /// id arrive as Telegram sends an album.
        public var mediaGroupID: String?
        /// For a business message: the connection it came through (`POST /_emulator/business`).
        public var businessConnectionID: String?
        /// Content that is no file, as the Bot API's Message shows it: one of `location`,
        /// `venue`, `contact`, `poll`, `dice`, `story`, `checklist`, `game`, `invoice`,
        /// `giveaway`, `paid_media` (then `text` may be empty).
        public var content: [String: JSONValue]?

        /// An update.
        public init(
            kind: Kind = .message,
            chat: Chat,
            from: User? = nil,
            text: String,
            messageID: Int64? = nil,
            messageThreadID: Int64? = nil,
            entities: [MessageEntity]? = nil,
            replyToMessageID: Int64? = nil,
            document: InjectedFile? = nil,
            photo: InjectedFile? = nil,
            media: [String: InjectedFile]? = nil,
            mediaGroupID: String? = nil,
            content: [String: JSONValue]? = nil,
            businessConnectionID: String? = nil
        ) {
            self.businessConnectionID = businessConnectionID
            self.document = document
            self.photo = photo
            self.media = media
            self.mediaGroupID = mediaGroupID
            self.content = content
            self.kind = kind
            self.chat = chat
            self.from = from
            self.text = text
            self.messageID = messageID
            self.messageThreadID = messageThreadID
            self.entities = entities
            self.replyToMessageID = replyToMessageID
        }

        enum CodingKeys: String, CodingKey {
            case kind, chat, from, text, entities, document, photo, media, content
            case mediaGroupID = "media_group_id"
            case businessConnectionID = "business_connection_id"
            case messageID = "message_id"
            case messageThreadID = "message_thread_id"
            case replyToMessageID = "reply_to_message_id"
        }
    }

    /// One thing the bot did, as `GET /_emulator/sent` lists it:
    /// `{"method":"sendMessage","chat_id":-1001,"message_id":5,"message_thread_id":42,"text":"…","entities":[…]}`.
    public struct SentRecord: Codable, Sendable, Equatable {
        /// "sendMessage", "editMessageText" or "deleteMessage".
        public var method: String
        /// The chat's integer id (also for chats addressed by "@username").
        public var chatID: Int64
        /// The message sent, edited or deleted.
        public var messageID: Int64?
        /// The forum topic, if any.
        public var messageThreadID: Int64?
        /// The text after entity parsing (what the chat shows); absent for deletions.
        public var text: String?
        /// The entities after parsing (from `entities` or `parse_mode`).
        public var entities: [MessageEntity]?
        /// For sendPhoto / sendDocument: the file's name and size in bytes (`text` is the caption).
        public var fileName: String?
        public var fileSize: Int?
        /// The message this one answers (`reply_parameters`), when it is in the same chat.
        public var replyToMessageID: Int64?
        /// For sendLocation, sendVenue, sendContact, sendPoll, sendDice: the content as the
        /// Message shows it (`{"latitude":…,"longitude":…}`, the poll, …).
        public var content: JSONValue?
        /// For sendMediaGroup: the album the message is part of.
        public var mediaGroupID: String?
        /// Sent on behalf of a connected business account (`business_connection_id`).
        public var businessConnectionID: String?

        /// A record.
        public init(
            method: String,
            chatID: Int64,
            messageID: Int64? = nil,
            messageThreadID: Int64? = nil,
            text: String? = nil,
            entities: [MessageEntity]? = nil
        ) {
            self.method = method
            self.chatID = chatID
            self.messageID = messageID
            self.messageThreadID = messageThreadID
            self.text = text
            self.entities = entities
        }

        enum CodingKeys: String, CodingKey {
            case method, text, entities
            case chatID = "chat_id"
            case messageID = "message_id"
            case messageThreadID = "message_thread_id"
            case fileName = "file_name"
            case fileSize = "file_size"
            case replyToMessageID = "reply_to_message_id"
            case content
            case mediaGroupID = "media_group_id"
            case businessConnectionID = "business_connection_id"
        }
    }

    /// Counters, as `GET /_emulator/stats` returns them: `{"requests":N,"rate_limited":N}`.
    public struct Stats: Codable, Sendable, Equatable {
        /// Bot API requests received (control API requests are not counted).
        public var requests: Int
        /// 429 answers given.
        public var rateLimited: Int
        /// Webhook pushes the receiver did not take (non-2xx, or no answer).
        public var webhookFailures: Int
        /// Requests refused on purpose (``TelegramFaults``); not counted in `rateLimited`.
        public var injectedFaults: Int

        /// Counters.
        public init(requests: Int = 0, rateLimited: Int = 0, webhookFailures: Int = 0, injectedFaults: Int = 0) {
            self.requests = requests
            self.rateLimited = rateLimited
            self.webhookFailures = webhookFailures
            self.injectedFaults = injectedFaults
        }

        enum CodingKeys: String, CodingKey {
            case requests
            case rateLimited = "rate_limited"
            case webhookFailures = "webhook_failures"
            case injectedFaults = "injected_faults"
        }
    }

    /// The answer of `POST /_emulator/updates`: `{"update_id":N,"message_id":M}`.
    struct InjectionAnswer: Codable, Sendable {
        var updateID: Int64
        var messageID: Int64

        enum CodingKeys: String, CodingKey {
            case updateID = "update_id"
            case messageID = "message_id"
        }
    }

    /// File sizes, in bytes (the Bot API's documented limits by default).
    public struct FileLimits: Sendable, Equatable {
        /// Largest photo a bot may upload (sendPhoto).
        public var photoUpload: Int
        /// Largest other file a bot may upload (the request itself; 413 above it).
        public var upload: Int
        /// Largest file getFile lets a bot download.
        public var download: Int

        public init(photoUpload: Int = 10 << 20, upload: Int = 50 << 20, download: Int = 20 << 20) {
            self.photoUpload = photoUpload
            self.upload = upload
            self.download = download
        }
    }

    /// A file a user attaches to an injected message: `{"file_name":"…","mime_type":"…","content":"<base64>"}`.
    public struct InjectedFile: Codable, Sendable, Equatable {
        public var fileName: String?
        public var mimeType: String?
        /// The bytes, base64.
        public var content: String
        /// Seconds, for audio and video.
        public var duration: Int?
        /// A sticker's emoji.
        public var emoji: String?

        public init(fileName: String? = nil, mimeType: String? = nil, content: Data, duration: Int? = nil, emoji: String? = nil) {
            self.fileName = fileName
            self.mimeType = mimeType
            self.content = content.base64EncodedString()
            self.duration = duration
            self.emoji = emoji
        }

        enum CodingKeys: String, CodingKey {
            case fileName = "file_name"
            case mimeType = "mime_type"
            case content, duration, emoji
        }
    }
}
