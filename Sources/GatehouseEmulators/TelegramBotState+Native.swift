import Foundation

/// sendLocation, sendVenue, sendContact, sendPoll, sendDice and sendMediaGroup, with the limits
/// the Bot API documents for them.
extension TelegramBotState {
    /// The emoji sendDice throws, and the highest value each shows.
    static let dice: [String: Int64] = ["🎲": 6, "🎯": 6, "🏀": 5, "⚽": 5, "🎳": 6, "🎰": 64]

    /// The methods' names as the Bot API spells them, for the record of what the bot sent.
    static let methodNames = [
        "sendlocation": "sendLocation", "sendvenue": "sendVenue", "sendcontact": "sendContact", "sendpoll": "sendPoll", "senddice": "sendDice",
    ]

    /// A person blocks the bot: what the bot sends to their private chat is refused (403).
    func block(by user: Int64) {
        blockedBy.insert(user)
    }

    /// A message of content that is no file (a location, a poll), as `field` of the Message.
    func sendNative(
        _ field: String,
        _ value: JSONValue,
        method: String,
        to reference: TelegramChatReference,
        threadID: Int64?,
        reply: TelegramReplyRequest?
    ) throws -> JSONValue {
        let chat = try resolve(reference)
        if let threadID { try useThread(threadID, in: chat) }
        let replyID = try replyTarget(reply, in: chat)
        try admitOutgoing(to: chat)
        var message = botMessage(in: chat, threadID: threadID, text: TelegramText(text: "", entities: []), replyToID: replyID)
        message.native = TelegramNative(field: field, value: value)
        store(message)
        var sent = TelegramEmulator.SentRecord(method: method, chatID: chat.id, messageID: message.id, messageThreadID: threadID)
        sent.replyToMessageID = replyID
        sent.content = value
        record(sent)
        return messageJSON(message)
    }

    /// One item of an album: its type, its file and its caption.
    struct AlbumItem: Sendable {
        var kind: TelegramMedia.Kind
        var file: TelegramInputFile
        var caption: TelegramText
    }

    /// sendMediaGroup: 2–10 photos and videos, or documents, or audio, as messages of one album in
    /// order; the album's caption is its items' (clients show the first's).
    func sendMediaGroup(
        _ items: [AlbumItem],
        to reference: TelegramChatReference,
        threadID: Int64?,
        reply: TelegramReplyRequest?
    ) throws -> JSONValue {
        guard (2...10).contains(items.count) else {
            throw TelegramAPIError.badRequest(
                items.count < 2 ? "parameter \"media\" must contain at least 2 items" : "too many messages to send as an album"
            )
        }
        let kinds = Set(items.map(\.kind))
        if kinds.count > 1, !kinds.isSubset(of: [.photo, .video]) {
            throw TelegramAPIError.badRequest("documents and audio files can't be mixed with other media types")
        }
        let chat = try resolve(reference)
        if let threadID { try useThread(threadID, in: chat) }
        let replyID = try replyTarget(reply, in: chat)
        // One album is one request against the flood limits, but each message counts.
        for _ in items { try admitOutgoing(to: chat) }
        let group = String(UInt64.random(in: 10_000_000_000_000...UInt64(Int64.max)))
        var answered: [JSONValue] = []
        for (index, item) in items.enumerated() {
            let file: TelegramStoredFile
            switch item.file {
            case .existing(let id):
                guard let known = files[id] else { throw TelegramAPIError.badRequest("wrong file identifier/HTTP URL specified") }
                file = known
            case .upload(let upload):
                guard !upload.data.isEmpty else { throw TelegramAPIError.badRequest("file must be non-empty") }
                if item.kind == .photo, !Self.isPicture(upload.data) { throw TelegramAPIError.badRequest("IMAGE_PROCESS_FAILED") }
                file = storeFile(upload.data, name: upload.filename.isEmpty ? nil : upload.filename, mimeType: upload.contentType, kind: item.kind)
            }
            var message = botMessage(
                in: chat,
                threadID: threadID,
                text: item.caption,
                replyToID: index == 0 ? replyID : nil,
                media: TelegramMedia(kind: item.kind, fileID: file.id)
            )
            message.mediaGroupID = group
            store(message)
            var sent = TelegramEmulator.SentRecord(
                method: "sendMediaGroup",
                chatID: chat.id,
                messageID: message.id,
                messageThreadID: threadID,
                text: item.caption.text,
                entities: item.caption.entities.isEmpty ? nil : item.caption.entities
            )
            sent.fileName = file.name
            sent.fileSize = file.data.count
            sent.replyToMessageID = message.replyToID
            sent.mediaGroupID = group
            record(sent)
            answered.append(messageJSON(message))
        }
        return .array(answered)
    }
}
