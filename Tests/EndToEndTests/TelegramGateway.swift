import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting

@testable import GatehouseCommands

/// The whole gateway (real adapters, a ledger on disk) over a Telegram emulator that knows every
/// chat, for the suites whose config has Telegram alone: one platform `tg` (polling, limits far
/// above the test's pace) and what `yaml` adds (channels, checks, routes). `body` runs while both
/// are up; then all stops gracefully, and `stopped` reads the ledger as the stop left it (with
/// what the services write as they stop).
func withTelegramGateway(
    token: String,
    yaml: String,
    body: (TelegramEmulator, SQLLedger) async throws -> Void,
    stopped: (SQLLedger) async throws -> Void = { _ in }
) async throws {
    let state = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    let telegram = TelegramEmulator(configuration: .init(token: token, rateLimits: false).openingChats(), logger: quietLogger("tg"))
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        try await withServices([telegram]) {
            let config = try ConfigLoader(environment: [:]).load(
                yaml: """
                    state: \(state)
                    platforms:
                      tg: { type: telegram, side: external, token: "\(token)", api_url: "http://127.0.0.1:\(try await telegram.port())",
                            receive: poll, poll_timeout: 1s, rate_limits: { chat: 1000/s, group: 100000/min, bot: 1000/s } }

                    """ + yaml,
                file: "telegram-gateway.yaml"
            )
            let ledger = try SQLLedger(directory: state, contentKey: .ephemeral())
            let logger = quietLogger("e2e")
            let gateway = Gateway(
                config: config,
                ledger: ledger,
                adapters: AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger),
                logger: logger
            )
            try await withServices(gateway.services) { try await body(telegram, ledger) }
            try await stopped(ledger)
        }
        try await httpClient.shutdown()
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
}
