// Parameters of the Bot API methods the adapter calls, encoded as the JSON the API documents.

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

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
        case text, entities
        case replyParameters = "reply_parameters"
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
