import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseRuntime

/// The health listener's and the admin API's routes, driven without a socket (Hummingbird's
/// router test mode).
@Suite(.timeLimit(.minutes(1))) struct SurfaceRouterTests {
    @Test func healthSaysAliveWithTheRevisionAndReadyOnlyOnceReady() async throws {
        let ledger = try Fixtures.memoryLedger()
        let ready = StartSignal()
        let started = Date(timeIntervalSince1970: 1_790_000_000)
        let health = HealthSurface(
            listen: HostPort("127.0.0.1:0")!,
            revision: "rev-42",
            ledger: ledger,
            ready: ready,
            clock: WallClock { started },
            logger: quietLogger("test")
        )
        try await Application(router: health.router()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body == #"{"revision":"rev-42","started":"2026-09-21T14:13:20Z","status":"ok"}"# + "\n")
            }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
            ready.fire()
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("gatehouse_audit_records"))
            }
            // Without a push door, no platform takes pushes here.
            try await client.execute(uri: "/hooks/corp", method: .post) { #expect($0.status == .notFound) }
        }
    }

    @Test func aStandbyIsAliveButNotReadyAndSendsPushesBackToThePlatform() async throws {
        let role = Standby.Role()
        role.saw("gh1:4242")
        let health = HealthSurface(
            listen: HostPort("127.0.0.1:0")!,
            revision: "rev-42",
            ledger: try Fixtures.memoryLedger(),
            standby: role,
            logger: quietLogger("test")
        )
        try await Application(router: health.router()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            // The load balancer sends traffic only where /readyz says 200: never to a standby.
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "standby: gh1:4242 is active\n")
            }
            // A push that reached it anyway is refused, for the platform to send again.
            for path in ["/hooks/outreach", "/hooks/corp/cards"] {
                try await client.execute(uri: path, method: .post, body: ByteBuffer(string: "{}")) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "1")
                }
            }
        }
    }

    static func admin(_ ledger: SQLLedger, _ config: GatewayConfig) -> AdminSurface {
        let store = ConfigStore(config)
        let dispatcher = Dispatcher(store: store, ledger: ledger, adapters: [], logger: quietLogger("test"))
        let scheduler = Scheduler(ledger: ledger, dispatcher: dispatcher, logger: quietLogger("test"))
        return AdminSurface(
            path: "/nonexistent/admin.sock",
            store: store,
            ledger: ledger,
            dispatcher: dispatcher,
            scheduler: scheduler,
            reviews: Reviews(
                store: store,
                ledger: ledger,
                dispatcher: dispatcher,
                scheduler: scheduler,
                adapters: [],
                logger: quietLogger("test")
            ),
            reloader: nil,
            reloads: ReloadStatus(),
            ready: StartSignal(),
            logger: quietLogger("test")
        )
    }

    @Test func theAdminAPIAnswersQuestionsButDecidesNothingForSomeoneItCannotName() async throws {
        let ledger = try Fixtures.memoryLedger()
        let config = try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")
        let admin = Self.admin(ledger, config)
        try await Application(router: admin.router()).test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""revision":"\#(config.revision)""#))
            }
            try await client.execute(uri: "/holds", method: .get) {
                #expect(String(buffer: $0.body).trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
            }
            // A decision is made in the name the kernel gives the socket's peer; here there is none.
            try await client.execute(uri: "/holds/1/approve", method: .post, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/reload", method: .post) { #expect($0.status == .serviceUnavailable) }
        }
        #expect(try await ledger.records(from: 1, limit: 10).isEmpty)
    }

    /// A standby's console has its uses audited here: only a request handed over by a standby is
    /// taken, and the record names the person and the standby.
    @Test func aStandbysConsoleUseIsAuditedByTheActiveInstanceAndOnlyWhenHandedOver() async throws {
        let ledger = try Fixtures.memoryLedger()
        let config = try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")
        let admin = Self.admin(ledger, config)
        let person = ReviewerIdentity(via: .dingtalk, id: "m01", name: "王经理", departments: ["合规部"], platform: "corp")
        let body = try AdminWire.encoder.encode(AdminWire.ConsoleAccess(what: "signed in as reviewer", person: person))
        // On this instance's own socket: refused.
        try await Application(router: admin.router()).test(.router) { client in
            try await client.execute(uri: "/console/access", method: .post, body: ByteBuffer(bytes: body)) { #expect($0.status == .forbidden) }
        }
        #expect(try await ledger.records(from: 1, limit: 10).isEmpty)
        // Handed over by standby gh-b (as AdminRelayAnswerer answers it).
        let responder = admin.router().buildResponder()
        func handedOver(_ body: Data) async throws -> HTTPResponse.Status {
            let request = Request(
                head: HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/console/access"),
                body: .init(buffer: ByteBuffer(bytes: body))
            )
            let context = AdminContext(forwardedBy: ReviewerIdentity(via: .unix, id: "998", name: "gh-b"), logger: quietLogger("test"))
            return try await responder.respond(to: request, context: context).status
        }
        #expect(try await handedOver(body) == .ok)
        #expect(try await handedOver(Data(#"{"what":""}"#.utf8)) == .badRequest)
        #expect(try await handedOver(Data(#"{"what":"\#(String(repeating: "x", count: 1_001))"}"#.utf8)) == .badRequest)
        let records = try await ledger.records(from: 1, limit: 10)
        #expect(records.map(\.kind) == [.consoleAccess])
        #expect(records.first?.reason == "signed in as reviewer (on the standby's console, gh-b)" && records.first?.reviewer?.id == "m01")
    }
}
