import Foundation

/// Files: what users attach, what the bot uploads (sendPhoto / sendDocument), getFile and the
/// download by `file_path`, with the Bot API's size limits.
extension TelegramBotState {
    /// The Bot API's caption limit, in characters after entity parsing.
    static let captionLimit = 1024

    /// Keeps a file and gives it a file_id and a download path.
    func storeFile(
        _ data: [UInt8],
        name: String?,
        mimeType: String?,
        kind: TelegramMedia.Kind,
        duration: Int? = nil,
        emoji: String? = nil
    )
        -> TelegramStoredFile
    {
        let number = files.count + 1
        let id = "BQAC\(kind.rawValue.uppercased())\(number)x\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let fileExtension =
            name.flatMap { $0.split(separator: ".").count > 1 ? $0.split(separator: ".").last : nil }
            .map { "." + $0 } ?? (kind == .photo ? ".jpg" : "")
        var file = TelegramStoredFile(
            id: id,
            uniqueID: "AgAD\(number)",
            path: "\(kind.directory)/file_\(number)\(fileExtension)",
            name: name,
            mimeType: mimeType,
            data: data
        )
        switch kind {
        case .photo, .video, .animation:
            // The emulator does not decode images or video; it reports a plausible size.
            file.width = 1280
            file.height = 720
        case .sticker, .videoNote:
            file.width = 512
            file.height = 512
        case .document, .voice, .audio:
            break
        }
        file.duration = duration
        file.emoji = emoji
        files[id] = file
        return file
    }

    /// The file as the Message field of its kind shows it: a `PhotoSize` array (one size), a
    /// `Document`, `Animation`, `Video`, `VideoNote`, `Voice`, `Audio` or `Sticker`.
    func fileJSON(_ file: TelegramStoredFile, as kind: TelegramMedia.Kind) -> JSONValue {
        var members: [(String, JSONValue?)] = [
            ("file_id", .string(file.id)), ("file_unique_id", .string(file.uniqueID)), ("file_size", .int(Int64(file.data.count))),
        ]
        let size: [(String, JSONValue?)] = [("width", .int(Int64(file.width ?? 0))), ("height", .int(Int64(file.height ?? 0)))]
        let duration: (String, JSONValue?) = ("duration", .int(Int64(file.duration ?? 0)))
        let named: [(String, JSONValue?)] = [("file_name", file.name.map(JSONValue.string)), ("mime_type", file.mimeType.map(JSONValue.string))]
        switch kind {
        case .photo:
            return .array([.object(members + size)])
        case .document:
            members += named
        case .animation, .video:
            members += size + [duration] + named
        case .audio:
            members += [duration] + named
        case .voice:
            members += [duration, ("mime_type", file.mimeType.map(JSONValue.string))]
        case .videoNote:
            members += [("length", .int(Int64(file.width ?? 0))), duration]
        case .sticker:
            members +=
                size + [
                    ("type", .string("regular")), ("emoji", file.emoji.map(JSONValue.string)),
                    ("is_animated", .bool(file.mimeType == "application/x-tgsticker")), ("is_video", .bool(file.mimeType == "video/webm")),
                ]
        }
        return .object(members)
    }

    /// getFile: a `File` with its `file_path`; a file over the download limit has no path to give.
    func getFile(_ id: String) throws -> JSONValue {
        guard let file = files[id] else { throw TelegramAPIError.badRequest("invalid file_id") }
        guard file.data.count <= configuration.fileLimits.download else { throw TelegramAPIError.badRequest("file is too big") }
        return .object([
            ("file_id", .string(file.id)), ("file_unique_id", .string(file.uniqueID)),
            ("file_size", .int(Int64(file.data.count))), ("file_path", .string(file.path)),
        ])
    }

    /// The bytes of the file a message carries.
    func fileData(chatID: Int64, messageID: Int64) -> Data? {
        message(messageID, in: chatID).flatMap(\.media).flatMap { files[$0.fileID] }.map { Data($0.data) }
    }

    /// The bytes at a `file_path` getFile gave, within the download limit.
    func download(path: String) -> [UInt8]? {
        files.values.first { $0.path == path && $0.data.count <= configuration.fileLimits.download }?.data
    }

