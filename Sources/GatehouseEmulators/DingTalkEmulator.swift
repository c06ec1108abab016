import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// A stand-alone DingTalk Open Platform server for one enterprise-internal app and its robot,
/// written from the platform documentation.
///
/// Serves the api.dingtalk.com and oapi.dingtalk.com APIs on one `http://host:port`: access
/// tokens, Stream mode (`gateway/connections/open` and the WebSocket at `/connect`), the app
/// robot's send and recall APIs, custom robot webhooks (signed), session webhooks, and the
/// control API under `/_emulator/` (see CONFIG.md).
public struct DingTalkEmulator: Service, CustomStringConvertible {
    /// What logs show (ServiceGroup logs its services): never the configuration, which holds
    /// the credentials the emulator checks.
    public var description: String { "DingTalkEmulator(\(configuration.host):\(configuration.port))" }

    /// How the emulated platform behaves.
    public struct Configuration: Sendable {
        /// Interface to listen on.
        public var host: String
        /// Port to listen on; 0 picks a free one (see ``DingTalkEmulator/port()``).
        public var port: Int
        /// The app's Client ID (formerly AppKey).
        public var clientID: String
        /// The app's Client Secret (formerly AppSecret).
        public var clientSecret: String
        /// The app robot's code; sends must name it.
        public var robotCode: String
        /// The organisation's corpId (in robot messages).
        public var corpID: String
        /// Seconds an access token lives (renewed when fetched again while valid).
        public var accessTokenLifetime: Int
        /// How long a Stream ticket can be used (once).
        public var ticketLifetime: Duration
        /// Interval of SYSTEM ping frames on each connection; nil sends none.
        public var pingInterval: Duration?
        /// An un-ACKed CALLBACK is pushed again (same messageId) after this.
        public var ackTimeout: Duration
        /// A CALLBACK is dropped after this many deliveries without an ACK.
        public var maxDeliveries: Int
        /// After a SYSTEM disconnect the connection is closed after this grace: 10 s, as the
        /// platform waits (tests that exercise reconnects set a shorter one).
        public var disconnectGrace: Duration
        /// Enforce 20 QPS per app per API, and 20 messages per minute per custom robot.
        public var rateLimits: Bool
        /// How long a custom robot stays throttled after exceeding its limit (10 minutes on the platform).
        public var customRobotThrottle: Duration
        /// Custom robots (webhooks) accepted at `/robot/send`.
        public var customRobots: [CustomRobot]
        /// The organisation's staff ids; a one-to-one send names the others in
        /// `invalidStaffIdList`. Nil: everyone named exists.
        public var staffIDs: Set<String>?

        /// The app's AppKey: another name of ``clientID``.
        public var appKey: String {
            get { clientID }
            set { clientID = newValue }
        }

