import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A standby's admin socket: `status` answers here (this instance stands by, and who is
/// active); every other request is handed to the active instance through the database
/// (``AdminRelay``) in the caller's name, as the kernel names them here, and its answer returned.
/// So `gatehouse holds approve 12` works on any instance, and is audited as the operator who
/// typed it.
public struct StandbyAdminSurface: Sendable {
    let path: String
    let config: GatewayConfig
    let ledger: any Ledger
    let relay: AdminRelay
    let role: Standby.Role
    let instance: String
    let logger: Logger

    public init(path: String, config: GatewayConfig, ledger: any Ledger, relay: AdminRelay, role: Standby.Role, instance: String, logger: Logger) {
        self.path = path
        self.config = config
        self.ledger = ledger
        self.relay = relay
        self.role = role
        self.instance = instance
        self.logger = logger
    }

    public func service() -> some Service {
        AdminSurface.listener(at: path, router: router(), logger: logger)
    }

    func router() -> Hummingbird.Router<AdminContext> {
        let router = Hummingbird.Router(context: AdminContext.self)
        router.get("/status") { _, _ in
            let summary = try await ledger.summary()
            let line = "standby: \(role.activeInstance ?? "no instance") is active; requests here are answered by it"
            let status = AdminWire.Status(
                revision: config.revision,
                file: config.file,
                routes: config.routes.count,
                ready: false,
                outbox: Dictionary(uniqueKeysWithValues: summary.outbox.map { ($0.key.rawValue, $0.value) }),
                records: summary.records,
                checkpointed: summary.checkpointed,
                lastCheckpoint: summary.lastCheckpoint,
                reloadFailures: 0,
                lastReloadFailure: nil,
                line: line
            )
            return try Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: AdminWire.encoder.encode(status)))
            )
        }
        router.post("/reload") { _, _ in
            AdminSurface.failure(
                .conflict,
                "a standby reads its config when it becomes active; reload the active instance (\(role.activeInstance ?? "none"))"
            )
        }
        router.get("**") { request, context in try await forward(request, context) }
        router.post("**") { request, context in try await forward(request, context) }
        return router
    }

    private func forward(_ request: Request, _ context: AdminContext) async throws -> Response {
        // Fail closed: nothing is asked in no one's name.
        guard let caller = await context.reviewer() else {
            return AdminSurface.failure(.forbidden, "the caller's identity cannot be read from the socket")
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        let id = try await relay.submit(
            method: request.method.rawValue,
            path: request.uri.string,
            body: Data(buffer: body),
            caller: String(decoding: try JSONEncoder().encode(caller), as: UTF8.self),
            origin: instance
        )
        logger.info(
            "an admin request was handed to the active instance",
            metadata: ["gh.actor": .string(caller.display), "gh.path": .string(request.uri.path), "gh.relay": .stringConvertible(id)]
        )
        guard let answer = try await relay.waitForAnswer(id) else {
            return AdminSurface.failure(
                .gatewayTimeout,
                "the active instance (\(role.activeInstance ?? "none")) did not answer within \(AdminRelay.patience)"
            )
        }
        return Response(
            status: .init(code: answer.status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}

/// The active instance's side of ``AdminRelay``: the requests standbys took, answered through
/// its own admin API as if they had come to its socket, in their callers' names.
public struct AdminRelayAnswerer: Service {
    let relay: AdminRelay
    let surface: AdminSurface
    let interval: Duration
    let logger: Logger

    public init(relay: AdminRelay, surface: AdminSurface, interval: Duration = .milliseconds(100), logger: Logger) {
        self.relay = relay
        self.surface = surface
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let responder = surface.router().buildResponder()
        await Periodic.run(every: interval, logger: logger, failure: "handed-over admin requests could not be read") {
            for request in try await relay.pending() {
                let (status, body) = await answer(request, with: responder)
                try await relay.respond(request.id, status: status, body: body)
            }
        }
    }

    private func answer(_ request: AdminRelay.Request, with responder: some HTTPResponder<AdminContext>) async -> (Int, Data) {
        guard let caller = try? JSONDecoder().decode(ReviewerIdentity.self, from: Data(request.caller.utf8)) else {
            return (403, Data(#"{"error":"the forwarded caller cannot be read"}"#.utf8))
        }
        let head = HTTPRequest(method: HTTPRequest.Method(request.method) ?? .get, scheme: nil, authority: nil, path: request.path)
        let forwarded = Request(head: head, body: .init(buffer: ByteBuffer(bytes: request.body)))
        logger.info(
            "answering an admin request handed over by a standby",
            metadata: ["gh.actor": .string(caller.display), "gh.path": .string(request.path), "gh.standby": .string(request.origin)]
        )
        do {
            let response = try await responder.respond(to: forwarded, context: AdminContext(forwardedBy: caller, logger: logger))
            let collected = Collected()
            try await response.body.write(Collector(collected: collected))
            return (response.status.code, Data(buffer: collected.buffer))
        } catch let error as HTTPError {
            return (error.status.code, Data(#"{"error":"\#(error.status.reasonPhrase)"}"#.utf8))
        } catch {
            return (500, Data(#"{"error":"the request failed on the active instance"}"#.utf8))
        }
    }

    /// A response body, gathered.
    private final class Collected: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    private struct Collector: ResponseBodyWriter {
        let collected: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collected.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
