// The Bot API's JSON, as documented in the Bot API reference (only the fields the adapter reads).

/// `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`.
struct BotAPIResponse<Result: Decodable>: Decodable {
    var ok: Bool
    var result: Result?
    var errorCode: Int?
    var description: String?
    var parameters: ResponseParameters?

    enum CodingKeys: String, CodingKey {
        case ok, result, description, parameters
        case errorCode = "error_code"
    }
}

struct ResponseParameters: Decodable {
    var retryAfter: Int?
    var migrateToChatID: Int64?

    enum CodingKeys: String, CodingKey {
        case retryAfter = "retry_after"
        case migrateToChatID = "migrate_to_chat_id"
    }
}

struct Update: Decodable {
    var updateID: Int64
    var message: Message?
    var editedMessage: Message?
    var channelPost: Message?
    var editedChannelPost: Message?
    /// A customer's message to a Telegram Business account connected to the bot, and its edit.
    var businessMessage: Message?
    var editedBusinessMessage: Message?

    enum CodingKeys: String, CodingKey {
        case updateID = "update_id"
        case message
        case editedMessage = "edited_message"
        case channelPost = "channel_post"
        case editedChannelPost = "edited_channel_post"
        case businessMessage = "business_message"
        case editedBusinessMessage = "edited_business_message"
    }
}

/// `Message`. `reply_to_message` is a full Message in the API; only its id is read here, which also
/// keeps the recursive type finite.
struct Message: Decodable {
    var messageID: Int64
    var messageThreadID: Int64?
    var isTopicMessage: Bool?
    var from: User?
    var senderChat: Chat?
    var authorSignature: String?
    var date: Int64
    var editDate: Int64?
    var chat: Chat
    var text: String?
    var caption: String?
    var entities: [MessageEntity]?
    var captionEntities: [MessageEntity]?
    var replyToMessage: MessageReference?
    /// The album the message belongs to (photos or videos sent together).
    var mediaGroupID: String?
    /// The Telegram Business connection a business account's chat came through.
    var businessConnectionID: String?
    var document: Document?
    var photo: [PhotoSize]?
    /// Video, Audio, Voice and Animation carry the fields of a Document that matter here (file_id,
    /// file_name, mime_type, file_size); they cross as files.
    var video: Document?
    var audio: Document?
    var voice: Document?
    var animation: Document?
    /// A round video message: a file like a video's (`length` instead of a name).
    var videoNote: Document?
    /// The kinds that are no file to carry across (and stickers): each crosses as the labelled
    /// text of `Message+Content.swift`, which the checks read, and in its native form where the
    /// destination has it.
    var sticker: Sticker?
    var poll: Poll?
    var location: Location?
    var venue: Venue?
    var contact: Contact?
    var dice: Dice?
    var story: Present?
    var game: Titled?
    var invoice: Titled?
    var checklist: Checklist?
    var paidMedia: Present?
    var livePhoto: Present?
    var giveaway: Present?
    /// Service messages: recorded as ignored (by what they are), never sent on.
    var newChatMembers: Present?
    var leftChatMember: Present?
    var newChatTitle: String?
    var newChatPhoto: Present?
    var deleteChatPhoto: Bool?
    var groupChatCreated: Bool?
    var supergroupChatCreated: Bool?
    var channelChatCreated: Bool?
    var pinnedMessage: Present?
    var messageAutoDeleteTimerChanged: Present?
    var forumTopicCreated: Present?
    var forumTopicEdited: Present?
    var forumTopicClosed: Present?
    var forumTopicReopened: Present?
    var videoChatStarted: Present?
    var videoChatEnded: Present?
    /// A group upgraded to a supergroup: the old group's last message names the new id, the new
    /// supergroup's first message the old one.
    var migrateToChatID: Int64?
    var migrateFromChatID: Int64?

