import Foundation
import GatehouseCore
import HummingbirdWSClient
import Logging
import Metrics
import Synchronization

extension DingTalkAdapter {
    /// The robot message topic of Stream mode.
    static let botMessageTopic = "/v1.0/im/bot/messages/get"

    /// What a connection tells the intake loop about itself.
    enum ConnectionEvent: Sendable {
        /// The server announced a disconnect: open the next connection now, while this one drains
        /// until the server closes it (10 s later), so nothing pushed meanwhile is lost.
        case draining(Int)
        /// The connection is closed; with the error that closed it, if any.
        case ended(Int, (any Error)?)
    }

    /// Stream mode intake. One connection at a time is current; on `disconnect` the next is opened
    /// at once (warm reconnect) and the old one keeps being read until the server closes it. A
    /// connection silent for longer than `idleTimeout` (no ping, no push) is taken for a zombie
    /// and replaced. Failures are retried with jittered backoff.
    public func receive(_ handler: @escaping InboundHandler) async throws {
        await registerCardCallbackUntilDone()
        if configuration.receive == .http {
            // Nothing to connect to: the platform posts to the gateway's push door, which hands
            // each callback to ``decode(_:)``.
            started?.fire()
            logger.info("receiving robot messages by HTTP callback")
            return
        }
        let (events, report) = AsyncStream.makeStream(of: ConnectionEvent.self)
        try await withThrowingTaskGroup(of: Void.self) { connections in
            defer { connections.cancelAll() }
            var failures = 0
            var number = 0
            var pending = events.makeAsyncIterator()
            while !Task.isCancelled, !stoodDown.hasFired {
                number += 1
                let current = number
                do {
                    let connection = try await openConnection()
                    // Every connection after the first is a reconnect (a disconnect, a zombie, a failure).
                    if current > 1 {
                        Counter(label: "gatehouse_stream_reconnects_total", dimensions: [("platform", platform)]).increment()
                    }
                    connections.addTask {
                        // The first attempt counts as made once the connection has taken in what
                        // waited for it (see `run`), or has ended, whatever its outcome.
                        defer { self.started?.fire() }
                        do {
                            try await self.run(connection, number: current, handler, report: report)
                            report.yield(.ended(current, nil))
                        } catch {
                            report.yield(.ended(current, error))
                        }
                    }
                } catch {
                    started?.fire()
                    report.yield(.ended(current, error))
                }
                // Wait for what the current connection does; older, draining ones may end meanwhile.
                while let event = await pending.next() {
                    if case .draining(current) = event {
                        failures = 0
                        break
                    }
                    if case .ended(current, let error) = event {
                        if Task.isCancelled || stoodDown.hasFired { return }
                        if let error {
                            failures += 1
                            let delay = configuration.reconnectBackoff.delay(afterFailures: failures)
                            logger.warning(
                                "stream connection failed; retrying",
                                metadata: [
                                    "gh.error": .string(String(describing: error)), "gh.retry_in": .string(delay.description),
                                ]
                            )
                            try await Task.sleep(for: delay)
                        } else {
                            failures = 0
                            logger.info("stream connection closed; reconnecting")
                        }
                        break
                    }
                }
            }
        }
    }

    /// Stream mode only: a callback's platform posts to whichever instance its URL names.
    public var standsDown: Bool { configuration.receive != .http }

    public func standDown() async {
        stoodDown.fire()
    }

    /// Registers the card callback address (when clicks come by HTTP), retrying a failure a few
    /// times; clicks cannot reach the gateway without it, which is said loudly.
    private func registerCardCallbackUntilDone() async {
        guard takesCardPushes else { return }
        for attempt in 1...5 {
            do {
                try await registerCardCallback()
                return
            } catch {
                logger.error(
                    "card callbacks could not be registered; review cards cannot be clicked until they are",
                    metadata: ["gh.error": .string(String(describing: error)), "gh.attempt": .stringConvertible(attempt)]
                )
                try? await Task.sleep(for: configuration.reconnectBackoff.delay(afterFailures: attempt))
            }
        }
    }

    /// Asks for a connection: an endpoint and a single-use ticket.
    private func openConnection() async throws -> OpenConnectionResponse {
        try await api.post(
            "/v1.0/gateway/connections/open",
            OpenConnectionRequest(
                clientId: configuration.clientID,
                clientSecret: configuration.clientSecret.value,
                subscriptions: [
                    .init(type: "EVENT", topic: "*"),
                    .init(type: "CALLBACK", topic: Self.botMessageTopic),
                    .init(type: "CALLBACK", topic: Self.cardCallbackTopic),
                ],
                ua: "gatehouse/1.0",
                localIp: ""
            )
        )
    }

    /// The watchdog's verdict on a connection that went quiet.
    struct IdleConnection: Error, CustomStringConvertible {
        var silence: Duration
        var description: String { "no frame for \(silence) (no ping, no push): taken for a dead connection" }
    }

