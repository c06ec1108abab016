import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The whole service graph for one config: the services in the order a ServiceGroup must run them.
public struct Gateway: Sendable {
    /// The config the gateway started with; `store` holds the one in force.
    public let config: GatewayConfig
    /// The config in force, swapped whole by a reload.
    public let store: ConfigStore
    public let ledger: any Ledger
    public let dispatcher: Dispatcher
    /// Releases scheduled announcements into the queues when they are due.
    public let scheduler: Scheduler
    public let ingress: Ingress
    /// Sums up the messages intake ignored (service messages, unrouted ones) in the log.
    public let ignoredAuditor: TallyAuditor
    /// The HTTP listener, when the config has `listen.http`.
    public let health: HealthSurface?
    /// The push door on that listener (`/hooks/<platform>`).
    public let pushes: PushSurface?
    /// Signs the audit log's checkpoints, when given a signer.
    public let checkpointer: Checkpointer?
    /// Erases expired content, when the config sets `audit.keep_content`.
    public let retention: ContentRetention?
    /// Forgets inbound dedup rows no platform can deliver again.
    public let pruner: DedupPruner
    /// Tells the service manager (systemd) that the gateway is ready, alive, and stopping.
    public let watchdog: Watchdog
    /// Fires when the gateway is ready (every adapter has made its first attempt): `/readyz`.
    public let ready: StartSignal
    /// Reloads the config on SIGHUP, when the gateway knows how to read it again.
    public let reloader: Reloader?
    /// How reloads went, for the status line.
    public let reloads: ReloadStatus
    /// Review cards and the decisions on holds.
    public let reviews: Reviews
    /// The admin API, when the config has `listen.admin`.
    public let admin: AdminSurface?
    /// Dead letters and scheduled announcements decided by hand (the admin API, the console).
    public let actions: OutboxActions
    /// Break-glass sign-in links: issued on the admin socket, redeemed at the console.
    public let links: SignInLinks

