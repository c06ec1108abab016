import Foundation
import GatehouseCore

/// Files and native forms: a file sent in its own form (a voice note as a voice note, a sticker as
/// a sticker), albums in one sendMediaGroup, a location, venue, contact, poll or die sent again,
/// and the download of a file that arrived here.
extension TelegramAdapter {
    /// One attachment: fetched and sent in its form, or, when it cannot be fetched at all, a line
    /// naming it (a file Telegram refuses fails the send, as any refused message does).
    func send(
        _ attachment: Envelope.Attachment,
        of message: OutboundMessage,
        caption: RichText?,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?
    ) async throws -> NativeID {
        guard let file = try await fetch(attachment, of: message) else {
            let line = Self.notForwarded(attachment, caption: caption)
            return NativeID(.text, try await sendText(line, to: chat, topic: topic, reply: reply, priority: message.priority))
        }
        let id = try await upload(
            file,
            caption: caption,
            to: chat,
            topic: topic,
            reply: reply,
            priority: message.priority,
            connection: message.connection
        )
        return NativeID(caption == nil ? .file : .caption, id)
    }

    /// The bytes of an attachment, or nil when they cannot be had at all (logged).
    func fetch(_ attachment: Envelope.Attachment, of message: OutboundMessage) async throws -> AttachedFile? {
        do {
            return try await message.files(attachment)
        } catch let error as DeliveryError where error.isPermanent {
            logger.warning(
                "attachment not forwarded: it cannot be fetched",
                metadata: [
                    "gh.attachment": .string(attachment.name ?? attachment.mimeType ?? "file"), "gh.error": .string(error.detail),
                ]
            )
            message.files.left(attachment, because: "cannot be fetched: \(error.code.rawValue)")
            return nil
        }
    }

    /// An album in one sendMediaGroup, its files in order and the caption on the first. Files that
    /// cannot be fetched are named in a line after it; an album left with one file goes as that file.
    func sendAlbum(
        _ attachments: [Envelope.Attachment],
        of message: OutboundMessage,
        caption: RichText?,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?
    ) async throws -> [NativeID] {
        var files: [AttachedFile] = []
        var missing: [Envelope.Attachment] = []
        for attachment in attachments {
            if let file = try await fetch(attachment, of: message) { files.append(file) } else { missing.append(attachment) }
        }
        var ids: [NativeID] = []
        if files.count >= 2 {
            let sent: [Message] = try await answering(reply) { reply in
                try await paced("sendMediaGroup", to: chat, priority: message.priority) { chat throws(DeliveryError) in
                    var fields: [(String, String)] = [("chat_id", chat.key)]
                    if let topic { fields.append(("message_thread_id", String(topic))) }
                    if let reply { fields.append(("reply_parameters", Self.json(reply))) }
                    let media = files.enumerated().map { number, file in
                        InputMedia(
                            type: file.form.albumType,
                            media: "attach://file\(number)",
                            caption: number == 0 ? caption?.text : nil,
                            captionEntities: number == 0 ? caption.flatMap { EntityMapping.entities(from: $0.spans, in: $0.text) } : nil
                        )
                    }
                    fields.append(("media", Self.json(media)))
                    return try await client.upload(
                        "sendMediaGroup",
                        fields: fields,
                        files: files.enumerated().map { ("file\($0)", $1) },
                        timeout: configuration.requestTimeout
                    )
                }
            }
            ids = sent.enumerated().map { NativeID($0 == 0 && caption != nil ? .caption : .file, $1.messageID) }
        } else if let file = files.first {
            ids = [
                NativeID(
                    caption == nil ? .file : .caption,
                    try await upload(file, caption: caption, to: chat, topic: topic, reply: reply, priority: message.priority)
                )
            ]
        }
        for attachment in missing {
            let line = Self.notForwarded(attachment, caption: ids.isEmpty ? caption : nil)
            ids.append(
                NativeID(.text, try await sendText(line, to: chat, topic: topic, reply: ids.isEmpty ? reply : nil, priority: message.priority))
            )
        }
        return ids
    }

