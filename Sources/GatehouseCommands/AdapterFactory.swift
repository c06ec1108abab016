import AsyncHTTPClient
import DingTalkAdapter
import GatehouseConfig
import GatehouseCore
import Logging
import TelegramAdapter

/// Builds the concrete adapter for every configured platform: the one place that knows them all.
public enum AdapterFactory {
    /// `cursors` keeps the adapters' places in their platforms' streams (the ledger).
    public static func adapters(for config: GatewayConfig, httpClient: HTTPClient, cursors: (any CursorStore)?, logger: Logger) -> [any Adapter] {
        config.platforms.values.sorted { $0.name < $1.name }.map { platform -> any Adapter in
            switch platform.settings {
            case .telegram(let telegram):
                TelegramAdapter(
                    configuration: .init(
                        platform: platform.name,
                        token: telegram.token,
                        apiURL: telegram.apiURL,
                        pollTimeout: telegram.pollTimeout,
                        limits: .init(chat: telegram.rateLimits.chat, group: telegram.rateLimits.group, bot: telegram.rateLimits.bot),
                        webhook: telegram.webhook.map { .init(url: "\($0.publicURL)/hooks/\(platform.name)", secret: $0.secret) },
                        chats: config.channels.values.filter { $0.platform == platform.name }.compactMap { channel in
                            if case .chat(let chat, _) = channel.address { chat } else { nil }
                        }
                    ),
                    httpClient: httpClient,
                    cursors: cursors,
                    logger: logger
                )
            case .dingtalk(let dingtalk):
                DingTalkAdapter(
                    configuration: .init(
                        platform: platform.name,
                        clientID: dingtalk.clientID,
                        clientSecret: dingtalk.clientSecret,
                        robotCode: dingtalk.robotCode,
                        apiURL: dingtalk.apiURL,
                        oapiURL: dingtalk.oapiURL,
                        idleTimeout: dingtalk.idleTimeout,
                        receive: dingtalk.receive == .http ? .http : .stream,
                        directoryTTL: dingtalk.directoryTTL,
                        cardCallbackURL: dingtalk.cardCallbackURL
                    ),
                    httpClient: httpClient,
                    logger: logger
                )
            }
        }
    }

    /// How people sign in to the console: the `console.sign_in` platform's DingTalk app.
    public static func signIn(for config: GatewayConfig, httpClient: HTTPClient, logger: Logger) -> (any ConsoleSignIn)? {
        guard let console = config.console, let platform = config.platforms[console.signIn], case .dingtalk(let dingtalk) = platform.settings
        else { return nil }
        return DingTalkSignIn(
            platform: platform.name,
            clientID: dingtalk.clientID,
            clientSecret: dingtalk.clientSecret,
            apiURL: dingtalk.apiURL,
            oapiURL: dingtalk.oapiURL,
            loginURL: dingtalk.loginURL,
            httpClient: httpClient,
            logger: logger
        )
    }
}
