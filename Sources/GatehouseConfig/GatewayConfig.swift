import GatehouseCore

/// A validated, compiled config: immutable, shared by every service, swapped whole on reload.
public struct GatewayConfig: Sendable {
    /// The path the config was read from.
    public var file: String
    /// SHA-256 (hex) of the file's bytes: which rules decided a crossing, in every audit record.
    public var revision: String
    /// The ledger directory.
    public var state: String
    public var listen: Listen
    /// Every platform, by name.
    public var platforms: [String: PlatformConfig]
    /// Every channel, by name.
    public var channels: [String: Channel]
    /// Every check, by name.
    public var checks: [String: Check]
    /// Every route, in file order.
    public var routes: [Route]

    /// The decision pipeline compiled from the channels and routes.
    public var gate: Gate {
        Gate(router: Router(channels: channels, routes: routes), sides: platforms.mapValues(\.side), policy: Policy(checks: checks))
    }

    /// Where the HTTP and admin surfaces listen.
    public struct Listen: Sendable, Hashable {
        /// `host:port` for webhooks, /healthz and /metrics; nil = no HTTP listener.
        public var http: String?
        /// Path of the admin unix socket; nil = none.
        public var admin: String?

        public init(http: String? = nil, admin: String? = nil) {
            self.http = http
            self.admin = admin
        }
    }
}
