import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging

/// Speaks DingTalk for an enterprise-internal app and its robot: Stream mode in, app-robot group
/// messages out (`/v1.0/robot/groupMessages/send`), recall for deletes.
public struct DingTalkAdapter: Adapter {
    public struct Configuration: Sendable {
        /// The config's name of the platform.
        public var platform: String
        /// The app's AppKey (ClientID).
        public var clientID: String
        /// The app's AppSecret (ClientSecret).
        public var clientSecret: Secret
        public var robotCode: String
        /// Base of the v1.0 API (`https://api.dingtalk.com`).
        public var apiURL: String
        /// Base of the old API (`https://oapi.dingtalk.com`); custom robots live there.
        public var oapiURL: String
        /// Backoff between failed Stream connection attempts.
        public var reconnectBackoff: Backoff
        /// A Stream connection with no frame (ping or push) for this long is taken for dead and
        /// replaced; several times the server's ping interval.
        public var idleTimeout: Duration
        /// How robot messages arrive: over a Stream connection the gateway opens (no inbound port
        /// needed), or as signed HTTP callbacks to `/hooks/<platform>`.
        public var receive: Receive
        /// How long the directory's answer about a sender is kept; zero asks the directory nothing.
        public var directoryTTL: Duration
        /// The public address of `/hooks/<platform>/cards`, registered at start for card clicks
        /// by HTTP; nil takes them over Stream.
        public var cardCallbackURL: String?

        public enum Receive: Sendable {
            case stream, http
        }

