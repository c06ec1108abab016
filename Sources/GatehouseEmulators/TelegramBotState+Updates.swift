import Foundation

/// An update waiting in the queue, with the message as it was when the update happened.
struct TelegramStoredUpdate: Sendable {
    let id: Int64
    let kind: String
    let message: JSONValue
    /// When it happened, on the emulator's clock (which tests can move forward).
    let created: Int64

    var json: JSONValue {
        .object(["update_id": .int(id), kind: message])
    }
}

/// How a long poll ended.
enum TelegramPollOutcome: Sendable {
    case woken
    case timedOut
    case terminated
    case shutdown
}

enum TelegramPollState {
    case pending
    case waiting(CheckedContinuation<TelegramPollOutcome, Never>)
    case resolved(TelegramPollOutcome)
}

/// The first step of getUpdates: an answer now, or a poll to wait on.
enum TelegramPollStart: Sendable {
    case ready([JSONValue])
    case wait(UInt64)
}

extension TelegramBotState {
    /// Updates are kept for 24 hours.
    static let retention: Int64 = 24 * 3600

    /// Update kinds delivered when `allowed_updates` is empty or was never given.
    static let defaultUpdateKinds: Set<String> = [
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
        "edited_business_message",
    ]

    // MARK: getUpdates

    /// Applies `offset` (confirming every update below it, or keeping the last `-offset`),
    /// remembers `allowed_updates`, terminates a concurrent poll (it gets the 409), and either
    /// answers at once or registers a poll.
    func startPolling(
        offset: Int64?,
        limit: Int,
        timeout: Int,
        allowedUpdates allowed: [String]?
    ) throws
        -> TelegramPollStart
    {
        if webhookURL != nil { throw TelegramAPIError.webhookActive }
        if let previous = activePoll {
            resolvePoll(previous, .terminated)
        }
        pruneUpdates()
        if let offset {
            if offset > 0 {
                updates.removeAll { $0.id < offset }
            } else if offset < 0 {
                // -offset overflows for Int64.min: the caller's number, so its magnitude (a UInt64).
                updates = Array(updates.suffix(Int(clamping: offset.magnitude)))
            }
        }
        if let allowed {
            allowedUpdates = allowed.isEmpty ? nil : Set(allowed)
        }
        let batch = updates.prefix(limit).map(\.json)
        if !batch.isEmpty || timeout <= 0 || shuttingDown {
            activePoll = nil
            return .ready(batch)
        }
        nextPollID += 1
        polls[nextPollID] = .pending
        activePoll = nextPollID
        return .wait(nextPollID)
    }

    /// Suspends until the poll is woken by an update, times out, is terminated by another poll,
    /// or the server shuts down.
    func waitForUpdates(_ poll: UInt64) async -> TelegramPollOutcome {
        switch polls[poll] {
        case .resolved(let outcome):
            return outcome
        case .pending:
            return await withCheckedContinuation { continuation in
                polls[poll] = .waiting(continuation)
            }
        case .waiting, nil:
            return .terminated
        }
    }

    func resolvePoll(_ poll: UInt64, _ outcome: TelegramPollOutcome) {
        switch polls[poll] {
        case .pending:
            polls[poll] = .resolved(outcome)
        case .waiting(let continuation):
            polls[poll] = .resolved(outcome)
            continuation.resume(returning: outcome)
        case .resolved, nil:
            break
        }
        if activePoll == poll, outcome == .terminated {
            activePoll = nil
        }
    }

    /// Ends a poll: the updates available now, or the 409 when another poll terminated it.
    func finishPolling(_ poll: UInt64, outcome: TelegramPollOutcome, limit: Int) throws -> [JSONValue] {
        polls[poll] = nil
        if activePoll == poll { activePoll = nil }
        if outcome == .terminated { throw TelegramAPIError.terminatedByOtherPoller }
        pruneUpdates()
        return updates.prefix(limit).map(\.json)
    }

    /// Wakes every waiting poll so that a graceful shutdown is not held up by long polls.
    func shutDown() {
        shuttingDown = true
        webhookDoorbell.continuation.finish()
        for poll in polls.keys {
            resolvePoll(poll, .shutdown)
        }
    }

    private func pruneUpdates() {
        let now = now()
        updates.removeAll { now - $0.created > Self.retention }
    }

    // MARK: Webhook

    func deleteWebhook(dropPendingUpdates: Bool) {
        webhookURL = nil
        webhookSecret = nil
        webhookLastError = nil
        if dropPendingUpdates { updates.removeAll() }
    }

