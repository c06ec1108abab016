import Foundation

/// copyMessage, forwardMessage, sendChatAction and createForumTopic, as the Bot API documents them.
extension TelegramBotState {
    /// The actions sendChatAction takes.
    static let chatActions: Set<String> = [
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document", "choose_sticker",
        "find_location", "record_video_note", "upload_video_note",
    ]

    /// The icon colours createForumTopic takes (the Bot API lists these six).
    static let topicColors: Set<Int64> = [0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F]

    /// A copy of a message the server knows, sent anew to `reference` (a caption replaces the
    /// original's when given); the copy has no link to the original.
    func copyMessage(
        _ messageID: Int64,
        from source: TelegramChatReference,
        to reference: TelegramChatReference,
        threadID: Int64?,
        caption: TelegramText?,
        forwarded: Bool
    ) throws -> (message: TelegramStoredMessage, origin: TelegramStoredMessage, source: Chat) {
        let from = try resolve(source)
        guard let original = message(messageID, in: from.id) else {
            throw TelegramAPIError.badRequest(forwarded ? "message to forward not found" : "message to copy not found")
        }
        let chat = try resolve(reference)
        if let threadID { try useThread(threadID, in: chat) }
        try admitOutgoing(to: chat)
        let copy = botMessage(in: chat, threadID: threadID, text: caption ?? original.text, replyToID: nil, media: original.media)
        store(copy)
        record(
            TelegramEmulator.SentRecord(
                method: forwarded ? "forwardMessage" : "copyMessage",
                chatID: chat.id,
                messageID: copy.id,
                messageThreadID: threadID,
                text: copy.text.text,
                entities: copy.text.entities
            )
        )
        return (copy, original, from)
    }

    /// A forwarded message: the copy, with where it came from (`forward_origin`).
    func forwardJSON(_ copy: TelegramStoredMessage, of original: TelegramStoredMessage, from source: Chat) -> JSONValue {
        let origin: JSONValue =
            switch original.sender {
            case .user(let user):
                .object(["type": .string("user"), "date": .int(original.date), "sender_user": Self.userJSON(user)])
            case .bot:
                .object(["type": .string("user"), "date": .int(original.date), "sender_user": botJSON()])
            case .chat where source.type == .channel:
                .object([
                    "type": .string("channel"), "date": .int(original.date), "chat": Self.chatJSON(source),
                    "message_id": .int(original.id),
                ])
            case .chat:
                .object(["type": .string("chat"), "date": .int(original.date), "sender_chat": Self.chatJSON(source)])
            }
        guard case .object(var fields) = messageJSON(copy) else { return messageJSON(copy) }
        fields["forward_origin"] = origin
        return .object(fields)
    }

    /// Makes `threadID` a topic of the forum supergroup `chat`.
    func declareTopic(_ threadID: Int64, in chat: Chat) throws {
        guard threadID > 0, chat.type == .supergroup, chat.isForum != false else {
            throw TelegramAPIError.badRequest("message thread not found")
        }
        upsert(Chat(id: chat.id, type: chat.type, isForum: true, topics: [threadID]))
    }

    /// sendChatAction: the chat must exist, and the action be one the Bot API names.
    func chatAction(in reference: TelegramChatReference, action: String, threadID: Int64?) throws {
        let chat = try resolve(reference)
        guard Self.chatActions.contains(action) else { throw TelegramAPIError.badRequest("wrong parameter action in request") }
        if let threadID { try useThread(threadID, in: chat) }
    }

    /// createForumTopic: a topic in a forum supergroup, which messages may then name by its
    /// `message_thread_id`.
    func createForumTopic(in reference: TelegramChatReference, name: String, iconColor: Int64?) throws -> JSONValue {
        let chat = try resolve(reference)
        guard chat.type == .supergroup, chat.isForum != false else { throw TelegramAPIError.badRequest("the chat is not a forum") }
        guard (1...128).contains(name.count) else { throw TelegramAPIError.badRequest("invalid forum topic name specified") }
        let color = iconColor ?? 0x6FB9F0
        guard Self.topicColors.contains(color) else { throw TelegramAPIError.badRequest("invalid icon color specified") }
        // A topic's thread id is the id of the service message that created it.
        let threadID = nextMessageID(in: chat.id)
        try declareTopic(threadID, in: chat)
        return .object(["message_thread_id": .int(threadID), "name": .string(name), "icon_color": .int(color)])
    }
}
