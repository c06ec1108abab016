import ArgumentParser

/// `gatehouse check --config F`: validate a config without running it.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a config; print every problem as FILE:LINE:COL: error: message.",
        discussion: "Exits 0 when the config is valid and 1 when it is not."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        print(
            "\(options.config): ok — \(config.platforms.count) platforms, \(config.channels.count) channels, \(config.routes.count) routes (revision \(config.revision.prefix(12)))"
        )
    }
}
