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
/// every adapter has made its first attempt), `/metrics` (Prometheus text format), and
/// `/hooks/<platform>` for the platforms that receive pushes.
public final class HealthSurface: Sendable {
    /// What `/healthz` answers: 200 when the ledger can be read, 503 when it cannot.
    struct Health: Encodable {
        var status: String
        var revision: String
        var started: Date
    }

    private let listen: HostPort
    private let revision: String
    private let ledger: any Ledger
    /// The adapters that take pushes, by platform name.
    private let hooks: [String: any WebhookReceiving]
    private let registry: PrometheusCollectorRegistry
    private let ready: StartSignal
    private let logger: Logger
    private let started = Date()
    private let bound = Mutex<Int?>(nil)

    private let limits: GatewayConfig.PushLimits
    private let limiter: SourceLimiter
    /// The refused pushes since the last summary in the audit log.
    let refusals = RefusalTally()

    public init(
        listen: HostPort, revision: String, ledger: any Ledger, adapters: [any Adapter] = [],
        limits: GatewayConfig.PushLimits = .init(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), ready: StartSignal = StartSignal(), logger: Logger
    ) {
        self.limits = limits
        self.limiter = SourceLimiter(limits)
        self.registry = registry
        self.ready = ready
        self.listen = listen
        self.revision = revision
        self.ledger = ledger
        self.hooks = Dictionary(adapters.compactMap { adapter in (adapter as? any WebhookReceiving).map { (adapter.platform, $0) } }) { first, _ in first }
        self.logger = logger
    }

    /// The port the listener bound (useful with port 0), once it is running.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// The listener and the summaries of what it refused, as services for the gateway's
    /// ServiceGroup, in the order it starts them (so that the last summary is written after the
    /// listener stopped).
    public func services() -> [any Service] {
        [RefusalAuditor(tally: refusals, ledger: ledger, interval: limits.summaryEvery, logger: logger), service()]
    }

    /// The listener as a service for the gateway's ServiceGroup, on a thread of its own
    /// (``ListenerThread``).
    public func service() -> some Service {
        ListenerThread(logger: logger) { group in application(on: group) }
    }

    private func application(on group: MultiThreadedEventLoopGroup) -> some Service {
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
            let isReady = ready.hasFired
            return Response(
                status: isReady ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: isReady ? "ready\n" : "starting\n"))
            )
        }
        router.get("/metrics") { [self] _, _ -> Response in
            if let summary = try? await ledger.summary() {
                LedgerGauges(metrics: PrometheusMetricsFactory(registry: registry)).record(summary)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        router.post("/hooks/:platform") { [self] request, context -> Response in
            await hook(request, platform: context.parameters.get("platform") ?? "", source: SourceLimiter.source(of: context.remoteAddress))
        }
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(limits.idleTimeout.totalNanoseconds))),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "gatehouse"),
            onServerRunning: { [self] channel in
                self.bound.withLock { $0 = channel.localAddress?.port }
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
    }

    /// One push, checked from the cheapest to the dearest: the path, the source's limits, the
    /// headers (secret, signature), the announced size, and only then the body, read within a
    /// time and size bound, which the adapter decodes and commits.
    private func hook(_ request: Request, platform: String, source: String) async -> Response {
        guard let adapter = hooks[platform] else { return refused(.refused(.unknownHook), platform: "unknown", source: source) }
        if let refusal = limiter.admit(source) { return refused(.refused(refusal), platform: platform, source: source) }
        defer { limiter.release(source) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        if let refusal = adapter.screen(headers) { return refused(refusal, platform: platform, source: source) }
        if let length = headers["content-length"].flatMap(Int.init), length > limits.maxBodyBytes {
            return refused(.refused(.tooLarge), platform: platform, source: source)
        }
        let body: ByteBuffer
        do {
            body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { [limits] in try await request.body.collect(upTo: limits.maxBodyBytes) }
                group.addTask { [limits] in
                    try await Task.sleep(for: limits.bodyTimeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else { throw BodyTimeout() }
                return body
            }
        } catch is BodyTimeout {
            return refused(WebhookResponse(status: 408, body: "body too slow", refusal: .malformed), platform: platform, source: source)
        } catch {
            return refused(.refused(.tooLarge), platform: platform, source: source)
        }
        let answer = await adapter.receiveWebhook(WebhookRequest(headers: headers, body: Array(body.readableBytesView)))
        if answer.refusal != nil { return refused(answer, platform: platform, source: source) }
        return Response(
            status: .init(code: answer.status),
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body.isEmpty ? "" : answer.body + "\n"))
        )
    }

    /// Answers a refused push after counting it: a metric at once, and the audit log's summary
    /// of the interval (``RefusalAuditor``), never a record or log line each.
    private func refused(_ answer: WebhookResponse, platform: String, source: String) -> Response {
        let refusal = answer.refusal ?? .malformed
        refusals.count(refusal, platform: platform, source: source, at: Date())
        // Bounded labels: the config's platforms (or "unknown") and the refusal reasons.
        Counter(
            label: "gatehouse_pushes_refused_total", dimensions: [("platform", platform), ("reason", refusal.rawValue)],
            factory: PrometheusMetricsFactory(registry: registry)
        ).increment()
        return Response(
            status: .init(code: answer.status), headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body + "\n"))
        )
    }
}

/// The body of a push did not arrive within `listen.limits.body_timeout`.
private struct BodyTimeout: Error {}

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