    /// Sets the webhook: from now on updates are pushed to `url`, one at a time and in order, each
    /// until the receiver answers 2xx; a poll in progress ends.
    func setWebhook(url: String, secretToken: String?, allowedUpdates allowed: [String]?, dropPendingUpdates: Bool) {
        webhookURL = url
        webhookSecret = secretToken
        webhookLastError = nil
        if let allowed { allowedUpdates = allowed.isEmpty ? nil : Set(allowed) }
        if dropPendingUpdates { updates.removeAll() }
        if let poll = activePoll { resolvePoll(poll, .terminated) }
        webhookDoorbell.continuation.yield()
    }

    /// The next update to push, with where to and the secret; nil when there is none or no webhook.
    func nextPush() -> (url: String, secret: String?, updateID: Int64, body: JSONValue)? {
        pruneUpdates()
        guard let url = webhookURL, let update = updates.first else { return nil }
        return (url, webhookSecret, update.id, update.json)
    }

    /// The receiver took the update (2xx): it is confirmed, as a getUpdates offset would.
    func pushed(_ updateID: Int64) {
        updates.removeAll { $0.id == updateID }
        webhookLastError = nil
    }

    /// The receiver did not take the update: it stays first in the queue, to be pushed again.
    func pushFailed(_ message: String) {
        webhookLastError = (now(), message)
        webhookPushFailures += 1
    }

    var webhookInfo: JSONValue {
        .object([
            ("url", .string(webhookURL ?? "")),
            ("has_custom_certificate", .bool(false)),
            ("pending_update_count", .int(Int64(updates.count))),
            ("last_error_date", webhookLastError.map { .int($0.date) }),
            ("last_error_message", webhookLastError.map { .string($0.message) }),
            ("allowed_updates", allowedUpdates.map { .array($0.sorted().map(JSONValue.string)) }),
        ])
    }

    // MARK: Injection

    /// A user or channel posts or edits: the message is stored and an update queued.
    /// Several messages in one turn of the actor: a waiting poll answers with all of them.
    func inject(all injected: [TelegramEmulator.InjectedUpdate]) throws -> [(updateID: Int64, messageID: Int64)] {
        try injected.map { try inject($0) }
    }

    func inject(_ injected: TelegramEmulator.InjectedUpdate) throws -> (updateID: Int64, messageID: Int64) {
        if injected.kind.isBusiness {
            guard let connection = injected.businessConnectionID, businessConnections[connection] != nil else {
                throw EmulatorError.invalidInjection("a business message needs the business_connection_id of a connection (POST /_emulator/business)")
            }
            guard injected.chat.type == .private else { throw EmulatorError.invalidInjection("business messages are in private chats") }
        }
        if injected.kind.isChannel != (injected.chat.type == .channel) {
            throw EmulatorError.invalidInjection(
                "kind \(injected.kind.rawValue) does not fit a \(injected.chat.type.rawValue) chat"
            )
        }
        guard injected.chat.id != 0 else { throw EmulatorError.invalidInjection("chat.id must not be 0") }
        var files = injected.document.map { [(TelegramMedia.Kind.document, $0)] } ?? injected.photo.map { [(.photo, $0)] } ?? []
        for (field, file) in injected.media ?? [:] {
            guard let kind = TelegramMedia.Kind(rawValue: field) else {
                throw EmulatorError.invalidInjection("media '\(field)' is none of \(TelegramMedia.Kind.allCases.map(\.rawValue))")
            }
            files.append((kind, file))
        }
        guard files.count <= 1 else { throw EmulatorError.invalidInjection("a message carries one file") }
        let native = try Self.injectedNative(injected.content)
        guard !injected.text.isEmpty || !files.isEmpty || native != nil else { throw EmulatorError.invalidInjection("text is empty") }
        var media: TelegramMedia?
        if let (kind, file) = files.first {
            guard let data = Data(base64Encoded: file.content) else { throw EmulatorError.invalidInjection("file content is not base64") }
            let stored = storeFile(
                Array(data),
                name: file.fileName,
                mimeType: file.mimeType ?? (kind == .photo ? "image/jpeg" : nil),
                kind: kind,
                duration: file.duration,
                emoji: file.emoji
            )
            media = TelegramMedia(kind: kind, fileID: stored.id)
        }
        let text: TelegramText
        do {
            text = try TelegramText.parse(injected.text, parseMode: nil, entities: injected.entities)
        } catch let error as TelegramAPIError {
            throw EmulatorError.invalidInjection(error.description)
        }
        let chat = upsert(injected.chat)
        if let threadID = injected.messageThreadID {
            do {
                // A user's message in a topic shows the topic exists.
                try declareTopic(threadID, in: chat)
            } catch {
                throw EmulatorError.invalidInjection("message_thread_id needs a forum supergroup")
            }
        }
        let sender: TelegramStoredMessage.Sender
        if injected.kind.isChannel {
            sender = .chat
        } else if let from = injected.from {
            sender = .user(from)
        } else if chat.type == .private {
            sender = .user(TelegramEmulator.User(id: chat.id, firstName: chat.firstName ?? "User \(chat.id)", isBot: false))
        } else {
            throw EmulatorError.invalidInjection("from is required for a message in a \(chat.type.rawValue) chat")
        }
        let now = now()
        var message: TelegramStoredMessage
        if injected.kind.isEdit {
            guard let messageID = injected.messageID else {
                throw EmulatorError.invalidInjection("message_id is required for \(injected.kind.rawValue)")
            }
            guard let existing = self.message(messageID, in: chat.id), !existing.sentByBot else {
                throw EmulatorError.unknownMessage("message \(messageID) of chat \(chat.id) was not posted by a user")
            }
            message = existing
            message.text = text
            message.editDate = now
        } else {
            if let replyID = injected.replyToMessageID, self.message(replyID, in: chat.id) == nil {
                throw EmulatorError.unknownMessage("reply_to_message_id \(replyID) is not a message of chat \(chat.id)")
            }
            message = TelegramStoredMessage(
                id: nextMessageID(in: chat.id),
                chatID: chat.id,
                threadID: injected.messageThreadID,
                sender: sender,
                sentByBot: false,
                date: now,
                editDate: nil,
                text: text,
                replyToID: injected.replyToMessageID
            )
            message.media = media
            message.native = native
            message.mediaGroupID = injected.mediaGroupID
            message.businessConnectionID = injected.kind.isBusiness ? injected.businessConnectionID : nil
        }
        store(message)
        return (enqueue(message, as: injected.kind.rawValue), message.id)
    }

