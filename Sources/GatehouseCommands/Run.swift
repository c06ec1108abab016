import ArgumentParser
import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseConsole
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

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
        // One platform client for the whole run (the standby's console signs in with it too),
        // shut down however the run ends.
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await serve(config, logger: logger, httpClient: httpClient)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private static func serve(_ config: GatewayConfig, logger: Logger, httpClient: HTTPClient) async throws {
        // A log nobody signs proves nothing: refuse to run without the key.
        guard let audit = config.audit else {
            throw CommandFailure(
                "\(config.file): no audit: section; create a signing key with `gatehouse audit keygen --name ORIGIN --out FILE` and set audit.origin and audit.signing_key_file"
            )
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner(parsing: audit.signingKey)
        } catch {
            throw CommandFailure("\(config.file): audit.signing_key_file: \(error)")
        }
        let checkpoints = Checkpointer.Configuration(
            origin: audit.origin,
            signer: signer,
            every: audit.checkpointEvery,
            records: audit.checkpointRecords
        )
        let contentKey = ContentKey(derivedFrom: signer)
        let ledger: SQLLedger
        // The lease held on a shared ledger, for its keeper.
        var kept: (lease: LedgerLease, held: LedgerLease.Held)?
        // What standbys' admin sockets hand over, answered once this instance is active.
        var relay: AdminRelay?
        // Where this instance hands over what it receives after losing the lease.
        var handover: Handover?
        var lock: StateLock?
        if let database = config.database {
            // Several instances on one PostgreSQL ledger take turns: this one waits as a standby
            // until it holds the lease, and every write it makes from then on checks it.
            let store: PostgresStore
            do {
                store = try await PostgresStore.open(database.location, logger: logger)
            } catch {
                throw CommandFailure("\(config.file): state: \(database.location): \(error)")
            }
            ledger = SQLLedger(store: store, contentKey: contentKey)
            let lease = LedgerLease(store: store, holder: LedgerLease.instanceName(), duration: database.lease)
            let handed = AdminRelay(store: store)
            relay = handed
            handover = Handover(store: store)
            let standby = Standby(lease: lease, ledger: ledger, config: config, relay: handed, logger: logger)
            logger.info(
                "gatehouse standing by for the ledger's lease",
                metadata: ["gh.state": .string(database.location.description), "gh.instance": .string(lease.holder)]
            )
            // The console serves read-only meanwhile, its uses audited by the active instance.
            let console = try Self.standbyConsole(
                for: config,
                ledger: ledger,
                relay: handed,
                role: standby.role,
                instance: lease.holder,
                httpClient: httpClient,
                logger: logger
            )
            guard let held = try await standby.run(extras: console.map { [$0] } ?? []) else {
                logger.info("gatehouse stopped while standing by")
                return
            }
            lease.fence(held)
            kept = (lease, held)
        } else {
            // One gateway per state directory: a second one would poll the same bots and send twice.
            do {
                lock = try StateLock(directory: config.state)
            } catch {
                throw CommandFailure("\(error)")
            }
            ledger = try SQLLedger(directory: config.state, contentKey: contentKey)
        }
        defer { withExtendedLifetime(lock) {} }
        // One registry for the whole process: what the gateway counts and what the adapters
        // count (through the metrics system) both show on /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let adapters = AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger)
        // SIGHUP reads the same file again (the Reloader logs every problem itself).
        let file = config.file
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: adapters,
            checkpoints: checkpoints,
            registry: registry,
            reload: { try ConfigLoader().load(file: file) },
            handover: handover,
            logger: logger
        )
        logger.info(
            "gatehouse starting",
            metadata: [
                "gh.config": .string(config.file), "gh.revision": .string(String(config.revision.prefix(12))),
                "gh.state": .string(config.database?.location.description ?? config.state),
                "gh.routes": .stringConvertible(config.routes.count),
            ]
        )
        // The lease's keeper: first in the group, so it stops last; a lost lease stands
        // intake down before the process stops.
        let keeper = kept.map { kept in
            LeaseKeeper(lease: kept.lease, held: kept.held, standDown: { await gateway.ingress.standDown(within: .seconds(5)) }, logger: logger)
        }
        let answerer = relay.flatMap { relay in gateway.admin.map { AdminRelayAnswerer(relay: relay, surface: $0, logger: logger) } }
        var extras: [any Service] = answerer.map { [$0] } ?? []
        if let console = try Self.console(
            for: config,
            gateway: gateway,
            reader: LedgerReader(store: ledger.store),
            httpClient: httpClient,
            logger: logger
        ) {
            extras.append(console)
        }
        try await gateway.serviceGroup(with: extras, keeper: keeper, logger: logger).run()
        logger.info("gatehouse stopped")
    }

    /// A standby's console, when the config has `listen.console`: every page read-only, each use
    /// audited by the active instance through the admin relay (refused when none answers).
    static func standbyConsole(
        for config: GatewayConfig,
        ledger: SQLLedger,
        relay: AdminRelay,
        role: Standby.Role,
        instance: String,
        httpClient: HTTPClient,
        logger: Logger
    ) throws -> (any Service)? {
        guard let (section, listen, signIn) = consoleParts(for: config, httpClient: httpClient, logger: logger) else { return nil }
        // The relay's caller is this instance; the person is in the request.
        let caller = ReviewerIdentity(via: .unix, id: String(getuid()), name: instance)
        let record: @Sendable (String, ReviewerIdentity?) async throws -> Void = { what, person in
            let body = try AdminWire.encoder.encode(AdminWire.ConsoleAccess(what: what, person: person))
            let id = try await relay.submit(
                method: "POST",
                path: "/console/access",
                body: body,
                caller: String(decoding: try JSONEncoder().encode(caller), as: UTF8.self),
                origin: instance
            )
            guard let answer = try await relay.waitForAnswer(id), (200..<300).contains(answer.status) else {
                throw CommandFailure("the active instance (\(role.activeInstance ?? "none")) did not record the console use")
            }
        }
        let standby = ConsoleStandby(instance: instance, activeInstance: { role.activeInstance }, record: record)
        let surface = try ConsoleSurface(
            console: section,
            listen: listen,
            store: ConfigStore(config),
            ledger: ledger,
            reader: LedgerReader(store: ledger.store),
            standby: standby,
            signIn: signIn,
            logger: logger
        )
        logger.info("the console listens, read-only while this instance stands by", metadata: ["gh.listen": .string(config.listen.console ?? "")])
        return surface.service()
    }

    /// The web console's listener, when the config has `listen.console`.
    static func console(
        for config: GatewayConfig,
        gateway: Gateway,
        reader: LedgerReader,
        httpClient: HTTPClient,
        logger: Logger
    ) throws -> (any Service)? {
        guard let (section, listen, signIn) = consoleParts(for: config, httpClient: httpClient, logger: logger) else { return nil }
        let surface = try ConsoleSurface(
            console: section,
            listen: listen,
            store: gateway.store,
            ledger: gateway.ledger,
            reader: reader,
            reviews: gateway.reviews,
            actions: gateway.actions,
            reloads: gateway.reloads,
            links: gateway.links,
            signIn: signIn,
            logger: logger
        )
        logger.info("the console listens", metadata: ["gh.listen": .string(config.listen.console ?? ""), "gh.url": .string(section.url)])
        return surface.service()
    }

    /// The console's section, listener and sign-in, when the config has a console.
    static func consoleParts(
        for config: GatewayConfig,
        httpClient: HTTPClient,
        logger: Logger
    ) -> (GatewayConfig.Console, HostPort, any ConsoleSignIn)? {
        guard let section = config.console, let address = config.listen.console, let listen = HostPort(address),
            let signIn = AdapterFactory.signIn(for: config, httpClient: httpClient, logger: logger)
        else { return nil }
        return (section, listen, signIn)
    }
}