    /// Whether `data` starts as a JPEG, PNG, GIF, WebP or BMP file does.
    static func isPicture(_ data: [UInt8]) -> Bool {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            data.count >= offset + magic.count && Array(data[offset..<offset + magic.count]) == magic
        }
        return starts([0xFF, 0xD8, 0xFF]) || starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) || starts(Array("GIF87a".utf8))
            || starts(Array("GIF89a".utf8)) || (starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8)) || starts(Array("BM".utf8))
    }

    func sendMedia(
        _ kind: TelegramMedia.Kind,
        file input: TelegramInputFile,
        to reference: TelegramChatReference,
        threadID: Int64?,
        caption: TelegramText,
        reply: TelegramReplyRequest?,
        duration: Int? = nil,
        emoji: String? = nil,
        businessConnection: String? = nil
    ) throws -> JSONValue {
        let chat = try resolve(reference)
        let connection = try self.businessConnection(businessConnection, for: chat)
        // Stickers and video notes have no caption: the Bot API's methods for them take none.
        let caption = kind.takesCaption ? caption : TelegramText(text: "", entities: [])
        if let threadID { try useThread(threadID, in: chat) }
        if caption.text.unicodeScalars.count > Self.captionLimit {
            throw TelegramAPIError.badRequest("message caption is too long")
        }
        let replyID = try replyTarget(reply, in: chat)
        let file: TelegramStoredFile
        switch input {
        case .existing(let id):
            guard let known = files[id] else { throw TelegramAPIError.badRequest("wrong file identifier/HTTP URL specified") }
            file = known
        case .upload(let upload):
            if kind == .photo, upload.data.count > configuration.fileLimits.photoUpload {
                throw TelegramAPIError.badRequest("PHOTO_INVALID_DIMENSIONS")
            }
            guard !upload.data.isEmpty else { throw TelegramAPIError.badRequest("file must be non-empty") }
            // A photo is decoded and recompressed by the server: bytes that are no picture in a
            // format it reads are refused (a client sends those with sendDocument).
            if kind == .photo, !Self.isPicture(upload.data) { throw TelegramAPIError.badRequest("IMAGE_PROCESS_FAILED") }
            try admitOutgoing(to: chat)
            file = storeFile(
                upload.data,
                name: upload.filename.isEmpty ? nil : upload.filename,
                mimeType: upload.contentType,
                kind: kind,
                duration: duration,
                emoji: emoji
            )
        }
        if case .existing = input { try admitOutgoing(to: chat) }
        var message = botMessage(
            in: chat,
            threadID: threadID,
            text: caption,
            replyToID: replyID,
            media: TelegramMedia(kind: kind, fileID: file.id)
        )
        message.businessConnectionID = connection
        store(message)
        var sent = TelegramEmulator.SentRecord(
            method: kind.method,
            chatID: chat.id,
            messageID: message.id,
            messageThreadID: threadID,
            text: caption.text,
            entities: caption.entities.isEmpty ? nil : caption.entities
        )
        sent.fileName = file.name
        sent.fileSize = file.data.count
        sent.replyToMessageID = replyID
        sent.businessConnectionID = connection
        record(sent)
        return messageJSON(message)
    }

    /// editMessageCaption of a message with a file the bot sent.
    func editMessageCaption(in reference: TelegramChatReference, messageID: Int64, caption: TelegramText) throws -> JSONValue {
        let chat = try resolve(reference)
        guard var message = message(messageID, in: chat.id) else {
            throw TelegramAPIError.badRequest("message to edit not found")
        }
        guard message.sentByBot else { throw TelegramAPIError.badRequest("message can't be edited") }
        guard message.media != nil else { throw TelegramAPIError.badRequest("there is no caption in the message to edit") }
        if caption.text.unicodeScalars.count > Self.captionLimit {
            throw TelegramAPIError.badRequest("message caption is too long")
        }
        if message.text == caption {
            throw TelegramAPIError.badRequest(
                "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
            )
        }
        try admitOutgoing(to: chat)
        message.text = caption
        message.editDate = now()
        store(message)
        record(
            TelegramEmulator.SentRecord(
                method: "editMessageCaption",
                chatID: chat.id,
                messageID: messageID,
                messageThreadID: message.threadID,
                text: caption.text,
                entities: caption.entities.isEmpty ? nil : caption.entities
            )
        )
        return messageJSON(message)
    }

    /// The id a reply nests under: a message of the same chat; one elsewhere is an external
    /// reply; a missing one fails unless `allow_sending_without_reply`.
    func replyTarget(_ reply: TelegramReplyRequest?, in chat: Chat) throws -> Int64? {
        guard let reply else { return nil }
        let replyChat = try reply.chat.map { try resolve($0) } ?? chat
        if message(reply.messageID, in: replyChat.id) != nil {
            return replyChat.id == chat.id ? reply.messageID : nil
        }
        if !reply.allowSendingWithoutReply {
            throw TelegramAPIError.badRequest("message to be replied not found")
        }
        return nil
    }
}
