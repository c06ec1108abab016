import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import Hummingbird
import Logging
import Mustache
import ServiceLifecycle
import Synchronization

/// The web console (`listen.console`, never the listener of `/hooks`): pages for the people who
/// answer to a regulator, server-rendered, signed in with the company's DingTalk app.
///
/// Every page needs a session, and the session's role is judged again at every request against
/// the config in force, so a reload that takes a role away takes it at once. Every form carries
/// the session's CSRF token, and a POST from another origin is refused. Sign-ins (refused ones
/// too), sign-outs and decisions are audited with the person's identity.
public final class ConsoleSurface: Sendable {
    let store: ConfigStore
    let ledger: any Ledger
    /// The audit log as `gatehouse audit` reads it (search, records, proofs), on the same store.
    let reader: LedgerReader
    /// The decisions and actions the forms take; nil on a standby, which changes nothing.
    let reviews: Reviews?
    let actions: OutboxActions?
    /// Set on a standby instance: pages read-only, uses audited by the active instance.
    let standby: ConsoleStandby?
    /// How reloads went (failures since start, the last one's problems).
    let reloads: ReloadStatus?
    /// Break-glass links the admin socket issued.
    let links: SignInLinks?
    let signIn: any ConsoleSignIn
    let sessions: ConsoleSessions
    let templates: MustacheLibrary
    let listen: HostPort
    let clock: WallClock
    let logger: Logger
    private let bound = Mutex<Int?>(nil)

    /// The session cookie; `__Host-` (Secure, path /, no domain) when the console is on https.
    let sessionCookie: String
    static let signInCookie = "gatehouse_signin"
    /// The largest form the console reads.
    static let maxFormBytes = 64 << 10
    /// The most holds one page lists.
    static let listLimit = 200

    public convenience init(
        console: GatewayConfig.Console,
        listen: HostPort,
        store: ConfigStore,
        ledger: any Ledger,
        reader: LedgerReader,
        reviews: Reviews,
        actions: OutboxActions,
        reloads: ReloadStatus? = nil,
        links: SignInLinks? = nil,
        signIn: any ConsoleSignIn,
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        try self.init(
            console: console,
            listen: listen,
            store: store,
            ledger: ledger,
            reader: reader,
            reviews: reviews,
            actions: actions,
            standby: nil,
            reloads: reloads,
            links: links,
            signIn: signIn,
            clock: clock,
            logger: logger
        )
    }

    /// The console of a standby instance: every page, read-only, with a line naming the active
    /// instance; sign-ins, sign-outs and downloads are audited through `standby` (by the active
    /// instance), and refused when it cannot.
    public convenience init(
        console: GatewayConfig.Console,
        listen: HostPort,
        store: ConfigStore,
        ledger: any Ledger,
        reader: LedgerReader,
        standby: ConsoleStandby,
        signIn: any ConsoleSignIn,
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        try self.init(
            console: console,
            listen: listen,
            store: store,
            ledger: ledger,
            reader: reader,
            reviews: nil,
            actions: nil,
            standby: standby,
            reloads: nil,
            links: nil,
            signIn: signIn,
            clock: clock,
            logger: logger
        )
    }

    private init(
        console: GatewayConfig.Console,
        listen: HostPort,
        store: ConfigStore,
        ledger: any Ledger,
        reader: LedgerReader,
        reviews: Reviews?,
        actions: OutboxActions?,
        standby: ConsoleStandby?,
        reloads: ReloadStatus?,
        links: SignInLinks?,
        signIn: any ConsoleSignIn,
        clock: WallClock,
        logger: Logger
    ) throws {
        self.store = store
        self.ledger = ledger
        self.reader = reader
        self.reviews = reviews
        self.actions = actions
        self.standby = standby
        self.reloads = reloads
        self.links = links
        self.signIn = signIn
        self.sessions = ConsoleSessions(lifetime: console.session, idle: console.idle)
        self.templates = try ConsoleTemplates.library()
        self.listen = listen
        self.clock = clock
        self.logger = logger
        self.sessionCookie = console.isSecure ? "__Host-gatehouse" : "gatehouse_session"
    }

    /// The port the listener bound (useful with port 0), once it is running.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// The listener, as a service for the gateway's ServiceGroup.
    public func service() -> some Service {
        Application(
            router: router(),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "gatehouse-console"),
            onServerRunning: { [self] channel in
                self.bound.withLock { $0 = channel.localAddress?.port }
            },
            logger: logger
        )
    }

    /// The console section in force.
    var console: GatewayConfig.Console? { store.current.config.console }

    /// Every route of the console: the listener's, and what tests and the page benchmark drive
    /// without a socket (Hummingbird's router test mode).
    public func router() -> Hummingbird.Router<ConsoleContext> {
        let router = Hummingbird.Router(context: ConsoleContext.self)
        router.get("/static/console.css") { _, _ in Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/console.js") { _, _ in Self.asset(ConsoleAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("/signin") { request, _ in self.signInPage(request) }
        router.get("/signin/start") { request, _ in await self.startSignIn(request) }
        router.get("/signin/callback") { request, _ in await self.finishSignIn(request) }
        router.get("/signin/link") { request, _ in await self.signInWithLink(request) }
        router.post("/signout") { request, _ in try await self.signOut(request) }
        router.get("/") { request, _ in try await self.page(request, need: .viewer) { try await self.overview(request, $0) } }
        router.get("/holds") { request, _ in try await self.page(request, need: .viewer) { try await self.holds($0) } }
        router.get("/holds/:id") { request, context in
            try await self.page(request, need: .viewer) { try await self.hold(context.parameters.get("id").flatMap(Int64.init), $0, notice: nil) }
        }
        router.post("/holds/:id/decide") { request, context in
            try await self.action(request, need: .reviewer) { signedIn, form in
                try await self.decide(context.parameters.get("id").flatMap(Int64.init), form, signedIn)
            }
        }
        router.get("/outbox") { request, _ in try await self.page(request, need: .viewer) { try await self.outbox($0, notice: nil) } }
        router.post("/outbox/:id/:action") { request, context in
            try await self.action(request, need: .admin) { signedIn, form in
                try await self.act(context.parameters.get("id").flatMap(Int64.init), context.parameters.get("action") ?? "", form, signedIn)
            }
        }
        router.get("/config") { request, _ in try await self.page(request, need: .viewer) { try await self.configPage($0) } }
        router.get("/reports") { request, _ in
            try await self.page(request, need: .viewer) { signedIn in
                try await self.withReport(request, signedIn) { try await self.reportPage($0, signedIn) }
            }
        }
        router.get("/reports/pdf") { request, _ in
            try await self.page(request, need: .viewer) { signedIn in
                try await self.withReport(request, signedIn) { try await self.reportPDF($0, signedIn) }
            }
        }
        router.get("/config/diff") { request, _ in try await self.page(request, need: .viewer) { try await self.configDiff(request, $0) } }
        router.get("/audit") { request, _ in try await self.page(request, need: .viewer) { try await self.auditPage(request, $0) } }
        router.get("/audit/export") { request, _ in try await self.page(request, need: .viewer) { try await self.export(request, $0) } }
        router.get("/audit/:sequence") { request, context in
            try await self.page(request, need: .viewer) { try await self.recordPage(context.parameters.get("sequence").flatMap(Int64.init), $0) }
        }
        router.get("/audit/:sequence/proof") { request, context in
            try await self.page(request, need: .viewer) { try await self.proof(context.parameters.get("sequence").flatMap(Int64.init), $0) }
        }
        return router
    }
}
