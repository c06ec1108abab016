import GatehouseEmulators
import Logging

/// The DingTalk emulator of the app every gateway benchmark's config names (client id and robot
/// code `dingbench`, secret `bench-secret`), its rate limits lifted: the figures are the gateway's.
public func benchDingTalk(logLevel: Logger.Level = .error) -> DingTalkEmulator {
    var settings = DingTalkEmulator.Configuration()
    settings.clientID = "dingbench"
    settings.clientSecret = "bench-secret"
    settings.robotCode = "dingbench"
    settings.rateLimits = false
    return DingTalkEmulator(configuration: settings, logger: quiet("dt", level: logLevel))
}

/// A Telegram emulator for `token` that takes messages to any chat, its rate limits lifted.
public func benchTelegram(token: String, logLevel: Logger.Level = .error) -> TelegramEmulator {
    TelegramEmulator(configuration: .init(token: token, rateLimits: false).openingChats(), logger: quiet("tg", level: logLevel))
}
