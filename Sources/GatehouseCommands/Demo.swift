import ArgumentParser
import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import Logging
import ServiceLifecycle

/// `gatehouse demo`: the whole gateway against built-in emulators of both platforms, a scripted
/// scenario, and a report of every crossing.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway against emulators of both platforms with a scripted scenario, and report.",
        discussion: """
            Starts a Telegram and a DingTalk emulator on 127.0.0.1, runs the gateway with the demo \
            config in a temporary state directory, posts an internal announcement and an external \
            customer's message, waits for delivery and prints every crossing with its audit records. \
            Exits 0 only if every expected crossing was delivered and audited exactly once.
            """
    )

    @Option(help: "A config to run instead of the built-in demo config (Config/demo.yaml); its platforms' URLs are pointed at the emulators.")
    var config: String?

    @Option(help: "How long to wait for delivery.")
    var timeout: Int = 30

    @Flag(help: "Keep the temporary state directory (the ledger) for inspection.")
    var keepState = false

    @Flag(
        help:
            "After the scenario, keep the gateway and the emulators running (until Ctrl-C), to try `gatehouse status`, `holds`, `queue` and `reload` on its admin socket."
    )
    var serve = false

    @OptionGroup var logging: LoggingOptions

    static let origin = "demo.gatehouse.invalid/audit"

    /// The demo config built into the binary, so that the demo runs from any directory. Its
    /// relative paths (none but `state`, which the demo replaces) resolve against the current one.
    static func builtInConfig() throws -> GatewayConfig {
        guard let url = Bundle.module.url(forResource: "demo", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            throw CommandFailure("the built-in demo config is missing from this installation; pass --config Config/demo.yaml")
        }
        do {
            return try ConfigLoader().load(yaml: text, file: FileManager.default.currentDirectoryPath + "/demo.yaml (built in)")
        } catch {
            throw CommandFailure(error.diagnostics.map(\.description).joined(separator: "\n"))
        }
    }

    func run() async throws {
        let logger = logging.logger("gatehouse.demo", default: .warning)
        let loaded = try config.map { try ConfigOptions.load($0) } ?? Self.builtInConfig()
        let scenario = try DemoScenario(config: loaded)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-demo-\(UUID().uuidString)").path
        defer { if !keepState { try? FileManager.default.removeItem(atPath: state) } }

        // A throwaway signing key: the demo's log is checkpointed and verified like a real one.
        let signer = try NoteSigner.generate(name: Self.origin)
        let telegram = TelegramEmulator(configuration: scenario.telegramEmulator, logger: logger)
        let dingtalk = DingTalkEmulator(configuration: scenario.dingtalkEmulator, logger: logger)
        let emulators = ServiceGroup(configuration: .init(services: [.init(service: telegram), .init(service: dingtalk)], logger: logger))
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await emulators.run() }
            let outcome: DemoOutcome
            do {
                let telegramURL = "http://127.0.0.1:\(try await telegram.port())"
                let dingtalkURL = "http://127.0.0.1:\(try await dingtalk.port())"
                var config = scenario.pointing(loaded, telegram: telegramURL, dingtalk: dingtalkURL, state: state)
                // The admin API, in the demo's own state directory.
                let adminSocket = config.listen.admin ?? "\(state)/admin.sock"
                config.listen.admin = adminSocket
                // The console, served only with --serve, on a free port (its address is in the
                // sign-in's redirect, so it is chosen before the config is in force).
                let consoleAddress = serve && config.console != nil ? try Self.freeLoopbackAddress() : nil
                Self.place(console: consoleAddress, in: &config)
                let configFile = config.file
                let builtIn = self.config == nil
                let ledger = try SQLLedger(directory: state, contentKey: ContentKey(derivedFrom: signer.signer))
                let gateway = Gateway(
                    config: config,
                    ledger: ledger,
                    adapters: AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger),
                    dispatch: .init(retry: .init(minimum: .milliseconds(200), maximum: .seconds(2))),
                    // Served, a checkpoint every 10 s: the console's proofs are there to download.
                    checkpoints: serve
                        ? .init(origin: Self.origin, signer: signer.signer, every: .seconds(10)) : .init(origin: Self.origin, signer: signer.signer),
                    reload: {
                        // The file again, pointed at the same emulators and state.
                        let again = try builtIn ? Self.builtInConfig() : ConfigLoader().load(file: configFile)
                        var reloaded = scenario.pointing(again, telegram: telegramURL, dingtalk: dingtalkURL, state: state)
                        reloaded.listen.admin = adminSocket
                        Self.place(console: consoleAddress, in: &reloaded)
                        return reloaded
                    },
                    logger: logger
                )
                let console = try Run.console(
                    for: config,
                    gateway: gateway,
                    reader: LedgerReader(store: ledger.store),
                    httpClient: httpClient,
                    logger: logger
                )
                let services = gateway.serviceGroup(with: console.map { [$0] } ?? [], logger: logger)
                outcome = try await withThrowingTaskGroup(of: Void.self) { running in
                    running.addTask { try await services.run() }
                    let outcome = try await scenario.play(
                        telegram: ControlClient(baseURL: telegramURL, http: httpClient),
                        dingtalk: ControlClient(baseURL: dingtalkURL, http: httpClient),
                        ledger: gateway.ledger,
                        timeout: .seconds(timeout),
                        config: config
                    )
                    if serve {
                        print(outcome.report(config: loaded, state: state))
                        print(
                            """
                            The gateway keeps running (Ctrl-C stops it).\(config.console.map { "\nIts console: \($0.url) (sign in as 周敏, a compliance reviewer, or 王审计, an auditor)" } ?? "")
                            Its admin socket: \(adminSocket)
                              gatehouse status --socket \(adminSocket)
                              gatehouse queue --socket \(adminSocket)
                              gatehouse reload --socket \(adminSocket)
                              gatehouse holds history --socket \(adminSocket)
                            Post as a user with the emulators' control API: Telegram \(telegramURL)/_emulator/updates, DingTalk \(dingtalkURL)/_emulator/messages.
                            Review a hold as a DingTalk reviewer: its card at \(dingtalkURL)/_emulator/cards, a click with
                              POST \(dingtalkURL)/_emulator/cards/click {"outTrackId": "…", "userId": "compliance01", "params": {"action": "approve"}}
                            """
                        )
                        // Standard output may be a file or a pipe: what to do next must reach it now.
                        fflush(nil)
                    } else {
                        await services.triggerGracefulShutdown()
                    }
                    try await running.waitForAll()
                    return outcome
                }
            } catch {
                try? await httpClient.shutdown()
                tasks.cancelAll()
                throw error
            }
            // The client's idle connections go first, so the emulators' graceful drain is immediate.
            try await httpClient.shutdown()
            await emulators.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return outcome
        }
        // The gateway wrote its final checkpoint on shutdown; check the log as an auditor would.
        let verification = try LedgerReader(directory: state).verify(verifiers: [signer.signer.verifier], origin: Self.origin)
        print(outcome.report(config: loaded, state: keepState ? state : nil, verification: verification))
        if !outcome.succeeded || !verification.intact { throw ExitCode(1) }
    }

    /// Puts the console at `address` (nil: no console).
    static func place(console address: String?, in config: inout GatewayConfig) {
        config.listen.console = address
        if let address { config.console?.url = "http://\(address)" } else { config.console = nil }
    }

    /// A loopback address with a port nobody listens on now.
    static func freeLoopbackAddress() throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CommandFailure("cannot open a socket for the console") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw CommandFailure("cannot find a free port for the console") }
        return "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }
}
