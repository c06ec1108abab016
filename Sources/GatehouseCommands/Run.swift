import ArgumentParser
import AsyncHTTPClient
import GatehouseConfig
import GatehouseLedger
import GatehouseRuntime
import Logging

/// `gatehouse run --config F`: the daemon, in the foreground.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway in the foreground until SIGTERM or SIGINT."
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let config = try options.load()
        let logger = logging.logger("gatehouse", default: .info)
        try await Self.serve(config, logger: logger)
    }

    /// Opens the ledger, wires the adapters and runs the service graph until it is stopped.
    static func serve(_ config: GatewayConfig, logger: Logger) async throws {
        let ledger = try SQLiteLedger(directory: config.state)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let adapters = AdapterFactory.adapters(for: config, httpClient: httpClient, logger: logger)
            let gateway = Gateway(config: config, ledger: ledger, adapters: adapters, logger: logger)
            logger.info("gatehouse starting", metadata: [
                "gh.config": .string(config.file), "gh.revision": .string(String(config.revision.prefix(12))),
                "gh.state": .string(config.state), "gh.routes": .stringConvertible(config.routes.count),
            ])
            try await gateway.serviceGroup(logger: logger).run()
            logger.info("gatehouse stopped")
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
