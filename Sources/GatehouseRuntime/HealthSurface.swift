import Foundation
import GatehouseConfig
import GatehouseLedger
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The HTTP listener (`listen.http`): `/healthz` now; webhooks and `/metrics` join it later.
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
    private let logger: Logger
    private let started = Date()
    private let bound = Mutex<Int?>(nil)

    public init(listen: HostPort, revision: String, ledger: any Ledger, logger: Logger) {
        self.listen = listen
        self.revision = revision
        self.ledger = ledger
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
        return Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "gatehouse"),
            onServerRunning: { [self] channel in
                self.bound.withLock { $0 = channel.localAddress?.port }
            },
            logger: logger
        )
    }
}
