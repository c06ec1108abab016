import ArgumentParser
import Foundation
import GatehouseEmulators
import Logging
import ServiceLifecycle

/// `gatehouse emulate telegram|dingtalk --port P`: one platform emulator alone, for trying configs.
struct Emulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve an emulator of the Telegram Bot API or the DingTalk open platform on 127.0.0.1.",
        discussion: """
            The platform's own API plus a control API under /_emulator/ (post as a user, read what \
            the bot sent, counters). Stops on SIGINT or SIGTERM.
            """
    )

    enum Platform: String, ExpressibleByArgument, CaseIterable {
        case telegram, dingtalk
    }

    @Argument(help: "telegram or dingtalk.")
    var platform: Platform

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Telegram: the only bot token accepted (default: any well-formed token).")
    var token: String?

    @Option(name: .customLong("client-id"), help: "DingTalk: the app's ClientID (AppKey).")
    var clientID: String?

    @Option(name: .customLong("client-secret"), help: "DingTalk: the app's ClientSecret (AppSecret).")
    var clientSecret: String?

    @Flag(name: .customLong("no-rate-limits"), help: "Do not enforce the platform's rate limits.")
    var noRateLimits = false

    @Flag(
        name: .customLong("plain-webhooks"),
        help: "Telegram: take a webhook on plain http and any port (a gateway on this machine); the platform takes HTTPS on 443, 80, 88 or 8443 only."
    )
    var plainWebhooks = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.logger("gatehouse.emulate", default: .info)
        let service: any Service
        let announce: @Sendable () async throws -> Void
        switch platform {
        case .telegram:
            var configuration = TelegramEmulator.Configuration()
            configuration.port = port
            configuration.token = token
            configuration.rateLimits = !noRateLimits
            configuration.plainWebhooks = plainWebhooks
            let emulator = TelegramEmulator(configuration: configuration, logger: logger)
            service = emulator
            announce = {
                let port = try await emulator.port()
                print("Telegram Bot API emulator on http://127.0.0.1:\(port) — api_url: http://127.0.0.1:\(port)")
                print("control API:")
                for endpoint in TelegramEmulator.controlEndpoints { print("  \(endpoint)") }
            }
        case .dingtalk:
            var configuration = DingTalkEmulator.Configuration()
            configuration.port = port
            if let clientID { configuration.clientID = clientID }
            if let clientSecret { configuration.clientSecret = clientSecret }
            configuration.robotCode = clientID ?? configuration.robotCode
            configuration.rateLimits = !noRateLimits
            let emulator = DingTalkEmulator(configuration: configuration, logger: logger)
            service = emulator
            announce = {
                let port = try await emulator.port()
                print("DingTalk emulator on http://127.0.0.1:\(port) — api_url and oapi_url: http://127.0.0.1:\(port)")
                print("control API:")
                for endpoint in DingTalkEmulator.controlEndpoints { print("  \(endpoint)") }
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await announce()
            // Scripts read the port from a pipe, where stdout is not flushed line by line.
            fflush(nil)
            try await tasks.waitForAll()
        }
    }
}
