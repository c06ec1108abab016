import GatehouseCore

/// One connected platform as configured.
public struct PlatformConfig: Sendable, Hashable {
    public var name: String
    public var side: Side
    public var settings: Settings

    /// The type-specific settings.
    public enum Settings: Sendable, Hashable {
        case dingtalk(DingTalk)
        case telegram(Telegram)
    }

    /// The platform type's name as written in `type:`.
    public var type: String {
        switch settings {
        case .dingtalk: "dingtalk"
        case .telegram: "telegram"
        }
    }

    /// A DingTalk enterprise-internal app and its robot.
    public struct DingTalk: Sendable, Hashable {
        /// The AppKey.
        public var clientID: String
        /// The AppSecret.
        public var clientSecret: Secret
        public var robotCode: String
        public var receive: Receive
        /// Base of the new API (`https://api.dingtalk.com`).
        public var apiURL: String
        /// Base of the old API (`https://oapi.dingtalk.com`).
        public var oapiURL: String
        /// A Stream connection with no frame for this long is taken for dead and replaced.
        public var idleTimeout: Duration = .seconds(90)
        /// How long the directory's answer about a person (name, departments) is kept (`directory_ttl`);
        /// zero asks the directory nothing.
        public var directoryTTL: Duration = .seconds(3600)
        /// Where DingTalk posts clicks on review cards (`card_callback_url`, the public address of
        /// `/hooks/<platform>/cards`); nil receives them over Stream.
        public var cardCallbackURL: String?
        /// Where people are sent to sign in to the console (DingTalk's `login.dingtalk.com`).
        public var loginURL = "https://login.dingtalk.com"

        public enum Receive: String, Sendable, CaseIterable {
            case stream, http
        }
    }

    /// A Telegram (or Telegram-compatible) bot.
    public struct Telegram: Sendable, Hashable {
        public var token: Secret
        /// Base of the Bot API (`https://api.telegram.org`).
        public var apiURL: String
        public var receive: Receive
        /// Long-poll timeout for getUpdates.
        public var pollTimeout: Duration
        /// How fast the bot may send (Telegram's broadcasting limits unless configured).
        public var rateLimits: RateLimits
        /// Where Telegram pushes updates, when `receive: webhook`.
        public var webhook: Webhook?

        /// `receive: webhook`: Telegram POSTs each update to `publicURL` + `/hooks/<platform>`
        /// with `secret` in `X-Telegram-Bot-Api-Secret-Token`.
        public struct Webhook: Sendable, Hashable {
            /// The public base URL that reaches `listen.http` (e.g. through a TLS proxy).
            public var publicURL: String
            public var secret: Secret
        }

        /// `rate_limits:` — per chat, per group, supergroup or channel, and for the bot overall.
        public struct RateLimits: Sendable, Hashable {
            public var chat = Rate(1, per: .seconds(1))
            public var group = Rate(20, per: .seconds(60))
            public var bot = Rate(30, per: .seconds(1))

            public init() {}
        }

        public enum Receive: String, Sendable, CaseIterable {
            case poll, webhook
        }
    }
}
