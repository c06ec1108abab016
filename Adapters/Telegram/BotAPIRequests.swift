// Parameters of the Bot API methods the adapter calls, encoded as the JSON the API documents.

import GatehouseCore

/// `chat_id`: Integer or String (`@channelusername`).
enum ChatID: Encodable, Sendable {
    case id(Int64)
    case username(String)

    init(_ text: String) {
        self = Int64(text).map(ChatID.id) ?? .username(text)
    }

    /// The chat as text, for pacing and logs.
    var key: String {
        switch self {
        case .id(let id): String(id)
        case .username(let name): name
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .id(let id): try container.encode(id)
        case .username(let name): try container.encode(name)
        }
    }
}

struct GetUpdates: Encodable, Sendable {
    var offset: Int64?
    var limit: Int
    var timeout: Int
    var allowedUpdates: [String]

    enum CodingKeys: String, CodingKey {
        case offset, limit, timeout
        case allowedUpdates = "allowed_updates"
    }
}

struct SetWebhook: Encodable, Sendable {
    var url: String
    var secretToken: String
    var allowedUpdates: [String]

    enum CodingKeys: String, CodingKey {
        case url
        case secretToken = "secret_token"
        case allowedUpdates = "allowed_updates"
    }
}

struct SendMessage: Encodable, Sendable {
    var chatID: ChatID
    var messageThreadID: Int64?
    var text: String
    var entities: [MessageEntity]?
    var replyParameters: ReplyParameters?
    /// Sent on behalf of a business account connected to the bot.
    var businessConnectionID: String?

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
        case text, entities
        case replyParameters = "reply_parameters"
        case businessConnectionID = "business_connection_id"
    }
}

/// `ReplyParameters`: a reply whose original is gone is still sent, as a plain message.
struct ReplyParameters: Encodable, Sendable {
    var messageID: Int64
    var allowSendingWithoutReply = true

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case allowSendingWithoutReply = "allow_sending_without_reply"
    }
}

struct EditMessageText: Encodable, Sendable {
    var chatID: ChatID
    var messageID: Int64
    var text: String
    var entities: [MessageEntity]?

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
        case text, entities
    }
}

struct EditMessageCaption: Encodable, Sendable {
    var chatID: ChatID
    var messageID: Int64
    var caption: String
    var captionEntities: [MessageEntity]?

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
        case caption
        case captionEntities = "caption_entities"
    }
}

struct GetFile: Encodable, Sendable {
    var fileID: String

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
    }
}

struct GetChat: Encodable, Sendable {
    var chatID: ChatID

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
    }
}

struct DeleteMessage: Encodable, Sendable {
    var chatID: ChatID
    var messageID: Int64

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
    }
}

/// sendLocation, sendVenue, sendContact, sendPoll or sendDice: content sent again in its native
/// form, one request type for all of them (the shape says which fields).
struct SendNative: Encodable, Sendable {
    var chatID: ChatID
    var messageThreadID: Int64?
    var shape: NativeContent.Shape
    var replyParameters: ReplyParameters?

    /// The method that sends the shape; nil for a sticker (an upload, with its file).
    static func method(for shape: NativeContent.Shape) -> String? {
        switch shape {
        case .location: "sendLocation"
        case .venue: "sendVenue"
        case .contact: "sendContact"
        case .poll: "sendPoll"
        case .dice: "sendDice"
        case .sticker, .labelled: nil
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `InputPollOption`: an option's text.
    private struct PollOption: Encodable {
        var text: String
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(chatID, forKey: Key("chat_id"))
        try container.encodeIfPresent(messageThreadID, forKey: Key("message_thread_id"))
        try container.encodeIfPresent(replyParameters, forKey: Key("reply_parameters"))
        switch shape {
        case .location(let latitude, let longitude):
            try container.encode(latitude, forKey: Key("latitude"))
            try container.encode(longitude, forKey: Key("longitude"))
        case .venue(let latitude, let longitude, let title, let address):
            try container.encode(latitude, forKey: Key("latitude"))
            try container.encode(longitude, forKey: Key("longitude"))
            try container.encode(title, forKey: Key("title"))
            try container.encode(address, forKey: Key("address"))
        case .contact(let phoneNumber, let firstName, let lastName):
            try container.encode(phoneNumber, forKey: Key("phone_number"))
            try container.encode(firstName, forKey: Key("first_name"))
            try container.encodeIfPresent(lastName, forKey: Key("last_name"))
        case .poll(let question, let options, let anonymous, let multipleAnswers):
            try container.encode(question, forKey: Key("question"))
            try container.encode(options.map(PollOption.init), forKey: Key("options"))
            try container.encode(anonymous, forKey: Key("is_anonymous"))
            try container.encode(multipleAnswers, forKey: Key("allows_multiple_answers"))
        case .dice(let emoji):
            try container.encode(emoji, forKey: Key("emoji"))
        case .sticker, .labelled:
            break
        }
    }
}

/// `InputMedia` of one file of an album, its bytes in the request's field `attach://<field>`.
struct InputMedia: Encodable, Sendable {
    var type: String
    var media: String
    var caption: String?
    var captionEntities: [MessageEntity]?

    enum CodingKeys: String, CodingKey {
        case type, media, caption
        case captionEntities = "caption_entities"
    }
}
