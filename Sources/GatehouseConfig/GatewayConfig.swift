import GatehouseCore

/// A validated, compiled config: immutable, shared by every service, swapped whole on reload.
public struct GatewayConfig: Sendable {
    /// The path the config was read from.
    public var file: String
    /// SHA-256 (hex) of the file's bytes: which rules decided a crossing, in every audit record.
    public var revision: String
    /// The ledger directory (SQLite), and where this instance keeps what is its own.
    public var state: String
    /// The ledger on PostgreSQL, shared by every instance on it, when `state:` names a database.
    public var database: Database?
    public var listen: Listen
    /// Every platform, by name.
    public var platforms: [String: PlatformConfig]
    /// Every channel, by name.
    public var channels: [String: Channel]
    /// Every check, by name.
    public var checks: [String: Check]
    /// Every route, in file order.
    public var routes: [Route]
    /// How the audit log is checkpointed; nil when the config has no `audit:` section (then the
    /// daemon refuses to start: a log nobody signs proves nothing).
    public var audit: Audit?
    /// How deliveries are retried and how many run at once.
    public var outbox: Outbox = Outbox()
    /// What the support desk answers customers by itself (`desk:`).
    public var desk: Desk = Desk()
    /// How review cards reach the reviewers (`review:`); nil when no route sends cards.
    public var review: Review?
    /// The `console:` section (with `listen.console`).
    public var console: Console?
    /// Problems that did not stop the config from loading (`FILE:LINE:COL: warning: …`).
    public var warnings: [Diagnostic] = []
    /// The files the config was read from, as read (each YAML file with the value of every inline
    /// secret masked, then the keyword lists): what the console shows and compares between revisions.
    public var sources: [ConfigSource] = []

    /// `state: postgres://…`, or `state: { url, password_file, lease }`.
    public struct Database: Sendable, Hashable {
        /// Where the database is, with the password from `password_file`.
        public var location: PostgresLocation
        /// How long the active instance's lease lasts without a renewal: a standby takes over
        /// once it has run out (renewed five times within it).
        public var lease: Duration

        public init(location: PostgresLocation, lease: Duration = .seconds(5)) {
            self.location = location
            self.lease = lease
        }
    }

    /// The `audit:` section.
    public struct Audit: Sendable, Hashable {
        /// The checkpoints' origin line, e.g. `acme.example/gatehouse`.
        public var origin: String
        /// The Ed25519 signing key in the note format (`PRIVATE+KEY+…`), from `signing_key_file`.
        public var signingKey: Secret
        /// Write a checkpoint at least this often while the log grows…
        public var checkpointEvery: Duration
        /// …or as soon as this many records were appended since the last one.
        public var checkpointRecords: Int
        /// How long message bodies are kept before retention erases them; nil = for ever.
        public var keepContent: Duration?
        /// Whether messages from chats no channel names are summed up in `ignored` records (they
        /// are always counted in `gatehouse_unrouted_total`).
        public var recordUnrouted = false
        /// How often the messages intake ignored are summed up in the log.
        public var summaryEvery: Duration = .seconds(60)
    }

    /// The `desk:` section: what the support desk answers a customer by itself.
    public struct Desk: Sendable {
        /// To a customer whose ticket is new.
        public var greeting: Template?
        /// To a customer whose closed ticket their message opened again.
        public var acknowledgement: Template?
        /// To a customer who writes outside the desk's hours (when their ticket opens).
        public var outOfHours: OutOfHours?
        /// How many messages one customer may send in a window; the excess is recorded (in the
        /// `ignored` summary, `desk:over_rate`) and not forwarded.
        public var customerRate = Rate(20, per: .seconds(60))

        public struct OutOfHours: Sendable {
            /// Fires outside the desk's hours.
            public var window: TimeWindowDetector
            public var text: Template
        }

        public init() {}
    }

    /// The `outbox:` section.
    public struct Outbox: Sendable, Hashable {
        /// The delay before a failed delivery's first retry; it doubles with each failure…
        public var retryMinimum: Duration = .seconds(1)
        /// …up to this.
        public var retryMaximum: Duration = .seconds(300)
        /// A delivery still failing this long after its crossing was decided is dead-lettered.
        public var maxAge: Duration = .seconds(24 * 3600)
        /// At most this many deliveries in flight at once, across all destinations.
        public var maxActive: Int = 64

        public init() {}
    }

