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

        public enum Receive: Sendable {
            case stream, http
        }

        public init(
            platform: String, clientID: String, clientSecret: Secret, robotCode: String,
            apiURL: String = "https://api.dingtalk.com", oapiURL: String = "https://oapi.dingtalk.com",
            reconnectBackoff: Backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(60), jitter: 0.3),
            idleTimeout: Duration = .seconds(90), receive: Receive = .stream
        ) {
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
    /// Where HTTP callbacks go while intake runs in `http` mode.
    let callbacks = CallbackIntake()
    let robots: CustomRobotClient
    let robotPacer = RobotPacer()

    public var platform: String { configuration.platform }

    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.api = OpenAPIClient(baseURL: configuration.apiURL, http: httpClient)
        self.tokens = AccessTokenCache(client: api, appKey: configuration.clientID, appSecret: configuration.clientSecret)
        self.robots = CustomRobotClient(baseURL: configuration.oapiURL, http: httpClient)
        var logger = logger
        logger[metadataKey: "gh.platform"] = .string(configuration.platform)
        self.logger = logger
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
        var keys = progress.delivered
        // The parts an earlier attempt delivered are not sent again.
        for (msgKey, param) in try msgParams(for: Self.text(of: message), format: message.format).dropFirst(keys.count) {
            let response: GroupMessageSendResponse = try await authorized { token throws(DeliveryError) in
                try await api.post(
                    "/v1.0/robot/groupMessages/send",
                    GroupMessageSend(msgParam: param, msgKey: msgKey, openConversationId: conversation,
                                     robotCode: configuration.robotCode),
                    accessToken: token
                )
            }
            keys.append(response.processQueryKey)
            await progress.record(keys)
        }
        return keys
    }

    /// Robot messages cannot be edited, only recalled: an edit is the new text sent, then the old recalled,
    /// so the group never lacks the message.
    /// Reports no progress: a retried edit sends the new text again and recalls the old (a robot
    /// message cannot be changed in place, so there is nothing to resume).
    public func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let keys = try await send(message)
        // One-to-one messages are not recalled here: the correction follows the original.
        if case .users = message.channel.address { return keys }
        try await delete(nativeIDs, in: message.channel)
        return keys
    }

    public func delete(_ nativeIDs: [String], in channel: Channel) async throws {
        guard !nativeIDs.isEmpty else { return }
        switch channel.address {
        case .robotWebhook:
            throw DeliveryError.rejected("a custom robot's messages cannot be recalled")
        case .users:
            throw DeliveryError.rejected("one-to-one robot messages are not recalled (the documented recall is for groups)")
        default:
            break
        }
        let conversation = try conversation(of: channel)
        let response: GroupMessageRecallResponse = try await authorized { token throws(DeliveryError) in
            try await api.post(
                "/v1.0/robot/groupMessages/batchRecall",
                GroupMessageRecall(openConversationId: conversation, robotCode: configuration.robotCode, processQueryKeys: nativeIDs),
                accessToken: token
            )
        }
        if let failed = response.failedResult, !failed.isEmpty {
            throw DeliveryError.rejected("batchRecall: \(failed.count) of \(nativeIDs.count) messages not recalled: \(failed.values.sorted().joined(separator: "; "))")
        }
    }

    /// The text, with a line naming each attachment: files are not uploaded to DingTalk yet, and
    /// the reader must know that the message came with some.
    static func text(of message: OutboundMessage) -> String {
        guard !message.attachments.isEmpty else { return message.text }
        let names = message.attachments.map { attachment in
            "[附件 attachment: \(attachment.name ?? attachment.mimeType ?? "file")" + (attachment.bytes.map { ", \($0) bytes" } ?? "") + "]"
        }
        return ([message.text] + names).joined(separator: "\n")
    }

    /// The msgKey and msgParams for a text: `sampleText`, or `sampleMarkdown` for Markdown; split so
    /// that each JSON string stays within the limit (escaping can make the JSON longer than the
    /// text, so the encoded size is what is checked).
    func msgParams(for text: String, format: OutboundMessage.Format = .plain) throws(DeliveryError) -> [(msgKey: String, param: String)] {
        let reserve: Int
        let encode: (String) throws -> Data
        let msgKey: String
        switch format {
        case .plain:
            (msgKey, reserve) = ("sampleText", 64)
            encode = { try JSONEncoder().encode(SampleText(content: $0)) }
        case .markdown(let title):
            // The title is what notifications show; keep it short so the text keeps the room.
            let title = String(title.prefix(64))
            (msgKey, reserve) = ("sampleMarkdown", 64 + title.utf8.count * 2)
            encode = { try JSONEncoder().encode(SampleMarkdown(title: title, text: $0)) }
        }
        var pending = TextSplitter(limit: Self.msgParamLimit - reserve, measure: .utf8).split(text)
        var params: [(String, String)] = []
        while !pending.isEmpty {
            let part = pending.removeFirst()
            guard let data = try? encode(part), let json = String(data: data, encoding: .utf8) else {
                throw .rejected("cannot encode the message")
            }
            if data.count <= Self.msgParamLimit || part.utf8.count < 64 {
                params.append((msgKey, json))
            } else {
                pending.insert(contentsOf: TextSplitter(limit: part.utf8.count / 2, measure: .utf8).split(part), at: 0)
            }
        }
        return params
    }

    /// Runs a call with the cached token; when the API says the token is invalid, fetches a new one and tries once more.
    func authorized<Result>(_ call: (String) async throws(DeliveryError) -> Result) async throws(DeliveryError) -> Result {
        let token = try await tokens.token()
        do {
            return try await call(token)
        } catch where error.detail.contains("InvalidAuthentication") || error.detail.contains("token.notExisted")
            || error.detail.contains("token.invalid") {
            await tokens.invalidate(token)
            return try await call(try await tokens.token())
        }
    }

    /// Sends through a custom robot: each part paced to the robot's 20 a minute and signed, with
    /// a `msgUuid` that is the same on every retry of that part. The platform gives no message id:
    /// the native ids are those msgUuids.
    private func sendThroughRobot(
        _ message: OutboundMessage, accessToken: Secret, secret: Secret?, mentions: Channel.Mentions, progress: PartProgress
    ) async throws -> [String] {
        // The robot is known by a digest of its token, never by the token itself.
        let robot = CustomRobotClient.key(of: accessToken)
        var ids = progress.delivered
        let parts = TextSplitter(limit: Self.msgParamLimit - 256, measure: .utf8).split(Self.text(of: message))
        for (index, part) in parts.enumerated() where index >= progress.delivered.count {
            let uuid = "\(message.idempotencyKey)-\(index)"
            let body = Self.mentioning(mentions, in: Self.robotMessage(part, format: message.format, uuid: uuid), isFirstPart: index == 0)
            let wait = robotPacer.reserve(robot: robot)
            if wait > .zero { try await Task.sleep(for: wait) }
            do {
                try await robots.send(body, accessToken: accessToken, secret: secret)
            } catch {
                if error.isRateLimited {
                    robotPacer.pause(robot: robot, for: CustomRobotClient.penalty)
                    logger.warning("custom robot throttled by the platform; it waits out the penalty", metadata: [
                        "gh.channel": .string(message.channel.name), "gh.retry_in": .string(CustomRobotClient.penalty.description),
                    ])
                }
                throw error
            }
            ids.append("robot:" + uuid)
            await progress.record(ids)
        }
        return ids
    }

    /// The custom robot body of one part, as `text` or `markdown`.
    static func robotMessage(_ text: String, format: OutboundMessage.Format, uuid: String) -> CustomRobotMessage {
        switch format {
        case .plain:
            return CustomRobotMessage(msgtype: "text", text: .init(content: text), msgUuid: uuid)
        case .markdown(let title):
            return CustomRobotMessage(msgtype: "markdown", markdown: .init(title: String(title.prefix(64)), text: text), msgUuid: uuid)
        }
    }

    private func conversation(of channel: Channel) throws(DeliveryError) -> String {
        guard case .conversation(let id) = channel.address else {
            throw .rejected("channel '\(channel.name)' is not a DingTalk group")
        }
        return id
    }
}
