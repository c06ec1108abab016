import ArgumentParser
import GatehouseConfig

/// `--config F`, shared by the commands that read a config.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The config file.")
    var config: String = "/etc/gatehouse/gatehouse.yaml"

    /// Loads the config, or prints every problem as `FILE:LINE:COL: error: …` on stderr and exits 1.
    func load(readsSecrets: Bool = true) throws -> GatewayConfig {
        try Self.load(config, readsSecrets: readsSecrets)
    }

    /// `readsSecrets: false` for a dry run, which needs no secret: secret files are named, not read.
    static func load(_ path: String, readsSecrets: Bool = true) throws -> GatewayConfig {
        do {
            let config = try ConfigLoader(readsSecrets: readsSecrets).load(file: path)
            for warning in config.warnings { printError(warning.description) }
            return config
        } catch {
            for diagnostic in error.diagnostics {
                printError(diagnostic.description)
            }
            let count = error.diagnostics.count
            printError("\(path): \(count) error\(count == 1 ? "" : "s"); the config was not loaded")
            throw ExitCode(1)
        }
    }
}
