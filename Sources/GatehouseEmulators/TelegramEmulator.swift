import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A stand-alone Telegram Bot API server for one bot, written from the Bot API documentation.
///
/// Serves the Bot API at `http://host:port/bot<token>/<method>` and the control API under
/// `/_emulator/` (see CONFIG.md). Run it in a `ServiceGroup` (or a task) and cancel or shut it
/// down gracefully to stop it; ``port()`` tells where it listens.
public struct TelegramEmulator: Service, CustomStringConvertible {
    /// What logs show (ServiceGroup logs its services): never the configuration, which holds
    /// the credentials the emulator checks.
    public var description: String { "TelegramEmulator(\(configuration.host):\(configuration.port))" }

    /// How the emulated server behaves.
    public struct Configuration: Sendable {
        /// Interface to listen on.
        public var host: String
        /// Port to listen on; 0 picks a free one (see ``TelegramEmulator/port()``).
        public var port: Int
        /// The bot's token; nil accepts any well-formed token "<digits>:<30+ of [A-Za-z0-9_-]>".
        public var token: String?
        /// The bot's user id (getMe, `from` of its messages).
        public var botID: Int64
        /// The bot's username, without "@".
        public var botUsername: String
        /// The bot's display name.
        public var botFirstName: String
        /// Enforce the Bot FAQ limits with 429 and `retry_after`.
        public var rateLimits: Bool
        /// The limits enforced: Telegram's unless a test shrinks them.
        public var floodLimits: FloodLimits
        /// The wait before a webhook push the receiver did not take is tried again; it doubles
        /// with each failure up to 60 times this. Telegram's own schedule is not published.
        public var webhookRetry: Duration
        /// Chats known from the start, so that their "@username" resolves.
        public var chats: [Chat]
        /// The file sizes the server takes and gives: Telegram's unless a test shrinks them.
        public var fileLimits = FileLimits()
        /// Requests refused on purpose (none by default); `POST /_emulator/faults` changes them.
        public var faults = TelegramFaults()
        /// Take a webhook on plain http and any port, for a receiver on this machine (a test, the
        /// demo). Off by default, as on the platform: HTTPS on port 443, 80, 88 or 8443 only.
        public var plainWebhooks = false
        /// Take a send to any integer chat id, creating the chat on first use. Off by default, as
        /// on the platform: a chat the bot is not in is "chat not found"; declare chats in `chats`
        /// or with `POST /_emulator/chats`.
        public var openChats = false

        /// This configuration with every integer chat id open (``openChats``).
        public func openingChats() -> Self {
            var configuration = self
            configuration.openChats = true
            return configuration
        }