    /// The service message's kind, when it is one Gatehouse knows by name.
    var service: String? {
        let known: [(String, Bool)] = [
            ("new_chat_members", newChatMembers != nil), ("left_chat_member", leftChatMember != nil), ("new_chat_title", newChatTitle != nil),
            ("new_chat_photo", newChatPhoto != nil), ("delete_chat_photo", deleteChatPhoto != nil), ("group_chat_created", groupChatCreated != nil),
            ("supergroup_chat_created", supergroupChatCreated != nil), ("channel_chat_created", channelChatCreated != nil),
            ("pinned_message", pinnedMessage != nil), ("message_auto_delete_timer_changed", messageAutoDeleteTimerChanged != nil),
            ("forum_topic_created", forumTopicCreated != nil), ("forum_topic_edited", forumTopicEdited != nil),
            ("forum_topic_closed", forumTopicClosed != nil), ("forum_topic_reopened", forumTopicReopened != nil),
            ("video_chat_started", videoChatStarted != nil), ("video_chat_ended", videoChatEnded != nil),
            ("migrate_to_chat_id", migrateToChatID != nil), ("migrate_from_chat_id", migrateFromChatID != nil),
        ]
        return known.first { $0.1 }?.0
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case messageThreadID = "message_thread_id"
        case isTopicMessage = "is_topic_message"
        case from
        case senderChat = "sender_chat"
        case authorSignature = "author_signature"
        case date
        case editDate = "edit_date"
        case chat, text, caption, entities
        case captionEntities = "caption_entities"
        case replyToMessage = "reply_to_message"
        case mediaGroupID = "media_group_id"
        case businessConnectionID = "business_connection_id"
        case document, photo, video, audio, voice, animation
        case videoNote = "video_note"
        case sticker, poll, location, venue, contact, dice, story, game, invoice, checklist, giveaway
        case paidMedia = "paid_media"
        case livePhoto = "live_photo"
        case newChatMembers = "new_chat_members"
        case leftChatMember = "left_chat_member"
        case newChatTitle = "new_chat_title"
        case newChatPhoto = "new_chat_photo"
        case deleteChatPhoto = "delete_chat_photo"
        case groupChatCreated = "group_chat_created"
        case supergroupChatCreated = "supergroup_chat_created"
        case channelChatCreated = "channel_chat_created"
        case pinnedMessage = "pinned_message"
        case messageAutoDeleteTimerChanged = "message_auto_delete_timer_changed"
        case forumTopicCreated = "forum_topic_created"
        case forumTopicEdited = "forum_topic_edited"
        case forumTopicClosed = "forum_topic_closed"
        case forumTopicReopened = "forum_topic_reopened"
        case videoChatStarted = "video_chat_started"
        case videoChatEnded = "video_chat_ended"
        case migrateToChatID = "migrate_to_chat_id"
        case migrateFromChatID = "migrate_from_chat_id"
    }
}

/// A sticker: what is shown of it is its emoji.
struct Sticker: Decodable {
    var emoji: String?
    var fileID: String
    var fileSize: Int?
    var isAnimated: Bool?
    var isVideo: Bool?

    enum CodingKeys: String, CodingKey {
        case emoji
        case fileID = "file_id"
        case fileSize = "file_size"
        case isAnimated = "is_animated"
        case isVideo = "is_video"
    }

    /// The file's format: WebP, TGS (animated) or WebM (video), as sendSticker takes them.
    var file: (name: String, mimeType: String) {
        if isAnimated == true { return ("sticker.tgs", "application/x-tgsticker") }
        if isVideo == true { return ("sticker.webm", "video/webm") }
        return ("sticker.webp", "image/webp")
    }
}

/// A native poll: its question and options are text the checks read.
struct Poll: Decodable {
    var question: String
    var options: [Option]
    var isAnonymous: Bool?
    var allowsMultipleAnswers: Bool?

    enum CodingKeys: String, CodingKey {
        case question, options
        case isAnonymous = "is_anonymous"
        case allowsMultipleAnswers = "allows_multiple_answers"
    }

    struct Option: Decodable {
        var text: String
    }
}

struct Location: Decodable {
    var latitude: Double
    var longitude: Double
}

struct Venue: Decodable {
    var location: Location
    var title: String
    var address: String
}

struct Contact: Decodable {
    var phoneNumber: String
    var firstName: String
    var lastName: String?

    enum CodingKeys: String, CodingKey {
        case phoneNumber = "phone_number"
        case firstName = "first_name"
        case lastName = "last_name"
    }
}

struct Dice: Decodable {
    var emoji: String
    var value: Int
}

/// A checklist: its title and its tasks are text the checks read.
struct Checklist: Decodable {
    var title: String
    var tasks: [Task]?

    struct Task: Decodable {
        var text: String
    }
}

/// A game or an invoice: shown by its title.
struct Titled: Decodable {
    var title: String
}

/// A kind whose fields do not cross: only that it is there.
/// Something present, whatever its shape (an object, an array): only that it is there is read.
struct Present: Decodable {
    init(from decoder: any Decoder) throws {}
}

struct MessageReference: Decodable {
    var messageID: Int64

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
    }
}

struct User: Decodable {
    var id: Int64
    var isBot: Bool?
    var firstName: String
    var lastName: String?
    var username: String?
    /// The IETF language tag of the user's client, when Telegram gives it.
    var languageCode: String?

    enum CodingKeys: String, CodingKey {
        case id
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
        case username
        case languageCode = "language_code"
    }
}

struct Chat: Decodable {
    var id: Int64
    var type: String
    var title: String?
    var username: String?
}

struct Document: Decodable {
    var fileID: String
    var fileName: String?
    var mimeType: String?
    var fileSize: Int?
    /// Seconds, for audio, voice and video.
    var duration: Int?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case fileName = "file_name"
        case mimeType = "mime_type"
        case fileSize = "file_size"
        case duration
    }
}

struct PhotoSize: Decodable {
    var fileID: String
    var width: Int
    var height: Int
    var fileSize: Int?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case width, height
        case fileSize = "file_size"
    }
}

/// `MessageEntity`: offsets and lengths in UTF-16 code units.
struct MessageEntity: Codable, Sendable, Hashable {
    var type: String
    var offset: Int
    var length: Int
    var url: String?
    var language: String?
}

/// `File`, as getFile answers: `file_path` is what the download URL needs.
struct File: Decodable {
    var fileID: String
    var fileSize: Int?
    var filePath: String?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case fileSize = "file_size"
        case filePath = "file_path"
    }
}
