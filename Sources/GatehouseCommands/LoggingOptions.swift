import ArgumentParser
import Logging

/// `--log-level`, shared by the long-running commands.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level?

    func logger(_ label: String, default level: Logger.Level) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel ?? level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