    /// Queues an update carrying `message` (when allowed_updates takes its kind) and wakes a
    /// waiting poll and the webhook sender; answers the update's id.
    func enqueue(_ message: TelegramStoredMessage, as kind: String) -> Int64 {
        let updateID = nextUpdateID
        nextUpdateID += 1
        if (allowedUpdates ?? Self.defaultUpdateKinds).contains(kind) {
            updates.append(TelegramStoredUpdate(id: updateID, kind: kind, message: messageJSON(message), created: now()))
            if let poll = activePoll {
                resolvePoll(poll, .woken)
            }
            webhookDoorbell.continuation.yield()
        } else {
            logger.debug("update not allowed by allowed_updates", metadata: ["emulator.kind": "\(kind)"])
        }
        return updateID
    }

    /// The Message fields of content that is no file the control API takes as they are.
    static let injectableContent: Set<String> = [
        "location", "venue", "contact", "poll", "dice", "story", "checklist", "game", "invoice", "giveaway", "paid_media",
    ]

    /// The content of an injected message: at most one field, one the Bot API defines.
    static func injectedNative(_ content: [String: JSONValue]?) throws -> TelegramNative? {
        guard let content, !content.isEmpty else { return nil }
        guard content.count == 1, let (field, value) = content.first, injectableContent.contains(field), value.objectValue != nil else {
            throw EmulatorError.invalidInjection("content is one object of \(injectableContent.sorted())")
        }
        return TelegramNative(field: field, value: value)
    }

    /// A business account connects to the bot: kept, and a `business_connection` update queued.
    func connectBusiness(id: String, user: TelegramEmulator.User, userChatID: Int64) {
        businessConnections[id] = userChatID
        let updateID = nextUpdateID
        nextUpdateID += 1
        guard (allowedUpdates ?? Self.defaultUpdateKinds).contains("business_connection") else { return }
        let connection = JSONValue.object([
            ("id", .string(id)), ("user", Self.userJSON(user)), ("user_chat_id", .int(userChatID)), ("date", .int(now())),
            ("is_enabled", .bool(true)),
        ])
        updates.append(TelegramStoredUpdate(id: updateID, kind: "business_connection", message: connection, created: now()))
        if let poll = activePoll { resolvePoll(poll, .woken) }
        webhookDoorbell.continuation.yield()
    }

    /// The business connection a send names, checked: it must exist, and the chat be a private one.
    func businessConnection(_ id: String?, for chat: Chat) throws -> String? {
        guard let id else { return nil }
        guard businessConnections[id] != nil else { throw TelegramAPIError.badRequest("BUSINESS_CONNECTION_INVALID") }
        guard chat.type == .private else { throw TelegramAPIError.badRequest("BUSINESS_PEER_INVALID") }
        return id
    }
}