    public init(
        config: GatewayConfig,
        ledger: any Ledger,
        adapters: [any Adapter],
        dispatch: Dispatcher.Configuration? = nil,
        checkpoints: Checkpointer.Configuration? = nil,
        notifier: SystemdNotifier = SystemdNotifier(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        reload: (@Sendable () throws -> GatewayConfig)? = nil,
        clock: WallClock = .system,
        handover: Handover? = nil,
        logger: Logger
    ) {
        self.config = config
        let store = ConfigStore(config)
        self.store = store
        self.ledger = ledger
        // The gateway's own metrics go to the registry /metrics shows, whatever the process bootstrapped.
        let metrics = PrometheusMetricsFactory(registry: registry)
        var dispatch = dispatch ?? .init(config.outbox)
        if dispatch.metrics == nil { dispatch.metrics = metrics }
        self.dispatcher = Dispatcher(store: store, ledger: ledger, adapters: adapters, configuration: dispatch, clock: clock, logger: logger)
        let scheduler = Scheduler(ledger: ledger, dispatcher: dispatcher, clock: clock, logger: logger)
        self.scheduler = scheduler
        let ignored = Tally()
        self.ingress = Ingress(
            store: store,
            adapters: adapters,
            ledger: ledger,
            dispatcher: dispatcher,
            metrics: metrics,
            clock: clock,
            ignored: ignored,
            handover: handover,
            logger: logger
        )
        self.ignoredAuditor = TallyAuditor(
            .ignored,
            tally: ignored,
            ledger: ledger,
            interval: config.audit?.summaryEvery ?? .seconds(60),
            clock: clock,
            logger: logger
        )
        let reloads = ReloadStatus()
        self.reloads = reloads
        self.reloader = reload.map { [dispatcher, ingress] load in
            Reloader(
                store: store,
                dispatcher: dispatcher,
                ledger: ledger,
                notifier: notifier,
                status: reloads,
                metrics: metrics,
                started: ingress.configRecorded,
                clock: clock,
                logger: logger,
                load: load
            )
        }
        self.ready = StartSignal()
        self.checkpointer = checkpoints.map { Checkpointer(ledger: ledger, configuration: $0, clock: clock, logger: logger) }
        self.retention = config.audit?.keepContent.map {
            ContentRetention(ledger: ledger, configuration: .init(keep: $0), clock: clock, logger: logger)
        }
        self.pruner = DedupPruner(ledger: ledger, clock: clock, logger: logger)
        self.watchdog = Watchdog(
            notifier: notifier,
            ledger: ledger,
            adapters: adapters,
            store: store,
            reloads: reloads,
            ready: ready,
            clock: clock,
            logger: logger
        )
        let reviews = Reviews(
            store: store,
            ledger: ledger,
            dispatcher: dispatcher,
            scheduler: scheduler,
            adapters: adapters,
            metrics: metrics,
            clock: clock,
            logger: logger
        )
        self.reviews = reviews
        let links = SignInLinks()
        self.links = links
        self.actions = OutboxActions(store: store, ledger: ledger, dispatcher: dispatcher, scheduler: scheduler, clock: clock, logger: logger)
        self.admin = config.listen.admin.map { [dispatcher, reloader, ready] path in
            AdminSurface(
                path: path,
                store: store,
                ledger: ledger,
                dispatcher: dispatcher,
                scheduler: scheduler,
                reviews: reviews,
                reloader: reloader,
                reloads: reloads,
                ready: ready,
                links: links,
                clock: clock,
                logger: logger
            )
        }
        let http = config.listen.http.flatMap(HostPort.init)
        let pushes = http.map { [ingress] _ in
            PushSurface(adapters: adapters, limits: config.listen.limits, intake: ingress, metrics: metrics, clock: clock, logger: logger)
        }
        self.pushes = pushes
        self.health = http.map { [ready] in
            HealthSurface(
                listen: $0,
                revision: config.revision,
                ledger: ledger,
                pushes: pushes,
                limits: config.listen.limits,
                registry: registry,
                ready: ready,
                clock: clock,
                logger: logger
            )
        }
    }

    /// Checkpoints first, then delivery, intake, the HTTP listener and the watchdog last: a
    /// ServiceGroup shuts down in reverse order, so the service manager hears STOPPING=1 at once,
    /// intake stops before delivery, nothing committed is left without a dispatcher while the
    /// process lives, and the final checkpoint covers every last outcome.
    public var services: [any Service] {
        // The summary of ignored messages before intake, so that its last is written after intake stopped.
        (checkpointer.map { [$0] } ?? []) + (retention.map { [$0] } ?? []) + [pruner, dispatcher, scheduler, reviews, ignoredAuditor, ingress]
            // The push door's summaries before the listener, so that the last is written after it stopped.
            + (pushes.map { [$0.auditor(ledger: ledger)] } ?? []) + (health.map { [$0.service()] } ?? [])
            + (admin.map { [$0.service()] } ?? []) + (reloader.map { [$0] } ?? []) + [watchdog]
    }

    /// A ServiceGroup running the gateway (plus any extra services, started before it), stopped
    /// gracefully by SIGTERM or SIGINT.
    ///
    /// A `keeper` (the ledger's lease, on a shared database) comes first, so it stops last; when it
    /// ends — the lease lost — the group shuts down gracefully, as for SIGTERM, and its error is
    /// thrown after: a listener cancelled mid-accept would bring the process down instead.
    public func serviceGroup(with extra: [any Service] = [], keeper: (any Service)? = nil, logger: Logger) -> ServiceGroup {
        let kept: [ServiceGroupConfiguration.ServiceConfiguration] =
            keeper.map {
                [.init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)]
            } ?? []
        return ServiceGroup(
            configuration: .init(
                services: kept + (extra + services).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
    }
}