    /// The `review:` section: which DingTalk app's robot sends the review cards, and the card
    /// template they are built from.
    public struct Review: Sendable, Hashable {
        /// The config's name of the DingTalk platform.
        public var platform: String
        /// The card template's id in DingTalk's card platform.
        public var cardTemplate: String

        public init(platform: String, cardTemplate: String) {
            self.platform = platform
            self.cardTemplate = cardTemplate
        }
    }

    /// The `console:` section: where people open the web console, whose DingTalk app signs them
    /// in, how long a session lasts, and who has which role.
    public struct Console: Sendable, Hashable {
        /// The address people open (`https://gatehouse.example.com`), without a trailing slash;
        /// sign-in comes back to `<url>/signin/callback`.
        public var url: String
        /// The config's name of the DingTalk platform whose app signs people in.
        public var signIn: String
        /// How long a session lasts at most, and how long it may go unused.
        public var session: Duration = .seconds(8 * 3600)
        public var idle: Duration = .seconds(30 * 60)
        /// Who has each role: DingTalk staff ids and departments (`staff:ID`, `department:NAME`).
        public var roles: [ConsoleRole: [Reviewer]]

        public init(url: String, signIn: String, roles: [ConsoleRole: [Reviewer]]) {
            self.url = url
            self.signIn = signIn
            self.roles = roles
        }

        /// Whether the console is reached over https (its cookies are then `Secure`).
        public var isSecure: Bool { url.lowercased().hasPrefix("https://") }

        /// The highest role a person has, judged by their staff id and departments; nil for none.
        public func role(of identity: ReviewerIdentity) -> ConsoleRole? {
            ConsoleRole.allCases.reversed().first { role in
                (roles[role] ?? []).contains { reviewer in
                    switch reviewer {
                    case .staff(let id): id == identity.id
                    case .department(let name): identity.departments.contains(name)
                    case .unixGroup: false
                    }
                }
            }
        }
    }

    /// The decision pipeline compiled from the channels and routes.
    /// What a reload cannot change: the platforms (their connections and credentials are set up
    /// at start), where state lives, where it listens, and how the log is signed. A new config
    /// that differs here needs a restart; the names of the sections that differ.
    public func restartOnlyDifferences(from other: GatewayConfig) -> [String] {
        var differences: [String] = []
        if platforms != other.platforms { differences.append("platforms") }
        if state != other.state || database != other.database { differences.append("state") }
        if listen != other.listen { differences.append("listen") }
        if audit != other.audit { differences.append("audit") }
        if outbox != other.outbox { differences.append("outbox") }
        // Who may sign in follows a reload (roles are judged at every request); how they sign in does not.
        if console?.url != other.console?.url || console?.signIn != other.console?.signIn { differences.append("console") }
        return differences
    }

    public var gate: Gate {
        Gate(router: Router(channels: channels, routes: routes), sides: platforms.mapValues(\.side), policy: Policy(checks: checks))
    }

    /// Where the HTTP and admin surfaces listen.
    public struct Listen: Sendable, Hashable {
        /// `host:port` for webhooks, /healthz and /metrics; nil = no HTTP listener.
        public var http: String?
        /// Path of the admin unix socket; nil = none.
        public var admin: String?
        /// `host:port` of the web console (never the listener of `/hooks`); nil = no console.
        public var console: String?

        /// What one source may ask of `/hooks` on the HTTP listener.
        public var limits = PushLimits()

        public init(http: String? = nil, admin: String? = nil) {
            self.http = http
            self.admin = admin
        }
    }

    /// `listen.limits`: what the HTTP listener takes from one source address (an IPv4 address,
    /// or an IPv6 /64) on `/hooks`, and how long it waits for anyone.
    public struct PushLimits: Sendable, Hashable {
        /// Requests per source, with bursts up to one window's count (a token bucket).
        public var rate = Rate(100, per: .seconds(1))
        /// Requests of one source open at once. Telegram opens up to `max_connections` (40 by default).
        public var concurrent = 64
        /// The longest a push's body may take to arrive, once its headers were accepted.
        public var bodyTimeout: Duration = .seconds(10)
        /// A connection with no traffic this long is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// The largest push body: platforms' updates are a few kilobytes.
        public var maxBodyBytes = 1 << 20
        /// How often the refused pushes are summed up in the audit log.
        public var summaryEvery: Duration = .seconds(60)

        public init() {}
    }
}