        public init(
            platform: String,
            clientID: String,
            clientSecret: Secret,
            robotCode: String,
            apiURL: String = "https://api.dingtalk.com",
            oapiURL: String = "https://oapi.dingtalk.com",
            reconnectBackoff: Backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(60), jitter: 0.3),
            idleTimeout: Duration = .seconds(90),
            receive: Receive = .stream,
            directoryTTL: Duration = .seconds(3600),
            cardCallbackURL: String? = nil
        ) {
            self.cardCallbackURL = cardCallbackURL
            self.directoryTTL = directoryTTL
            self.idleTimeout = idleTimeout
            self.receive = receive
            self.platform = platform
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.robotCode = robotCode
            self.apiURL = apiURL
            self.oapiURL = oapiURL
            self.reconnectBackoff = reconnectBackoff
        }
    }

    /// The msgParam limit of the robot send APIs, in bytes of its JSON string.
    static let msgParamLimit = 15_000

    public let configuration: Configuration
    let api: OpenAPIClient
    let tokens: AccessTokenCache
    let logger: Logger
    let robots: CustomRobotClient
    let robotPacer = RobotPacer()
    /// The organisation's directory, when the config asks it (`directory_ttl`).
    let directory: Directory?
    /// Answers clicks on review cards (``answerCards(with:)``).
    let cardHandler = CardHandler()
    /// Fired after the first Stream connection attempt (at once in HTTP mode).
    public let started: StartSignal? = StartSignal()
    /// Fired by ``standDown()``: the stream connection closes, and no other opens.
    let stoodDown = StartSignal()

    public var platform: String { configuration.platform }

    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.api = OpenAPIClient(baseURL: configuration.apiURL, http: httpClient)
        self.tokens = AccessTokenCache(client: api, appKey: configuration.clientID, appSecret: configuration.clientSecret)
        self.robots = CustomRobotClient(baseURL: configuration.oapiURL, http: httpClient)
        var logger = logger
        logger[metadataKey: "gh.platform"] = .string(configuration.platform)
        self.logger = logger
        self.directory =
            configuration.directoryTTL > .zero
            ? Directory(oapiURL: configuration.oapiURL, http: httpClient, tokens: tokens, ttl: configuration.directoryTTL, logger: logger)
            : nil
    }

    public var describesSenders: Bool { directory != nil }

    /// A person's one-to-one chat with the robot, reached by their staff id (oToMessages/batchSend).
    public func address(ofPrivateChat chat: String) -> Channel.Address { .users([chat]) }

    /// The sender by the directory: their name there, and their departments (joined with "、").
    public func describe(_ sender: Envelope.Sender) async -> Envelope.Sender {
        guard let directory, !sender.id.isEmpty, let person = await directory.person(sender.id) else { return sender }
        var described = sender
        described.name = person.name
        if !person.departments.isEmpty {
            described.department = person.departments.joined(separator: "、")
            described.departments = person.departments
        }
        return described
    }

    // MARK: - Delivery

    public func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        switch message.channel.address {
        case .robotWebhook(let token, let secret, let mentions):
            return try await sendThroughRobot(message, accessToken: token, secret: secret, mentions: mentions, progress: progress)
        case .users(let users):
            return try await sendOneToOne(message, to: users, progress: progress)
        default:
            break
        }
        let conversation = try conversation(of: message.channel)
        // Files a native form may take go as messages of their own, after the text.
        let carried = message.attachments.filter { Self.form(of: $0) != nil }
        for attachment in message.attachments where Self.form(of: attachment) == nil && attachment.form != .sticker {
            message.files.left(attachment, because: "no form DingTalk documents takes it")
        }
        let content = Self.content(of: message, leaving: carried)
        let texts = content.text.isEmpty && !carried.isEmpty ? [] : try msgParams(for: content, format: message.format)
        var keys = progress.delivered
        // The parts an earlier attempt delivered are not sent again.
        for (msgKey, param) in texts.dropFirst(keys.count) {
            keys.append(try await sendToGroup(conversation, msgKey: msgKey, param: param))
            await progress.record(keys)
        }
        for attachment in carried.dropFirst(max(0, keys.count - texts.count)) {
            let (msgKey, param) = try await fileMessage(attachment, of: message)
            keys.append(try await sendToGroup(conversation, msgKey: msgKey, param: param))
            await progress.record(keys)
        }
        return keys
    }

    private func sendToGroup(_ conversation: String, msgKey: String, param: String) async throws -> String {
        let response: GroupMessageSendResponse = try await authorized { token throws(DeliveryError) in
            try await api.post(
                "/v1.0/robot/groupMessages/send",
                GroupMessageSend(
                    msgParam: param,
                    msgKey: msgKey,
                    openConversationId: conversation,
                    robotCode: configuration.robotCode
                ),
                accessToken: token
            )
        }
        return response.processQueryKey
    }

    /// The message that shows a file: its native form after media/upload, or, when the file
    /// cannot be had, does not fit the form after all or is refused, a line naming it (logged).
    private func fileMessage(_ attachment: Envelope.Attachment, of message: OutboundMessage) async throws -> (msgKey: String, param: String) {
        do {
            if let form = Self.form(of: attachment), let native = try await upload(try await message.files(attachment), as: form) {
                return native
            }
            logger.warning(
                "attachment crosses as a line naming it: its bytes fit no form DingTalk documents",
                metadata: ["gh.attachment": .string(attachment.name ?? attachment.mimeType ?? "file")]
            )
            message.files.left(attachment, because: "its bytes fit no form DingTalk documents (type or size)")
        } catch let error as DeliveryError where error.isPermanent {
            logger.warning(
                "attachment crosses as a line naming it",
                metadata: ["gh.attachment": .string(attachment.name ?? attachment.mimeType ?? "file"), "gh.error": .string(error.detail)]
            )
            message.files.left(attachment, because: "\(error.code.rawValue): \(error.detail.prefix(120))")
        }
        return try msgParams(for: RichText(text: Self.line(naming: attachment)))[0]
    }

    /// Robot messages cannot be edited, only recalled: an edit is the new text sent, then the old recalled,
    /// so the group never lacks the message.
    /// Reports no progress: a retried edit sends the new text again and recalls the old (a robot
    /// message cannot be changed in place, so there is nothing to resume).
    public func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let keys = try await send(message)
        try await delete(nativeIDs, in: message.channel, priority: message.priority)
        return keys
    }

    /// Recalls earlier sends: a group's with groupMessages/recall, a one-to-one channel's with
    /// otoMessages/batchRecall (within the 24 hours the platform allows), 20 keys a call. A
    /// custom robot's messages cannot be recalled.
    public func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {
        guard !nativeIDs.isEmpty else { return }
        let conversation: String?
        switch channel.address {
        case .robotWebhook:
            throw DeliveryError.rejected("a custom robot's messages cannot be recalled")
        case .users:
            conversation = nil
        default:
            conversation = try self.conversation(of: channel)
        }
        for start in stride(from: 0, to: nativeIDs.count, by: Self.recallBatch) {
            let keys = Array(nativeIDs[start..<min(start + Self.recallBatch, nativeIDs.count)])
            let path = conversation == nil ? "/v1.0/robot/otoMessages/batchRecall" : "/v1.0/robot/groupMessages/recall"
            let response: GroupMessageRecallResponse = try await authorized { token throws(DeliveryError) in
                try await api.post(
                    path,
                    MessageRecall(openConversationId: conversation, robotCode: configuration.robotCode, processQueryKeys: keys),
                    accessToken: token
                )
            }
            // A key recalled already (a retry after a failure halfway) counts as recalled. The
            // documentation lists no failure reasons; "message.recalled" is the one the emulator gives.
            let failed = (response.failedResult ?? [:]).filter { $0.value != "message.recalled" }
            if !failed.isEmpty {
                throw DeliveryError.rejected(
                    "\(path): \(failed.count) of \(keys.count) messages not recalled: \(failed.values.sorted().joined(separator: "; "))"
                )
            }
        }
    }

    /// The most keys a recall takes a call.
    static let recallBatch = 20

    /// The text, with a line naming each attachment that does not cross as a file (`carried`
    /// do): the reader must know that the message came with one. A sticker's label is in the
    /// text already.
    static func text(of message: OutboundMessage, leaving carried: [Envelope.Attachment] = []) -> String {
        let named = message.attachments.filter { attachment in attachment.form != .sticker && !carried.contains(attachment) }
        guard !named.isEmpty else { return message.text }
        return ([message.text] + named.map(line(naming:))).joined(separator: "\n")
    }

    /// The line that stands for a file DingTalk does not get.
    static func line(naming attachment: Envelope.Attachment) -> String {
        "[附件 attachment: \(attachment.name ?? attachment.mimeType ?? "file")" + (attachment.bytes.map { ", \($0) bytes" } ?? "") + "]"
    }

    /// The text and its formatting, with the attachment lines after them.
    static func content(of message: OutboundMessage, leaving carried: [Envelope.Attachment] = []) -> RichText {
        RichText(text: text(of: message, leaving: carried), spans: message.spans)
    }

    /// Group sends carry files (media/upload and the sample* messages).
    public var acceptsFiles: Bool { true }

    /// The title a message goes under as Markdown, or nil for plain text: formatted text is
    /// rendered to DingTalk's Markdown; text the renderer wrote in Markdown keeps its title.
    static func markdownTitle(of content: RichText, format: OutboundMessage.Format) -> String? {
        switch format {
        case .markdown(let title): String(title.prefix(DingTalkMarkdown.titleLimit))
        case .plain: isFormatted(content, format: format) ? DingTalkMarkdown.title(for: content) : nil
        }
    }

    /// Whether a plain message has formatting DingTalk can show. One whose spans all degrade to
    /// plain text (code, spoilers, a `tg://` link) goes as plain text, which needs no escaping.
    static func isFormatted(_ content: RichText, format: OutboundMessage.Format) -> Bool {
        format == .plain && DingTalkMarkdown.showsAny(of: content.spans)
    }

    /// The texts a message is sent as, one a message: `content` split (first at `limit` bytes of
    /// text, never inside a span) and each part rendered — to Markdown when it is formatted, and
    /// as plain (unescaped) text otherwise; a part whose `size` (as sent) is over `limit` is split
    /// again, smaller by as much as it came out too large.
    static func parts(
        of content: RichText,
        format: OutboundMessage.Format,
        limit: Int,
        size: (String) throws(DeliveryError) -> Int
    ) throws(DeliveryError) -> [String] {
        // Every part of a formatted message is rendered, even one without spans: it goes as
        // Markdown too, where its text must be escaped.
        let formatted = isFormatted(content, format: format)
        let render = { (part: RichText) in formatted ? DingTalkMarkdown.markdown(for: part) : part.text }
        var pending = TextSplitter(limit: limit, measure: .utf8).split(content)
        var parts: [String] = []
        while !pending.isEmpty {
            let part = pending.removeFirst()
            let text = render(part)
            let sent = try size(text)
            let bytes = part.text.utf8.count
            if sent <= limit {
                parts.append(text)
            } else if bytes >= 64 {
                // A tenth to spare: markup and escapes are not spread evenly over the text.
                let smaller = max(8, min(bytes / 2 + bytes / 4, bytes * limit / sent * 9 / 10))
                pending.insert(contentsOf: TextSplitter(limit: smaller, measure: .utf8).split(part), at: 0)
            } else {
                // Too short to split again: only a long link target makes so little text this
                // large, so its words go without their formatting; a plain part goes as it is.
                parts.append(render(RichText(text: part.text)))
            }
        }
        return parts
    }

    /// The msgKey and msgParams for a message: `sampleText` for plain text, `sampleMarkdown` for
    /// formatted text or Markdown; split so that each JSON string stays within the limit (the
    /// markup and JSON escaping make it longer than the text, so the encoded size is what is checked).
    func msgParams(for content: RichText, format: OutboundMessage.Format = .plain) throws(DeliveryError) -> [(msgKey: String, param: String)] {
        let title = Self.markdownTitle(of: content, format: format)
        let encode = { (text: String) throws(DeliveryError) -> String in
            let data: Data?
            if let title {
                data = try? JSONEncoder().encode(SampleMarkdown(title: title, text: text))
            } else {
                data = try? JSONEncoder().encode(SampleText(content: text))
            }
            guard let data, let json = String(data: data, encoding: .utf8) else { throw .rejected("cannot encode the message") }
            return json
        }
        // The title is what notifications show; the text keeps the rest of the room.
        let reserve = 64 + (title?.utf8.count ?? 0) * 2
        // Measured against the text's share of the limit, so a msgParam is never over the whole.
        let parts = try Self.parts(of: content, format: format, limit: Self.msgParamLimit - reserve) { text throws(DeliveryError) in
            try encode(text).utf8.count - reserve
        }
        var params: [(msgKey: String, param: String)] = []
        for part in parts {
            params.append((title == nil ? "sampleText" : "sampleMarkdown", try encode(part)))
        }
        return params
    }

    /// Runs a call with the cached token; when the API says the token is invalid, fetches a new one and tries once more.
    func authorized<Result>(_ call: (String) async throws(DeliveryError) -> Result) async throws(DeliveryError) -> Result {
        let token = try await tokens.token()
        do {
            return try await call(token)
        } catch  where error.code == .tokenInvalid {
            await tokens.invalidate(token)
            return try await call(try await tokens.token())
        }
    }

    /// Sends through a custom robot: each part paced to the robot's 20 a minute and signed, with
    /// a `msgUuid` that is the same on every retry of that part. The platform gives no message id:
    /// the native ids are those msgUuids.
    private func sendThroughRobot(
        _ message: OutboundMessage,
        accessToken: Secret,
        secret: Secret?,
        mentions: Channel.Mentions,
        progress: PartProgress
    ) async throws -> [String] {
        // The robot is known by a digest of its token, never by the token itself.
        let robot = CustomRobotClient.key(of: accessToken)
        var ids = progress.delivered
        let content = Self.content(of: message)
        let title = Self.markdownTitle(of: content, format: message.format)
        let parts = try Self.parts(of: content, format: message.format, limit: Self.msgParamLimit - 256) { $0.utf8.count }
        for (index, part) in parts.enumerated() where index >= progress.delivered.count {
            let uuid = "\(message.idempotencyKey)-\(index)"
            let body = Self.mentioning(mentions, in: Self.robotMessage(part, title: title, uuid: uuid), isFirstPart: index == 0)
            let reservation = robotPacer.reserve(robot: robot)
            if reservation.wait > .zero { try await Task.sleep(for: reservation.wait) }
            do {
                defer { robotPacer.answered(reservation) }
                try await robots.send(body, accessToken: accessToken, secret: secret)
            } catch {
                if error.code == .rateLimited {
                    robotPacer.pause(robot: robot, for: CustomRobotClient.penalty)
                    logger.warning(
                        "custom robot throttled by the platform; it waits out the penalty",
                        metadata: [
                            "gh.channel": .string(message.channel.name), "gh.retry_in": .string(CustomRobotClient.penalty.description),
                        ]
                    )
                }
                throw error
            }
            ids.append("robot:" + uuid)
            await progress.record(ids)
        }
        return ids
    }

    /// The custom robot body of one part: `markdown` under a title, `text` without one.
    static func robotMessage(_ text: String, title: String?, uuid: String) -> CustomRobotMessage {
        guard let title else { return CustomRobotMessage(msgtype: "text", text: .init(content: text), msgUuid: uuid) }
        return CustomRobotMessage(msgtype: "markdown", markdown: .init(title: title, text: text), msgUuid: uuid)
    }

    private func conversation(of channel: Channel) throws(DeliveryError) -> String {
        guard case .conversation(let id) = channel.address else {
            throw .rejected("channel '\(channel.name)' is not a DingTalk group")
        }
        return id
    }
}
