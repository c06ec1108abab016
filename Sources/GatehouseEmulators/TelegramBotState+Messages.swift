import Foundation

/// `reply_parameters` (or the older `reply_to_message_id`) of a send.
struct TelegramReplyRequest: Sendable {
    var messageID: Int64
    var chat: TelegramChatReference?
    var allowSendingWithoutReply: Bool
}

extension TelegramBotState {
    /// Messages can be deleted only within 48 hours of being sent.
    static let deletionWindow: Int64 = 48 * 3600

    func sendMessage(
        to reference: TelegramChatReference,
        threadID: Int64?,
        text: TelegramText,
        reply: TelegramReplyRequest?,
        businessConnection: String? = nil
    ) throws -> JSONValue {
        let chat = try resolve(reference)
        if let threadID { try useThread(threadID, in: chat) }
        let connection = try self.businessConnection(businessConnection, for: chat)
        let replyID = try replyTarget(reply, in: chat)
        try admitOutgoing(to: chat)
        var message = botMessage(in: chat, threadID: threadID, text: text, replyToID: replyID)
        message.businessConnectionID = connection
        store(message)
        var sent = TelegramEmulator.SentRecord(
            method: "sendMessage",
            chatID: chat.id,
            messageID: message.id,
            messageThreadID: threadID,
            text: text.text,
            entities: text.entities
        )
        sent.replyToMessageID = replyID
        sent.businessConnectionID = connection
        record(sent)
        return messageJSON(message)
    }

    /// A new message the bot sends to `chat` (on behalf of a channel, in a channel), numbered next
    /// in that chat and dated now.
    func botMessage(
        in chat: Chat,
        threadID: Int64?,
        text: TelegramText,
        replyToID: Int64?,
        media: TelegramMedia? = nil
    ) -> TelegramStoredMessage {
        TelegramStoredMessage(
            id: nextMessageID(in: chat.id),
            chatID: chat.id,
            threadID: threadID,
            sender: chat.type == .channel ? .chat : .bot,
            sentByBot: true,
            date: now(),
            editDate: nil,
            text: text,
            replyToID: replyToID,
            media: media
        )
    }

    func editMessageText(in reference: TelegramChatReference, messageID: Int64, text: TelegramText) throws -> JSONValue {
        let chat = try resolve(reference)
        guard var message = message(messageID, in: chat.id) else {
            throw TelegramAPIError.badRequest("message to edit not found")
        }
        guard message.sentByBot else {
            throw TelegramAPIError.badRequest("message can't be edited")
        }
        guard message.media == nil else { throw TelegramAPIError.badRequest("there is no text in the message to edit") }
        if message.text == text {
            throw TelegramAPIError.badRequest(
                "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
            )
        }
        try admitOutgoing(to: chat)
        message.text = text
        message.editDate = now()
        store(message)
        record(
            TelegramEmulator.SentRecord(
                method: "editMessageText",
                chatID: chat.id,
                messageID: messageID,
                messageThreadID: message.threadID,
                text: text.text,
                entities: text.entities
            )
        )
        return messageJSON(message)
    }

    func deleteMessage(in reference: TelegramChatReference, messageID: Int64) throws {
        let chat = try resolve(reference)
        guard let message = message(messageID, in: chat.id) else {
            throw TelegramAPIError.badRequest("message to delete not found")
        }
        if now() - message.date >= Self.deletionWindow {
            throw TelegramAPIError.badRequest("message can't be deleted for everyone")
        }
        removeMessage(messageID, in: chat.id)
        record(
            TelegramEmulator.SentRecord(
                method: "deleteMessage",
                chatID: chat.id,
                messageID: messageID,
                messageThreadID: message.threadID
            )
        )
    }
}