    /// A location, venue, contact, poll or die, sent again.
    func sendNative(
        _ shape: NativeContent.Shape,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?,
        priority: DeliveryPriority
    ) async throws -> Int64 {
        guard let method = SendNative.method(for: shape) else { throw DeliveryError.rejected("a sticker is sent with its file") }
        return try await answering(reply) { reply in
            let sent: Message = try await paced(method, to: chat, priority: priority) { chat throws(DeliveryError) in
                try await client.call(
                    method,
                    SendNative(chatID: chat, messageThreadID: topic, shape: shape, replyParameters: reply),
                    timeout: configuration.requestTimeout
                )
            }
            return sent.messageID
        }
    }

    /// Sends a file in its form (sendPhoto, sendVoice, sendSticker, …; a caption only where the
    /// form takes one), as a document when Telegram refuses it in that form (a photo's dimensions,
    /// a voice note not in OGG/Opus, MP3 or M4A), and when it is a photo over the photo limit.
    func upload(
        _ file: AttachedFile,
        caption: RichText?,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?,
        priority: DeliveryPriority,
        connection: String? = nil
    ) async throws -> Int64 {
        try await answering(reply) { reply in
            let form = file.isPhoto ? ContentKind.photo : file.form
            if form != .document, form != .photo || file.data.count <= Self.photoUploadLimit {
                do {
                    return try await upload(
                        file,
                        as: form,
                        caption: caption,
                        to: chat,
                        topic: topic,
                        reply: reply,
                        priority: priority,
                        connection: connection
                    )
                } catch let error as DeliveryError where error.code == .photoRefused || (form != .photo && error.code == .rejected) {
                    logger.info(
                        "Telegram refused a file in its form; sending it as a document",
                        metadata: ["gh.form": .string(form.rawValue), "gh.detail": .string(error.detail)]
                    )
                }
            }
            return try await upload(
                file,
                as: .document,
                caption: caption,
                to: chat,
                topic: topic,
                reply: reply,
                priority: priority,
                connection: connection
            )
        }
    }

    func upload(
        _ file: AttachedFile,
        as form: ContentKind,
        caption: RichText?,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?,
        priority: DeliveryPriority,
        connection: String?
    ) async throws -> Int64 {
        let (method, field) = form.upload
        let sent: Message = try await paced(method, to: chat, priority: priority) { chat throws(DeliveryError) in
            var fields: [(String, String)] = [("chat_id", chat.key)]
            if let connection { fields.append(("business_connection_id", connection)) }
            if let topic { fields.append(("message_thread_id", String(topic))) }
            if let caption, form.takesCaption {
                fields.append(("caption", caption.text))
                if let entities = EntityMapping.entities(from: caption.spans, in: caption.text) {
                    fields.append(("caption_entities", Self.json(entities)))
                }
            }
            if let duration = file.duration, form.hasDuration { fields.append(("duration", String(duration))) }
            if let reply { fields.append(("reply_parameters", Self.json(reply))) }
            return try await client.upload(method, fields: fields, fileField: field, file: file, timeout: configuration.requestTimeout)
        }
        return sent.messageID
    }

    /// Telegram's limit on an uploaded photo; a larger picture goes as a document.
    static let photoUploadLimit = 10 << 20

    static func json(_ value: some Encodable) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// Fetches a file that arrived here: getFile, then the download, within Telegram's 20 MB and
    /// `limit`. The download URL embeds the token and never leaves ``BotAPIClient``.
    public func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile {
        let limit = min(limit, Self.downloadLimit)
        if let bytes = attachment.bytes, bytes > limit {
            throw DeliveryError.rejected("attachment '\(attachment.name ?? "file")' is \(bytes) bytes; at most \(limit) can be fetched from Telegram")
        }
        let file: File = try await client.call("getFile", GetFile(fileID: attachment.reference), timeout: configuration.requestTimeout)
        guard let path = file.filePath else {
            throw DeliveryError.rejected("getFile: Telegram gave no path for attachment '\(attachment.name ?? "file")' (too large to download?)")
        }
        let data = try await client.download(path: path, limit: limit, timeout: configuration.requestTimeout)
        let name = attachment.name ?? path.split(separator: "/").last.map(String.init) ?? "file"
        return AttachedFile(
            name: name,
            mimeType: attachment.mimeType,
            data: data,
            isPhoto: attachment.isPhoto == true,
            form: attachment.form,
            duration: attachment.duration
        )
    }
}
