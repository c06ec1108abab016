import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// The HTTP listener (`listen.http`): `/healthz` (alive: the ledger answers), `/readyz` (ready:
/// every adapter has made its first attempt), `/metrics` (Prometheus text format), and the push
/// door's `/hooks/<platform>` (``PushSurface``) for the platforms that push their events.
public final class HealthSurface: Sendable {
    /// What `/healthz` answers: 200 when the ledger can be read, 503 when it cannot.
    struct Health: Encodable {
        var status: String
        var revision: String
        var started: Date
    }

    private let listen: HostPort
    private let revision: String
    private let ledger: any ReadableLedger
    private let pushes: PushSurface?
    private let limits: GatewayConfig.PushLimits
    private let registry: PrometheusCollectorRegistry
    private let ready: StartSignal
    private let clock: WallClock
    private let logger: Logger
    private let started: Date
    private let bound = Mutex<Int?>(nil)
    /// Set on a standby: not ready, and no push taken (they are the active instance's).
    private let standby: Standby.Role?

    public init(
        listen: HostPort,
        revision: String,
        ledger: any ReadableLedger,
        pushes: PushSurface? = nil,
        limits: GatewayConfig.PushLimits = .init(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        ready: StartSignal = StartSignal(),
        clock: WallClock = .system,
        standby: Standby.Role? = nil,
        logger: Logger
    ) {
        self.standby = standby
        self.listen = listen
        self.revision = revision
        self.ledger = ledger
        self.pushes = pushes
        self.limits = limits
        self.registry = registry
        self.ready = ready
        self.clock = clock
        self.started = clock.now
        self.logger = logger
    }

    /// The port the listener bound (useful with port 0), once it is running.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// The listener as a service for the gateway's ServiceGroup, on a thread of its own
    /// (``ListenerThread``).
    public func service() -> some Service {
        ListenerThread(logger: logger) { group in application(on: group) }
    }

    /// Every route of the listener; tests drive it without a socket (Hummingbird's router test mode).
    func router() -> Hummingbird.Router<ListenerContext> {
        let router = Hummingbird.Router(context: ListenerContext.self)
        router.get("/healthz") { [self] _, _ -> Response in
            let healthy = (try? await ledger.records(from: .max, limit: 1)) != nil
            let health = Health(status: healthy ? "ok" : "ledger unavailable", revision: revision, started: started)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = .sortedKeys
            var response = try encoder.encode(health)
            response.append(0x0A)
            return Response(
                status: healthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: response))
            )
        }
        router.get("/readyz") { [self] _, _ -> Response in
            if let standby {
                return Response(
                    status: .serviceUnavailable,
                    headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "standby: \(standby.activeInstance ?? "no instance") is active\n"))
                )
            }
            let isReady = ready.hasFired
            return Response(
                status: isReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: isReady ? "ready\n" : "starting\n"))
            )
        }
        router.get("/metrics") { [self] _, _ -> Response in
            if let summary = try? await ledger.summary() {
                LedgerGauges(metrics: PrometheusMetricsFactory(registry: registry)).record(summary, now: clock.now)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        if let pushes { router.addRoutes(pushes.routes()) }
        if standby != nil {
            // A push that reached a standby (a load balancer not yet told) is refused, never lost:
            // the platform sends it again, to the active instance.
            router.post("/hooks/**") { _, _ -> Response in
                Response(
                    status: .serviceUnavailable,
                    headers: [.contentType: "text/plain; charset=utf-8", .retryAfter: "1"],
                    body: .init(byteBuffer: ByteBuffer(string: "standby: not the active instance\n"))
                )
            }
        }
        return router
    }

    private func application(on group: MultiThreadedEventLoopGroup) -> some Service {
        Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(limits.idleTimeout.totalNanoseconds))),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "gatehouse"),
            onServerRunning: { [self] channel in
                self.bound.withLock { $0 = channel.localAddress?.port }
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
    }
}

/// The listener's request context: Hummingbird's basic one, plus the peer's address, which the
/// per-source limits and the refusal summaries need.
struct ListenerContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
