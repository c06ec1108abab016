import Foundation
import GatehouseConfig
import GatehouseCore
import Metrics

extension Dispatcher {
    public struct Configuration: Sendable {
        /// Backoff between attempts of one job after transient failures.
        public var retry: Backoff
        /// A job still failing this long after its crossing was decided is dead-lettered (and
        /// audited) rather than retried on: a message days late is no longer the message.
        public var maxAge: Duration
        /// At most this many deliveries in flight at once, across all destinations.
        public var maxActive: Int
        /// How long a job taken for sending stays leased to this dispatcher; longer than any send
        /// may take (the adapters' request timeouts), so that no other dispatcher takes it meanwhile.
        public var lease: Duration
        /// On shutdown, how long the sends in hand may take to finish (well inside systemd's
        /// TimeoutStopSec, which also has to cover the final checkpoint).
        public var drainTimeout: Duration
        /// Where delivery outcomes are counted: the gateway's registry (what `/metrics` shows)
        /// unless a test says otherwise; nil, the process's metrics system.
        public var metrics: (any MetricsFactory)?

        public init(
            retry: Backoff = Backoff(minimum: .seconds(1), maximum: .seconds(300), jitter: 0.1),
            maxAge: Duration = .seconds(24 * 3600),
            maxActive: Int = 64,
            lease: Duration = .seconds(300),
            metrics: (any MetricsFactory)? = nil,
            drainTimeout: Duration = .seconds(20)
        ) {
            self.drainTimeout = drainTimeout
            self.retry = retry
            self.maxAge = maxAge
            self.maxActive = maxActive
            self.lease = lease
            self.metrics = metrics
        }

        /// The config's `outbox:` section.
        public init(_ outbox: GatewayConfig.Outbox) {
            self.init(
                retry: Backoff(minimum: outbox.retryMinimum, maximum: outbox.retryMaximum, jitter: 0.1),
                maxAge: outbox.maxAge,
                maxActive: outbox.maxActive
            )
        }
    }
}