        /// A configuration; `botID` defaults to the number a configured token starts with.
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            token: String? = nil,
            botID: Int64? = nil,
            botUsername: String = "gatehouse_emulator_bot",
            botFirstName: String = "Gatehouse Emulator",
            rateLimits: Bool = true,
            floodLimits: FloodLimits = FloodLimits(),
            webhookRetry: Duration = .seconds(1),
            chats: [Chat] = []
        ) {
            self.host = host
            self.port = port
            self.token = token
            // A real token starts with the bot's id; follow it when one is configured.
            let tokenID = token.flatMap { $0.split(separator: ":").first }.flatMap { Int64($0) }
            self.botID = botID ?? tokenID ?? 7_000_000_001
            self.botUsername = botUsername
            self.botFirstName = botFirstName
            self.rateLimits = rateLimits
            self.floodLimits = floodLimits
            self.webhookRetry = webhookRetry
            self.chats = chats
        }
    }

    /// The Bot FAQ's broadcasting limits: about one message per second to a chat (after a short
    /// burst), 20 per minute to a group, supergroup or channel, about 30 per second overall.
    public struct FloodLimits: Sendable, Hashable {
        public var chatPerSecond: Double
        public var chatBurst: Int
        public var groupLimit: Int
        public var groupWindow: Duration
        public var botLimit: Int
        public var botWindow: Duration

        public init(
            chatPerSecond: Double = 1,
            chatBurst: Int = 3,
            groupLimit: Int = 20,
            groupWindow: Duration = .seconds(60),
            botLimit: Int = 30,
            botWindow: Duration = .seconds(1)
        ) {
            self.chatPerSecond = chatPerSecond
            self.chatBurst = chatBurst
            self.groupLimit = groupLimit
            self.groupWindow = groupWindow
            self.botLimit = botLimit
            self.botWindow = botWindow
        }
    }

    /// The configuration the emulator runs with.
    public let configuration: Configuration
    private let logger: Logger
    private let state: TelegramBotState
    private let listening = ListeningPort()

    /// Creates an emulator; it serves once ``run()`` is called.
    public init(configuration: Configuration = .init(), logger: Logger = Logger(label: "emulator.telegram")) {
        self.configuration = configuration
        self.logger = logger
        self.state = TelegramBotState(configuration: configuration, logger: logger)
    }

    /// Serves until the task is cancelled or a graceful shutdown is triggered; then wakes pending
    /// long polls so that the server drains promptly.
    public func run() async throws {
        let listening = self.listening
        let state = self.state
        let app = Application(
            responder: TelegramResponder(state: state, token: configuration.token, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { listening.bound(to: port) }
            },
            logger: logger
        )
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await gracefulShutdown()
                    await state.shutDown()
                }
                group.addTask { [configuration, logger] in
                    await Self.pushUpdates(state: state, retry: configuration.webhookRetry, logger: logger)
                }
                try await app.run()
                group.cancelAll()
            }
        } catch {
            listening.fail(listening.current == nil ? .bindFailed("\(error)") : .stopped())
            await state.shutDown()
            throw error
        }
        listening.fail(.stopped())
        await state.shutDown()
    }

    /// While a webhook is set, pushes each update as a POST of its JSON with the secret header,
    /// in order; one the receiver does not take (non-2xx, no answer) is pushed again after a
    /// doubling wait, and nothing behind it goes first.
    private static func pushUpdates(state: TelegramBotState, retry: Duration, logger: Logger) async {
        var failures = 0
        for await _ in state.webhookDoorbell.stream {
            while !Task.isCancelled, let push = await state.nextPush() {
                var request = HTTPClientRequest(url: push.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                if let secret = push.secret { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
                request.body = .bytes(ByteBuffer(bytes: (try? JSONEncoder().encode(push.body)) ?? Data()))
                let failure: String?
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    failure =
                        (200..<300).contains(Int(response.status.code))
                        ? nil : "Wrong response from the webhook: \(response.status.code) \(response.status.reasonPhrase)"
                } catch {
                    failure = "Connection refused"
                }
                guard let failure else {
                    await state.pushed(push.updateID)
                    failures = 0
                    continue
                }
                await state.pushFailed(failure)
                failures += 1
                logger.debug("webhook push failed", metadata: ["emulator.error": "\(failure)"])
                let wait = retry * (1 << min(failures - 1, 6))
                try? await Task.sleep(for: min(wait, retry * 60))
            }
        }
    }

    /// Waits until the server listens and returns the bound port.
    public func port() async throws -> Int {
        try await listening.value()
    }

    /// A user or channel posts or edits (the Swift mirror of `POST /_emulator/updates`).
    /// The update is then served by getUpdates.
    public func inject(_ update: InjectedUpdate) async throws -> (updateID: Int64, messageID: Int64) {
        try await state.inject(update)
    }

    /// Injects several messages at once, in order, as Telegram delivers an album's parts: a poll
    /// waiting for updates wakes once, to all of them. Stops at the first one refused.
    public func inject(all updates: [InjectedUpdate]) async throws -> [(updateID: Int64, messageID: Int64)] {
        try await state.inject(all: updates)
    }

    /// Makes a chat known, e.g. a channel with a username the bot posts to as "@username".
    public func register(chat: Chat) async {
        await state.upsert(chat)
    }

    /// The webhook set by the bot, if any.
    public var webhookURL: String? {
        get async { await state.webhookURL }
    }

    /// Moves the emulator's clock forward, e.g. past the 48 hours after which a message can no longer
    /// be deleted.
    public func advanceClock(by duration: Duration) async {
        await state.advanceClock(by: duration.components.seconds)
    }

    /// Upgrades a group to a supergroup (the Swift mirror of `POST /_emulator/migrate`): sends to
    /// the group's id are answered with `migrate_to_chat_id` from then on.
    public func migrate(group: Int64, to supergroup: Int64) async throws {
        try await state.migrate(group: group, to: supergroup)
    }

    /// Starts (or stops, with rate 0) refusing requests on purpose (the Swift mirror of
    /// `POST /_emulator/faults`).
    public func setFaults(_ faults: TelegramFaults) async {
        await state.setFaults(faults)
    }

    /// What the bot did, in order (the Swift mirror of `GET /_emulator/sent`); `chatID` filters
    /// by an integer id or "@username".
    public func sent(chatID: String? = nil) async -> [SentRecord] {
        await state.sent(chat: chatID)
    }

    /// A business account connects to the bot (the Swift mirror of `POST /_emulator/business`):
    /// its customers' messages can then be injected as `business_message`s through `id`.
    public func connectBusiness(id: String, user: User, userChatID: Int64) async {
        await state.connectBusiness(id: id, user: user, userChatID: userChatID)
    }

    /// A person blocks the bot (the Swift mirror of `POST /_emulator/blocks`): sends to their
    /// private chat are answered 403 "Forbidden: bot was blocked by the user".
    public func block(by user: Int64) async {
        await state.block(by: user)
    }

    /// The bytes of the file a message carries (a photo, a document, a voice note, …), or nil.
    public func file(chatID: Int64, messageID: Int64) async -> Data? {
        await state.fileData(chatID: chatID, messageID: messageID)
    }

    /// Request and rate-limit counters (the Swift mirror of `GET /_emulator/stats`).
    public func stats() async -> Stats {
        await state.stats()
    }
}