        /// A configuration; every setting has the documented platform value or a test-friendly default.
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            clientID: String = "dingemulator",
            clientSecret: String = "emulator-secret-0123456789abcdefghijklmnopqrstuv",
            robotCode: String? = nil,
            corpID: String = "dingemulatorcorp",
            accessTokenLifetime: Int = 7200,
            ticketLifetime: Duration = .seconds(90),
            pingInterval: Duration? = .seconds(20),
            ackTimeout: Duration = .seconds(10),
            maxDeliveries: Int = 10,
            disconnectGrace: Duration = .seconds(10),
            rateLimits: Bool = true,
            customRobotThrottle: Duration = .seconds(600),
            customRobots: [CustomRobot] = [],
            staffIDs: Set<String>? = nil
        ) {
            self.staffIDs = staffIDs
            self.host = host
            self.port = port
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.robotCode = robotCode ?? clientID
            self.corpID = corpID
            self.accessTokenLifetime = accessTokenLifetime
            self.ticketLifetime = ticketLifetime
            self.pingInterval = pingInterval
            self.ackTimeout = ackTimeout
            self.maxDeliveries = maxDeliveries
            self.disconnectGrace = disconnectGrace
            self.rateLimits = rateLimits
            self.customRobotThrottle = customRobotThrottle
            self.customRobots = customRobots
        }
    }

    /// The configuration the emulator runs with.
    public let configuration: Configuration
    private let logger: Logger
    private let app: DingTalkAppState
    private let hub: DingTalkStreamHub
    private let listening = ListeningPort()

    /// Creates an emulator; it serves once ``run()`` is called.
    public init(configuration: Configuration = .init(), logger: Logger = Logger(label: "emulator.dingtalk")) {
        self.configuration = configuration
        self.logger = logger
        self.app = DingTalkAppState(configuration: configuration, logger: logger)
        self.hub = DingTalkStreamHub(configuration: configuration, logger: logger)
    }

    /// Serves until the task is cancelled or a graceful shutdown is triggered; Stream
    /// connections are closed on shutdown.
    public func run() async throws {
        let listening = self.listening
        let app = self.app
        let hub = self.hub
        let tickInterval = DingTalkStreamHub.tickInterval(for: configuration)
        let application = Application(
            responder: DingTalkResponder(
                app: app,
                hub: hub,
                configuration: configuration,
                listening: listening,
                logger: logger
            ),
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(),
                    ws: .init(
                        maxFrameSize: DingTalkStream.maximumFrameSize,
                        autoPing: .disabled,
                        closeTimeout: .seconds(2)
                    )
                )
            ) { head, _, logger in
                await DingTalkStream.shouldUpgrade(head, app: app, hub: hub, logger: logger)
            },
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { listening.bound(to: port) }
            },
            logger: logger
        )
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Redelivery, pings and disconnect deadlines.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: tickInterval)
                        await hub.tick()
                    }
                }
                group.addTask {
                    try? await gracefulShutdown()
                    await hub.closeAll()
                }
                try await application.run()
                group.cancelAll()
            }
        } catch {
            listening.fail(listening.current == nil ? .bindFailed("\(error)") : .stopped())
            await hub.closeAll()
            throw error
        }
        listening.fail(.stopped())
        await hub.closeAll()
    }

    /// Waits until the server listens and returns the bound port.
    public func port() async throws -> Int {
        try await listening.value()
    }

    /// A person writes to the robot (the Swift mirror of `POST /_emulator/messages`): pushed as a
    /// CALLBACK to an open Stream connection subscribed to robot messages, or queued until one
    /// connects. Returns the message's msgId.
    public func inject(_ message: InjectedMessage) async throws -> String {
        let port = listening.current ?? configuration.port
        return try await Self.inject(
            message,
            app: app,
            hub: hub,
            configuration: configuration,
            endpointHost: "\(configuration.host):\(port)"
        )
    }

    /// What the robots sent, in order (the Swift mirror of `GET /_emulator/sent`).
    public func sent(conversation: String? = nil) async -> [SentRecord] {
        await app.sent(conversation: conversation)
    }

    /// Request and throttling counters (the Swift mirror of `GET /_emulator/stats`).
    public func stats() async -> Stats {
        await app.stats()
    }

    /// Stream mode counters: pushes, redeliveries, ACKs, pings.
    public func streamStats() async -> StreamStats {
        await hub.stats
    }

    /// The robot messages pushed over Stream whose ACK never came, oldest first (the Swift
    /// mirror of `GET /_emulator/unacknowledged`): a robot message is pushed once, so one that its
    /// client did not take in before its connection died is lost, as on the platform.
    public func unacknowledged() async -> [UnacknowledgedPush] {
        await Self.unacknowledged(hub: hub)
    }

    static func unacknowledged(hub: DingTalkStreamHub) async -> [UnacknowledgedPush] {
        await hub.unacknowledgedCallbacks().map { push in
            UnacknowledgedPush(messageId: push.messageID, msgId: (try? JSONValue.parse(push.data))?["msgId"]?.stringValue)
        }
    }

    /// The number of open Stream connections.
    public func openConnections() async -> Int {
        await hub.openConnections
    }

    /// Sends a SYSTEM disconnect frame on every open connection and closes each after
    /// ``Configuration/disconnectGrace``, as the platform does when it rebalances connections.
    public func disconnectAll() async {
        await hub.disconnectAll(reason: "connection is expired")
    }

    /// Turns every open Stream connection into a zombie (the Swift mirror of
    /// `POST /_emulator/zombie`): it stays open and nothing reaches the client any more.
    public func makeZombies() async {
        await hub.makeZombies()
    }

    /// Someone publishes an announcement (the Swift mirror of `POST /_emulator/blackboards`): kept
    /// for `get_blackboard`, and its `blackboard_sent` EVENT pushed to a Stream connection
    /// subscribed to events (queued until one connects, pushed again until acknowledged SUCCESS).
    @discardableResult
    public func publish(_ announcement: Announcement) async -> PublishedAnnouncement {
        await Self.publish(announcement, app: app, hub: hub)
    }

    /// Pushes any event (the Swift mirror of `POST /_emulator/events`): `data` is the event's
    /// body as a JSON string. Returns its eventId.
    @discardableResult
    public func pushEvent(eventType: String, data: String) async -> String {
        await hub.publishEvent(eventType: eventType, data: data)
    }

    /// The interactive cards (the Swift mirror of `GET /_emulator/cards`).
    public func cards() async -> [Card] {
        await app.allCards()
    }

    /// A person clicks a card's button (the Swift mirror of `POST /_emulator/cards/click`): the
    /// callback goes to the app, and its answer, if it comes within two seconds, updates the card.
    public func click(_ click: Click) async throws -> ClickResult {
        try await Self.click(click, app: app, hub: hub, corpID: configuration.corpID)
    }

    /// Deletes an announcement: `get_blackboard` answers badRequest for it from now on.
    public func deleteAnnouncement(_ blackboardId: String) async {
        _ = await app.deleteBlackboard(blackboardId)
    }

    static func publish(_ announcement: Announcement, app: DingTalkAppState, hub: DingTalkStreamHub) async -> PublishedAnnouncement {
        let blackboard = await app.publish(announcement)
        let unionID = DingTalkAppState.randomHex(bytes: 8)
        let eventID = await hub.publishEvent(eventType: "blackboard_sent", data: blackboard.event(unionID: unionID).jsonString)
        return PublishedAnnouncement(blackboardId: blackboard.id, eventId: eventID)
    }

    /// Accepts a custom robot webhook at `/robot/send`.
    public func register(customRobot: CustomRobot) async {
        await app.register(customRobot)
    }

    /// The robot message's session webhook lives this long (milliseconds), like the platform's.
    static let sessionLifetime: Int64 = 90 * 60 * 1000

    static func inject(
        _ message: InjectedMessage,
        app: DingTalkAppState,
        hub: DingTalkStreamHub,
        configuration: Configuration,
        endpointHost: String
    ) async throws -> String {
        guard message.conversationType == "1" || message.conversationType == "2" else {
            throw EmulatorError.invalidInjection("conversationType must be \"1\" (one-to-one) or \"2\" (group)")
        }
        guard !message.conversationId.isEmpty else { throw EmulatorError.invalidInjection("conversationId is empty") }
        guard !message.senderStaffId.isEmpty else { throw EmulatorError.invalidInjection("senderStaffId is empty") }
        var downloadCode: String?
        if let file = message.file {
            guard ["picture", "file", "audio", "video"].contains(file.msgtype) else {
                throw EmulatorError.invalidInjection("file.msgtype must be picture, file, audio or video")
            }
            // Robots receive files, voice and video only from their one-to-one chats.
            guard file.msgtype == "picture" || message.conversationType == "1" else {
                throw EmulatorError.invalidInjection("in a group the robot does not receive \(file.msgtype) messages, only in its one-to-one chats")
            }
            guard let data = Data(base64Encoded: file.content), !data.isEmpty else {
                throw EmulatorError.invalidInjection("file.content is not base64 of a non-empty file")
            }
            downloadCode = await app.receive(DingTalkMedia(type: file.msgtype, name: file.fileName, data: Array(data)))
        } else if message.text.isEmpty {
            throw EmulatorError.invalidInjection("text is empty")
        }
        let msgID = "msg" + DingTalkAppState.randomKey(bytes: 16)
        let session = await app.openSession(conversation: message.conversationId, lifetime: sessionLifetime)
        let data = DingTalkRobotMessages.robotMessage(
            message,
            downloadCode: downloadCode,
            msgID: msgID,
            configuration: configuration,
            sessionWebhook: "http://\(endpointHost)/robot/sendBySession?session=\(session.session)",
            sessionExpires: session.expires
        )
        if let url = await app.callbackURL {
            await app.recordCallback(status: await postCallback(data, to: url, secret: configuration.clientSecret))
        } else {
            await hub.publishCallback(topic: DingTalkStreamHub.robotTopic, data: data)
        }
        return msgID
    }

    /// Adds people and departments to the organisation's directory (the Swift mirror of
    /// `POST /_emulator/directory`).
    public func addToDirectory(_ entries: DirectoryEntries) async {
        for person in entries.people ?? [] { await app.addPerson(person) }
        for department in entries.departments ?? [] { await app.addDepartment(department) }
    }

    /// The name a file uploaded with media/upload was given.
    public func mediaName(_ mediaID: String) async -> String? {
        await app.medium(mediaID)?.name
    }

    /// The download code of the last file a person sent the robot (as its message carried it).
    public func lastDownloadCode() async -> String? {
        await app.lastReceivedCode
    }

    /// The bytes of a file the app uploaded with media/upload (what a sampleFile or
    /// sampleImageMsg showed), or nil.
    public func media(_ mediaID: String) async -> Data? {
        await app.medium(mediaID).map { Data($0.data) }
    }

    /// Posts a robot message to an HTTP callback, signed as the platform signs them (`timestamp`
    /// in milliseconds and `sign` = base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret)),
    /// not URL-encoded, in headers). Robot messages are fire-and-forget: no retry. Returns the
    /// status (0 when nothing answered).
    static func postCallback(_ data: String, to url: String, secret: String) async -> Int {
        let timestamp = String(EmulatorHTTP.nowMilliseconds())
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "timestamp", value: timestamp)
        request.headers.add(name: "sign", value: DingTalkRobotMessages.signature(timestamp: timestamp, secret: secret))
        request.body = .bytes(ByteBuffer(string: data))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }

    /// Posts robot messages, signed, to `url` instead of pushing them over Stream (the Swift
    /// mirror of `POST /_emulator/callback {"url": …}`); nil goes back to Stream.
    public func setCallbackURL(_ url: String?) async {
        await app.setCallbackURL(url)
    }

    /// The statuses HTTP callbacks were answered with, in order (0: no answer).
    public func callbackStatuses() async -> [Int] {
        await app.callbackStatuses
    }
}
