import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Hummingbird
import Logging
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

    /// The largest push accepted: platforms' updates are a few kilobytes.
    static let maxPushBytes = 1 << 20

    public init(
        listen: HostPort, revision: String, ledger: any Ledger, adapters: [any Adapter] = [],
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), ready: StartSignal = StartSignal(), logger: Logger
    ) {
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

    /// The listener as a service for the gateway's ServiceGroup.
    public func service() -> some Service {
        let router = Hummingbird.Router()
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
            let platform = context.parameters.get("platform") ?? ""
            guard let adapter = hooks[platform] else {
                return await refused(platform, WebhookResponse(status: 404, body: "no such hook"))
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxPushBytes)
            } catch {
                return await refused(platform, WebhookResponse(status: 413, body: "too large"))
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = await adapter.receiveWebhook(WebhookRequest(headers: headers, body: Array(body.readableBytesView)))
            // A refused push (forged, stale, malformed) is audited: nothing crossed, and the log
            // shows someone tried. Transient refusals (not committed yet) are not refusals.
            if (400..<500).contains(answer.status) { return await refused(platform, answer) }
            return Response(
                status: .init(code: answer.status),
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: answer.body.isEmpty ? "" : answer.body + "\n"))
            )
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "gatehouse"),
            onServerRunning: { [self] channel in
                self.bound.withLock { $0 = channel.localAddress?.port }
            },
            logger: logger
        )
    }

    /// Answers a refused push, after auditing it (and logging it, if the audit cannot be written).
    private func refused(_ platform: String, _ answer: WebhookResponse) async -> Response {
        // The platform name comes from the URL: only a configured one is recorded as such.
        let named = hooks[platform] != nil ? platform : "unknown"
        let reason = "\(answer.status) \(answer.body)"
        do {
            let record = try await ledger.recordRejectedPush(platform: named, reason: reason, at: Date())
            logger.warning("push refused", metadata: [
                "gh.platform": .string(named), "gh.status": .stringConvertible(answer.status), "gh.record": .stringConvertible(record.sequence),
            ])
        } catch {
            logger.error("push refused, and the refusal could not be audited", metadata: [
                "gh.platform": .string(named), "gh.status": .stringConvertible(answer.status), "gh.error": .string("\(error)"),
            ])
        }
        return Response(
            status: .init(code: answer.status), headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body + "\n"))
        )
    }
}
