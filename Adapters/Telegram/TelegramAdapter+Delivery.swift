import Foundation
import GatehouseCore
import Logging

/// Delivery: sends (split, formatted, with files: `TelegramAdapter+Files.swift`), edits and deletes, each paced and
/// classified.
extension TelegramAdapter {
    /// One message of a send: a part of the text, content in its native form (a location, a
    /// poll), an attachment (with the text as its caption when the text fits one), or an album.
    private enum Unit {
        case text(RichText)
        case native(NativeContent.Shape)
        case file(Envelope.Attachment, caption: RichText?)
        case album([Envelope.Attachment], caption: RichText?)

        /// How many messages it takes (what an earlier attempt's delivered ids count in).
        var messageCount: Int {
            if case .album(let files, _) = self { return files.count }
            return 1
        }
    }

    /// Sends the text (split at 4096 UTF-16 units, never inside a span), the content in its native
    /// form, and the attachments, in their own forms (a voice note as a voice note, a sticker as a
    /// sticker), photos and videos sent together as albums. A text that fits a caption goes on the
    /// first file that takes one; a longer one is sent first, the files after. A kind sent natively
    /// leaves its label out of the text (when the label crossed untouched: see ``NativeContent``).
    /// Each file is fetched just before it is sent; one that cannot be had at all is replaced by a
    /// line saying it was not forwarded, so the rest of the message still arrives.
    public func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let (chat, topic) = try address(of: message.channel)
        let priority = message.priority
        let native = message.native.flatMap { native in
            Self.sendsNatively(native, with: message.attachments) ? native.body(withoutLabelIn: message.content).map { (native, $0) } : nil
        }
        let content = native?.1 ?? message.content
        let reply = message.replyTo.flatMap(NativeID.init).map { ReplyParameters(messageID: $0.messageID) }
        let units = Self.units(of: content, native: native?.0, attachments: message.attachments, split: messages(of:))
        guard !units.isEmpty else {
            throw DeliveryError.rejected("nothing to send: the text is empty and no file goes with it")
        }
        // Those an earlier attempt delivered are skipped; only the first message answers the
        // replied-to one.
        var ids = progress.delivered
        var index = 0
        for unit in units {
            let count = unit.messageCount
            defer { index += count }
            guard index >= progress.delivered.count else { continue }
            let answering = index == 0 ? reply : nil
            switch unit {
            case .text(let part):
                ids.append(
                    NativeID(
                        .text,
                        try await sendText(part, to: chat, topic: topic, reply: answering, priority: priority, connection: message.connection)
                    )
                    .text
                )
            case .native(let shape):
                ids.append(NativeID(.native, try await sendNative(shape, to: chat, topic: topic, reply: answering, priority: priority)).text)
            case .file(let attachment, let caption):
                ids.append(try await send(attachment, of: message, caption: caption, to: chat, topic: topic, reply: answering).text)
            case .album(let attachments, let caption):
                ids += try await sendAlbum(attachments, of: message, caption: caption, to: chat, topic: topic, reply: answering).map(\.text)
            }
            await progress.record(ids)
        }
        return ids
    }

    /// What a send is made of, in order: the text (unless it is a caption), the native form,
    /// then the files, runs of photos and videos (or of documents, or of audio) in albums of up
    /// to ten. The caption goes on the first file that takes one.
    private static func units(
        of content: RichText,
        native: NativeContent?,
        attachments: [Envelope.Attachment],
        split: (RichText) -> [RichText]
    ) -> [Unit] {
        let captioning = attachments.firstIndex { $0.form.takesCaption }
        let captioned = captioning != nil && content.text.utf16.count <= captionLimit && !content.text.isEmpty
        var units = (captioned ? [] : split(content)).map(Unit.text)
        if let native, case let shape = native.shape, SendNative.method(for: shape) != nil {
            units.append(.native(shape))
        }
        var index = 0
        while index < attachments.count {
            let caption = captioned && index == captioning ? content : nil
            let album = albumRun(in: attachments, from: index)
            if album.count >= 2 {
                // The album's caption is its first item's, when the caption falls in it.
                let albumCaption = captioned && album.contains(captioning ?? -1) ? content : nil
                if albumCaption == nil || captioning == index {
                    units.append(.album(album.map { attachments[$0] }, caption: albumCaption))
                    index += album.count
                    continue
                }
            }
            units.append(.file(attachments[index], caption: caption))
            index += 1
        }
        return units
    }

    /// The indices of the album that can start at `start`: the attachments that follow of one
    /// album class, at most ten (sendMediaGroup's limit).
    private static func albumRun(in attachments: [Envelope.Attachment], from start: Int) -> [Int] {
        guard let kind = attachments[start].form.albumClass else { return [start] }
        var run = [start]
        var next = start + 1
        while next < attachments.count, run.count < albumLimit, attachments[next].form.albumClass == kind {
            run.append(next)
            next += 1
        }
        return run
    }

    /// Whether Telegram takes the content in its native form: a location, venue, contact, poll or
    /// die, and a sticker whose file goes with it; not a kind only its label stands for.
    static func sendsNatively(_ native: NativeContent, with attachments: [Envelope.Attachment]) -> Bool {
        if case .sticker = native.shape { return attachments.contains { $0.form == .sticker } }
        return SendNative.method(for: native.shape) != nil
    }

    /// sendMediaGroup's most items.
    static let albumLimit = 10

    /// The text's messages: its parts, without any that is only whitespace (Telegram refuses an
    /// empty message, and trims the whitespace a part would carry anyway).
    private func messages(of content: RichText) -> [RichText] {
        splitter.split(content).filter { !$0.text.allSatisfy(\.isWhitespace) }
    }

    /// What stands in for a file that could not be fetched: its caption, and a line naming it (never
    /// why: the reader may be outside, the log line has the reason).
    static func notForwarded(_ attachment: Envelope.Attachment, caption: RichText?) -> RichText {
        let line = "📎 \(attachment.name ?? "a file") (not forwarded)"
        guard let caption, !caption.text.isEmpty else { return RichText(text: line) }
        return RichText(text: caption.text + "\n" + line, spans: caption.spans)
    }

    func sendText(
        _ part: RichText,
        to chat: ChatID,
        topic: Int64?,
        reply: ReplyParameters?,
        priority: DeliveryPriority,
        connection: String? = nil
    ) async throws -> Int64 {
        try await answering(reply) { reply in
            let sent: Message = try await paced("sendMessage", to: chat, priority: priority) { chat throws(DeliveryError) in
                try await client.call(
                    "sendMessage",
                    SendMessage(
                        chatID: chat,
                        messageThreadID: topic,
                        text: part.text,
                        entities: EntityMapping.entities(from: part.spans, in: part.text),
                        replyParameters: reply,
                        businessConnectionID: connection
                    ),
                    timeout: configuration.requestTimeout
                )
            }
            return sent.messageID
        }
    }

    /// Sends as a reply, and once more as a plain message if the answered message is gone:
    /// `allow_sending_without_reply` does not apply in forum topics, where Telegram refuses instead.
    func answering<Sent>(_ reply: ReplyParameters?, _ send: (ReplyParameters?) async throws -> Sent) async throws -> Sent {
        guard let reply else { return try await send(nil) }
        do {
            return try await send(reply)
        } catch let error as DeliveryError where error.code == .replyTargetGone {
            return try await send(nil)
        }
    }

    /// Edits every part, by what each message is (its ``NativeID`` role): text parts are edited
    /// (more parts sent, parts no longer needed deleted); a caption is edited in place, or, when the
    /// text outgrew it, emptied and the text sent as messages of its own; files stay as they are.
    public func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let (chat, topic) = try address(of: message.channel)
        let priority = message.priority
        // What the send left out (a native form's label) the edit leaves out too.
        let sentNatively = message.native.map { Self.sendsNatively($0, with: message.attachments) } ?? false
        let content = (sentNatively ? message.native?.body(withoutLabelIn: message.content) : nil) ?? message.content
        let existing = nativeIDs.compactMap(NativeID.init)
        let textIDs = existing.filter { $0.role == .text }
        var files = existing.filter { $0.role != .text }
        var newText: [String] = []
        if let captionIndex = files.firstIndex(where: { $0.role == .caption }) {
            let captioned = files[captionIndex]
            let fits = content.text.utf16.count <= Self.captionLimit
            try await editCaption(captioned.messageID, to: fits ? content : RichText(text: ""), in: chat, priority: priority)
            if !fits {
                files[captionIndex].role = .file
                await progress.record(files.map(\.text))
                for part in messages(of: content) {
                    newText.append(NativeID(.text, try await sendText(part, to: chat, topic: topic, reply: nil, priority: priority)).text)
                    await progress.record(newText + files.map(\.text))
                }
            }
        } else {
            let parts = messages(of: content)
            for (index, part) in parts.enumerated() {
                if index < textIDs.count {
                    try await editText(textIDs[index].messageID, to: part, in: chat, priority: priority)
                    newText.append(textIDs[index].text)
                } else {
                    // The edit made the text longer than before: the extra parts are new messages,
                    // each reported, so that a retry edits it rather than sending it again.
                    newText.append(NativeID(.text, try await sendText(part, to: chat, topic: topic, reply: nil, priority: priority)).text)
                    await progress.record(newText + files.map(\.text))
                }
            }
            // …or shorter: the parts it no longer needs go. Past 48 hours Telegram keeps them: then
            // each is emptied to a mark instead, so that no old text is left standing, and kept.
            let extra = Array(textIDs.dropFirst(parts.count))
            do {
                try await deleteMessages(extra.map(\.messageID), in: chat, priority: priority)
            } catch let error as DeliveryError where error.code == .notRemovable {
                logger.info(
                    "parts an edit no longer needs cannot be deleted any more; they are emptied instead",
                    metadata: [
                        "gh.chat": .string(chat.key), "gh.detail": .string(error.detail),
                    ]
                )
                newText += try await withdraw(extra.map(\.text), in: message.channel, notice: Self.emptiedPart, priority: priority)
            }
        }
        return newText + files.map(\.text)
    }

    private func editText(_ messageID: Int64, to part: RichText, in chat: ChatID, priority: DeliveryPriority) async throws {
        let entities = EntityMapping.entities(from: part.spans, in: part.text)
        try await unlessUnchanged {
            let _: Message = try await paced("editMessageText", to: chat, priority: priority) { chat throws(DeliveryError) in
                try await client.call(
                    "editMessageText",
                    EditMessageText(chatID: chat, messageID: messageID, text: part.text, entities: entities),
                    timeout: configuration.requestTimeout
                )
            }
        }
    }

    private func editCaption(_ messageID: Int64, to caption: RichText, in chat: ChatID, priority: DeliveryPriority) async throws {
        try await unlessUnchanged {
            let _: Message = try await paced("editMessageCaption", to: chat, priority: priority) { chat throws(DeliveryError) in
                try await client.call(
                    "editMessageCaption",
                    EditMessageCaption(
                        chatID: chat,
                        messageID: messageID,
                        caption: caption.text,
                        captionEntities: EntityMapping.entities(from: caption.spans, in: caption.text)
                    ),
                    timeout: configuration.requestTimeout
                )
            }
        }
    }

    /// Runs an edit, taking Telegram's "message is not modified" as done: the part already reads
    /// so (a retry after a failure later in the message, or an edit that changed only other parts).
    private func unlessUnchanged(_ edit: () async throws -> Void) async throws {
        do {
            try await edit()
        } catch let error as DeliveryError where error.code == .notModified {
            logger.debug("part already edited", metadata: ["gh.detail": .string(error.detail)])
        }
    }

    /// Each part made to read the notice: a text edited, a file's caption set (the file itself
    /// stays: Telegram has no way to take it back after 48 hours short of replacing the media).
    /// A part already deleted (a delete that got half way) is skipped.
    public func withdraw(_ nativeIDs: [String], in channel: Channel, notice: String, priority: DeliveryPriority) async throws -> [String] {
        let (chat, _) = try address(of: channel)
        let text = RichText(text: notice)
        var kept: [String] = []
        for part in nativeIDs.compactMap(NativeID.init) {
            do {
                switch part.role {
                case .text:
                    try await editText(part.messageID, to: text, in: chat, priority: priority)
                case .caption, .file:
                    try await editCaption(part.messageID, to: text, in: chat, priority: priority)
                case .native:
                    // A location or a poll has no text to replace: it stays, and is said so.
                    logger.warning(
                        "a location, venue, contact, poll or die cannot be edited to the notice; it stays",
                        metadata: ["gh.chat": .string(chat.key), "gh.message": .stringConvertible(part.messageID)]
                    )
                }
                kept.append(part.text)
            } catch let error as DeliveryError where error.code == .messageGone {
                logger.debug("part already deleted", metadata: ["gh.detail": .string(error.detail)])
            }
        }
        return kept
    }

    /// What a part an edit no longer needs reads when Telegram will not delete it any more.
    static let emptiedPart = "…"

    public func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {
        let (chat, _) = try address(of: channel)
        try await deleteMessages(nativeIDs.compactMap(NativeID.init).map(\.messageID), in: chat, priority: priority)
    }

    /// Deletes messages in the chat's turn; one already gone (a retry after a later one failed)
    /// counts as deleted.
    private func deleteMessages(_ ids: [Int64], in chat: ChatID, priority: DeliveryPriority) async throws {
        for id in ids {
            do {
                let _: Bool = try await paced("deleteMessage", to: chat, priority: priority) { chat throws(DeliveryError) in
                    try await client.call("deleteMessage", DeleteMessage(chatID: chat, messageID: id), timeout: configuration.requestTimeout)
                }
            } catch let error as DeliveryError where error.code == .messageGone {
                logger.debug("message already deleted", metadata: ["gh.detail": .string(error.detail)])
            }
        }
    }

    /// Calls a method that puts a message in `chat`, in its turn (``SendPacer``: interactive
    /// deliveries before bulk ones, each within the chat's, group's and bot's limits), at the id
    /// the chat has now (``ChatMigrations``). A 429 pauses the chat for exactly `retry_after` and the
    /// same part is tried again; a group that became a supergroup is followed at once; other
    /// transient failures are retried with backoff a few times before they are handed back.
    func paced<Result>(
        _ method: String,
        to configured: ChatID,
        priority: DeliveryPriority,
        _ call: (ChatID) async throws(DeliveryError) -> Result
    ) async throws -> Result {
        var failures = 0
        var chat = ChatID(await migrations.current(configured.key))
        while true {
            await learnKind(of: chat)
            let ticket = try await pacer.turn(chat: chat.key, priority: priority)
            do {
                defer { pacer.complete(ticket) }
                return try await call(chat)
            } catch {
                if let moved = error.newAddress, moved != chat.key {
                    await migrations.record(chat.key, movedTo: moved)
                    chat = ChatID(moved)
                    continue
                }
                failures += 1
                guard case .transient(let retryAfter) = error.disposition, failures < Self.partAttempts, !Task.isCancelled else { throw error }
                if error.code == .rateLimited {
                    let pause = retryAfter ?? .seconds(1)
                    let wholeBot = pacer.rateLimited(chat: chat.key, for: pause)
                    logger.warning(
                        "Telegram asked to slow down (429); \(wholeBot ? "the whole bot" : "this chat") waits exactly retry_after",
                        metadata: [
                            "gh.chat": .string(chat.key), "gh.retry_after": .string(pause.description), "gh.method": .string(method),
                        ]
                    )
                    // A long wait goes back to the dispatcher, which defers the job and lets
                    // other destinations use its place meanwhile.
                    guard pause <= SendPacer.longestOwnWait else { throw error }
                } else {
                    try await Task.sleep(for: configuration.pollBackoff.delay(afterFailures: failures))
                }
            }
        }
    }

    /// Asks Telegram once what a chat that may be a group is (getChat), so that a channel is not
    /// paced at a group's 20 a minute. Until it is known, the chat is paced as a group: slower,
    /// never refused. A chat Telegram will not describe (a permanent refusal) is taken for a group
    /// and not asked about again; after a transient failure, the next send asks again.
    private func learnKind(of chat: ChatID) async {
        guard SendBudget.mayBeGroup(chat.key), pacer.kind(of: chat.key) == nil else { return }
        do {
            let info: Chat = try await client.call("getChat", GetChat(chatID: chat), timeout: configuration.requestTimeout)
            pacer.learn(chat.key, is: SendBudget.ChatKind(type: info.type))
        } catch {
            if error.isPermanent { pacer.learn(chat.key, is: .group) }
            logger.debug(
                "getChat failed; the chat is paced as a group",
                metadata: ["gh.chat": .string(chat.key), "gh.error": .string(error.shortDescription)]
            )
        }
    }

    private func address(of channel: Channel) throws(DeliveryError) -> (ChatID, Int64?) {
        guard case .chat(let chat, let topic) = channel.address else {
            throw .rejected("channel '\(channel.name)' is not a Telegram chat")
        }
        return (ChatID(chat), topic)
    }
}
