import Foundation
import GatehouseCore
import HummingbirdWSClient
import Logging

extension DingTalkAdapter {
    /// The robot message topic of Stream mode.
    static let botMessageTopic = "/v1.0/im/bot/messages/get"

    /// Stream mode intake: open a connection, read frames, hand robot messages over, reconnect on
    /// `disconnect` or failure with backoff.
    public func receive(_ handler: @escaping InboundHandler) async throws {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection: OpenConnectionResponse = try await api.post(
                    "/v1.0/gateway/connections/open",
                    OpenConnectionRequest(
                        clientId: configuration.clientID, clientSecret: configuration.clientSecret.value,
                        subscriptions: [
                            .init(type: "EVENT", topic: "*"),
                            .init(type: "CALLBACK", topic: Self.botMessageTopic),
                        ],
                        ua: "gatehouse/1.0", localIp: ""
                    )
                )
                failures = 0
                try await run(connection, handler)
                logger.info("stream connection ended; reconnecting")
            } catch {
                if Task.isCancelled { break }
                failures += 1
                let delay = configuration.reconnectBackoff.delay(afterFailures: failures)
                logger.warning("stream connection failed; retrying", metadata: [
                    "gh.error": .string(String(describing: error)), "gh.retry_in": .string(delay.description),
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// One WebSocket connection, until the server closes it or says `disconnect`.
    private func run(_ connection: OpenConnectionResponse, _ handler: @escaping InboundHandler) async throws {
        guard var components = URLComponents(string: connection.endpoint) else {
            throw DeliveryError.invalidResponse("connections/open returned an endpoint that is not a URL")
        }
        // The ticket is opaque: let URLComponents percent-encode it once.
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "ticket", value: connection.ticket)]
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else {
            throw DeliveryError.invalidResponse("cannot build the stream URL")
        }
        let logger = self.logger
        try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger
        ) { inbound, outbound, _ in
            logger.info("stream connected")
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let frame: DownstreamFrame
                do {
                    frame = try JSONDecoder().decode(DownstreamFrame.self, from: Data(text.utf8))
                } catch {
                    // A bad frame must not kill the connection.
                    logger.warning("ignoring a stream frame that is not valid JSON", metadata: ["gh.bytes": .stringConvertible(text.utf8.count)])
                    continue
                }
                let ack: @Sendable (String) async throws -> Void = { data in
                    guard let messageID = frame.header("messageId") else { return }
                    let json = try JSONEncoder().encode(UpstreamAck(headers: .init(messageId: messageID), data: data))
                    try await outbound.writeTextMessage(String(decoding: json, as: UTF8.self))
                }
                switch (frame.type, frame.header("topic")) {
                case ("SYSTEM", "ping"):
                    // Echo the opaque back unchanged.
                    try await ack(frame.data ?? "{}")
                case ("SYSTEM", "disconnect"):
                    logger.info("stream server asked to reconnect", metadata: ["gh.reason": .string(frame.data ?? "")])
                    return
                case ("CALLBACK", Self.botMessageTopic):
                    try await deliver(frame, handler: handler, ack: { try await ack(#"{"response":null}"#) })
                case ("EVENT", _):
                    // No route selects platform events yet; confirm them so the server does not push them again.
                    try await ack(#"{"status":"SUCCESS","message":"success"}"#)
                default:
                    logger.debug("ignoring a stream frame", metadata: ["gh.type": .string(frame.type)])
                }
            }
        }
    }

    private func deliver(
        _ frame: DownstreamFrame, handler: InboundHandler,
        ack: @escaping @Sendable () async throws -> Void
    ) async throws {
        guard let data = frame.data, let message = try? JSONDecoder().decode(RobotMessage.self, from: Data(data.utf8)) else {
            logger.warning("ignoring a robot callback whose data is not a robot message")
            return
        }
        guard let envelope = envelope(from: message) else {
            // Nothing a route can take (an empty or non-text message): confirm it, nothing to commit.
            try await ack()
            return
        }
        // DingTalk does not push a robot message again (it is fire-and-forget on their side), so a
        // failed commit is retried here a few times before the message is given up, loudly.
        let retry = Backoff(minimum: .milliseconds(100), maximum: .seconds(2))
        for attempt in 1...Self.commitAttempts {
            do {
                try await handler([InboundEvent(envelope: envelope, acknowledgement: Acknowledgement(ack))])
                return
            } catch {
                guard attempt < Self.commitAttempts, !Task.isCancelled else {
                    logger.critical("a robot message could not be committed and is lost; it was not acknowledged", metadata: [
                        "gh.message": .string(message.msgId), "gh.error": .string(String(describing: error)),
                    ])
                    return
                }
                logger.error("a robot message could not be committed; retrying", metadata: [
                    "gh.message": .string(message.msgId), "gh.error": .string(String(describing: error)),
                ])
                try await Task.sleep(for: retry.delay(afterFailures: attempt))
            }
        }
    }

    /// How often a robot message's commit is tried before it is given up.
    static let commitAttempts = 5

    func envelope(from message: RobotMessage) -> Envelope? {
        let text = message.text?.content?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else { return nil }
        return Envelope(
            origin: .init(platform: platform, conversation: message.conversationId, messageID: message.msgId, eventID: message.msgId),
            sender: .init(id: message.senderStaffId ?? message.senderId ?? "", name: message.senderNick ?? ""),
            kind: .post,
            body: .init(text: text),
            time: message.createAt.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? Date(),
            labels: message.conversationType == "1" ? ["direct"] : []
        )
    }
}