    /// One WebSocket connection, until the server closes it or it goes quiet for too long.
    private func run(
        _ connection: OpenConnectionResponse,
        number: Int,
        _ handler: @escaping InboundHandler,
        report: AsyncStream<ConnectionEvent>.Continuation
    ) async throws {
        guard var components = URLComponents(string: connection.endpoint) else {
            throw DeliveryError.invalidResponse("connections/open returned an endpoint that is not a URL")
        }
        // The ticket is opaque: let URLComponents percent-encode it once.
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "ticket", value: connection.ticket)]
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else {
            throw DeliveryError.invalidResponse("cannot build the stream URL")
        }
        var logger = self.logger
        logger[metadataKey: "gh.connection"] = .stringConvertible(number)
        let idleTimeout = configuration.idleTimeout
        let lastFrame = LastFrame()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [logger] in
                try await WebSocketClient.connect(
                    url: url,
                    configuration: .init(maxFrameSize: 1 << 20),
                    logger: logger
                ) { inbound, outbound, _ in
                    logger.info("stream connected")
                    let robots = RobotBatch()
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask {
                            // Ready once what DingTalk held for a connection is committed: it
                            // pushes that backlog (a takeover's worth of robot messages, which it
                            // never pushes again) the moment a connection opens, so an instance
                            // is not called ready while a kill would still lose it.
                            await Self.settled(robots)
                            self.started?.fire()
                        }
                        tasks.addTask {
                            // Standing down: the server is told to push elsewhere; what it sent
                            // before it heard is still read below, until its close comes.
                            await self.stoodDown.wait()
                            guard !Task.isCancelled else { return }
                            logger.info("standing down: closing the stream connection")
                            try await outbound.close(.normalClosure, reason: "standing down")
                        }
                        tasks.addTask {
                            await robots.run { batch in await self.commit(batch, handler: handler) }
                        }
                        do {
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                lastFrame.touch()
                                guard case .text(let text) = message else { continue }
                                let reply: @Sendable (String) async throws -> Void = { try await outbound.writeTextMessage($0) }
                                if try await self.handle(text, reply: reply, handler: handler, robots: robots, logger: logger) {
                                    report.yield(.draining(number))
                                }
                            }
                        } catch {
                            // What arrived before the connection failed is committed all the same.
                            robots.finish()
                            await Self.untilIdle(robots)
                            throw error
                        }
                        robots.finish()
                        await Self.untilIdle(robots)
                        tasks.cancelAll()
                    }
                }
            }
            group.addTask { [logger] in
                // The watchdog: a connection the server stopped talking on is closed (by cancelling
                // it), so that the intake loop opens a fresh one; the server pushes again what it
                // did not get an ACK for.
                while true {
                    try await Task.sleep(for: min(idleTimeout / 4, .seconds(1)))
                    let silence = lastFrame.silence
                    if silence > idleTimeout {
                        logger.warning("stream connection went quiet; replacing it", metadata: ["gh.silence": .string(silence.description)])
                        throw IdleConnection(silence: silence)
                    }
                }
            }
            // Whichever ends first (the server closed, or the watchdog fired) ends the connection.
            try await group.next()
            group.cancelAll()
        }
    }

    /// When the last frame came, shared by a connection's reader and its watchdog.
    final class LastFrame: Sendable {
        private let time = Mutex(ContinuousClock.now)

        func touch() {
            time.withLock { $0 = .now }
        }

        var silence: Duration {
            ContinuousClock.now - time.withLock { $0 }
        }
    }

    /// Waits ``settleTime`` after a connection opened, then until what it had received by then
    /// has been through a commit (or the task is cancelled): the frames the server pushed as it
    /// opened are then in the ledger. Messages arriving after that do not hold it back: a new
    /// active instance, busy with a takeover's backlog under steady traffic, may never find its
    /// committer idle, and was once called ready seconds late for it.
    static func settled(_ robots: RobotBatch) async {
        try? await Task.sleep(for: settleTime)
        let mark = robots.added
        while !robots.hasHandled(mark), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Long enough for the frames a server writes as a connection opens to have been read.
    static let settleTime: Duration = .milliseconds(50)

    /// Waits until a connection's robot messages are all committed (or the task is cancelled).
    static func untilIdle(_ robots: RobotBatch) async {
        while !robots.isIdle, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Handles one frame, answering on the connection through `reply`; returns true for a
    /// `disconnect` announcement. Robot messages go to `robots` to be committed in batches, or,
    /// without one, are committed before this returns. Any text at all may arrive here (the
    /// fuzz target feeds it).
    func handle(
        _ text: String,
        reply: @escaping @Sendable (String) async throws -> Void,
        handler: @escaping InboundHandler,
        robots: RobotBatch? = nil,
        logger: Logger
    ) async throws -> Bool {
        let frame: DownstreamFrame
        do {
            frame = try JSONDecoder().decode(DownstreamFrame.self, from: Data(text.utf8))
        } catch {
            // A bad frame must not kill the connection.
            logger.warning("ignoring a stream frame that is not valid JSON", metadata: ["gh.bytes": .stringConvertible(text.utf8.count)])
            return false
        }
        let ack: @Sendable (String) async throws -> Void = { data in
            guard let messageID = frame.header("messageId") else { return }
            let json = try JSONEncoder().encode(UpstreamAck(headers: .init(messageId: messageID), data: data))
            try await reply(String(decoding: json, as: UTF8.self))
        }
        switch (frame.type, frame.header("topic")) {
        case ("SYSTEM", "ping"):
            // Echo the opaque back unchanged.
            try await ack(frame.data ?? "{}")
        case ("SYSTEM", "disconnect"):
            logger.info("stream server announced a disconnect; opening the next connection now", metadata: ["gh.reason": .string(frame.data ?? "")])
            return true
        case ("CALLBACK", Self.botMessageTopic):
            try await deliver(frame, handler: handler, robots: robots, ack: { try await ack(#"{"response":null}"#) })
        case ("CALLBACK", Self.cardCallbackTopic):
            try await answerCard(frame.data, ack: ack)
        case ("EVENT", _):
            try await handleEvent(frame, handler: handler, ack: { status in try await ack(status.data) })
        default:
            logger.debug("ignoring a stream frame", metadata: ["gh.type": .string(frame.type)])
        }
        return false
    }

    private func deliver(
        _ frame: DownstreamFrame,
        handler: InboundHandler,
        robots: RobotBatch?,
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
        let item = RobotBatch.Item(event: InboundEvent(envelope: envelope, acknowledgement: Acknowledgement(ack)), messageID: message.msgId)
        if let robots {
            await robots.add(item)
        } else {
            await commit([item], handler: handler)
        }
    }

    /// Commits robot messages, together. DingTalk does not push a robot message again (it is
    /// fire-and-forget on their side, over Stream and HTTP alike), so a failed commit is retried
    /// here a few times before the messages are given up, loudly. Returns whether they were committed.
    @discardableResult
    func commit(_ items: [RobotBatch.Item], handler: InboundHandler) async -> Bool {
        let retry = Backoff(minimum: .milliseconds(100), maximum: .seconds(2))
        let messages = items.map(\.messageID).joined(separator: ",")
        for attempt in 1...Self.commitAttempts {
            do {
                try await handler(items.map(\.event))
                return true
            } catch {
                guard attempt < Self.commitAttempts, !Task.isCancelled else {
                    logger.critical(
                        "robot messages could not all be committed; those not committed are lost (DingTalk pushes them once)",
                        metadata: [
                            "gh.message": .string(messages), "gh.error": .string(String(describing: error)),
                        ]
                    )
                    return false
                }
                logger.error(
                    "robot messages could not be committed; retrying",
                    metadata: [
                        "gh.message": .string(messages), "gh.error": .string(String(describing: error)),
                    ]
                )
                try? await Task.sleep(for: retry.delay(afterFailures: attempt))
            }
        }
        return false
    }

    /// What an unreadable message was, from a fixed set (it names a reason in the summary of
    /// ignored messages, which must stay bounded whatever the platform sends).
    static func unreadable(_ msgtype: String?) -> String {
        let known: Set<String> = ["text", "richText", "markdown", "interactiveCard", "chatRecord", "picture", "file", "audio", "video"]
        guard let msgtype, known.contains(msgtype) else { return "msgtype:other" }
        return "msgtype:" + msgtype
    }

    /// How often a robot message's commit is tried before it is given up.
    static let commitAttempts = 5

    func envelope(from message: RobotMessage) -> Envelope? {
        let (contents, attachments) = message.contents
        // A message with nothing Gatehouse can read (a type it does not know, an empty text) is
        // still a message: intake records it as ignored, by its type, rather than lose it.
        let readable = !contents.text.isEmpty || !attachments.isEmpty
        let body = readable ? contents : RichText(text: Self.unreadable(message.msgtype))
        return Envelope(
            origin: .init(platform: platform, conversation: message.conversationId, messageID: message.msgId, eventID: message.msgId),
            sender: .init(id: message.senderStaffId ?? message.senderId ?? "", name: message.senderNick ?? ""),
            kind: .post,
            body: body,
            attachments: attachments,
            time: message.createAt.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? Date(),
            labels: message.conversationType == "1" ? ["direct", Channel.privateLabel] : [],
            contentKind: readable ? message.contentKind : .service,
            quote: message.text?.isReplyMsg == true ? message.text?.repliedMsg?.content.map { String($0.prefix(Self.quoteLimit)) } : nil
        )
    }

    /// How much of a quoted message an envelope keeps (enough for its heading).
    static let quoteLimit = 512
}
