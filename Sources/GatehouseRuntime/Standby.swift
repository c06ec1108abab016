import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle
import Synchronization

/// An instance on a shared ledger that does not hold the lease: it waits to take over. Until
/// then it polls nothing, receives no push, sends nothing and signs nothing; its listener answers
/// `/healthz` (200 while the database answers), `/readyz` with 503 (a load balancer sends the
/// platforms' webhooks to the active instance only) and `/hooks/…` with 503 and `Retry-After`;
/// its admin socket hands requests to the active instance (``StandbyAdminSurface``).
public final class Standby: Sendable {
    /// What the standby's listener says of the active instance.
    public final class Role: Sendable {
        private let active = Mutex<String?>(nil)

        public init() {}

        /// The active instance's name, as last seen.
        public var activeInstance: String? { active.withLock { $0 } }

        func saw(_ holder: String?) { active.withLock { $0 = holder } }
    }

    private let lease: LedgerLease
    private let ledger: any Ledger
    private let config: GatewayConfig
    private let relay: AdminRelay
    private let notifier: SystemdNotifier
    private let logger: Logger
    public let role = Role()
    private let taken = Mutex<LedgerLease.Held?>(nil)
    /// How often the lease is tried while another instance holds it.
    private let interval: Duration

    public init(
        lease: LedgerLease,
        ledger: any Ledger,
        config: GatewayConfig,
        relay: AdminRelay,
        notifier: SystemdNotifier = SystemdNotifier(),
        logger: Logger
    ) {
        self.lease = lease
        self.ledger = ledger
        self.config = config
        self.relay = relay
        self.notifier = notifier
        self.logger = logger
        self.interval = lease.duration / 5
    }

    /// Waits for the lease, serving as a standby meanwhile (with `extras` beside: the read-only
    /// console), all stopped once the lease is taken; the lease as taken, or nil when the process
    /// was asked to stop first (SIGTERM, SIGINT).
    public func run(extras: [any Service] = []) async throws -> LedgerLease.Held? {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: Seeker(standby: self), successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        services += extras.map { .init(service: $0) }
        if let listen = config.listen.http.flatMap(HostPort.init) {
            let health = HealthSurface(
                listen: listen,
                revision: config.revision,
                ledger: ledger,
                limits: config.listen.limits,
                standby: role,
                logger: logger
            )
            services.append(.init(service: health.service()))
        }
        if let path = config.listen.admin {
            let admin = StandbyAdminSurface(
                path: path,
                config: config,
                ledger: ledger,
                relay: relay,
                role: role,
                instance: lease.holder,
                logger: logger
            )
            services.append(.init(service: admin.service()))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return taken.withLock { $0 }
    }

    /// Tries the lease every `interval` until it is taken, telling the service manager this
    /// instance is up (a standby is a healthy state) and pinging its watchdog while the database
    /// answers.
    private struct Seeker: Service {
        let standby: Standby

        func run() async throws {
            // Asked to stop before the lease came: the group ends with nothing taken.
            try? await cancelWhenGracefulShutdown {
                var told = false
                var lastSeen: String?
                while !Task.isCancelled {
                    var remaining: Duration?
                    do {
                        if let held = try await standby.lease.acquire() {
                            standby.logger.notice(
                                "this instance holds the ledger's lease and becomes active",
                                metadata: ["gh.lease_token": .stringConvertible(held.token), "gh.instance": .string(standby.lease.holder)]
                            )
                            standby.taken.withLock { $0 = held }
                            return
                        }
                        let current = try await standby.lease.current()
                        remaining = current?.remaining
                        standby.role.saw(current?.holder)
                        let status = SystemdNotifier.status("standby: \(current?.holder ?? "no instance") is active")
                        _ = standby.notifier.notify(
                            (told ? "" : "READY=1\n") + (standby.notifier.watchdogInterval != nil ? "WATCHDOG=1\n" : "") + status
                        )
                        told = true
                        if current?.holder != lastSeen {
                            standby.logger.info("standing by", metadata: ["gh.active": .string(current?.holder ?? "none")])
                            lastSeen = current?.holder
                        }
                    } catch {
                        // No WATCHDOG=1 while the database is out of reach: a standby that cannot
                        // reach it could not take over either.
                        standby.logger.warning("the lease could not be tried", metadata: ["gh.error": .string(String(describing: error))])
                    }
                    // Tried again at the interval, or just after the lease runs out if sooner:
                    // a killed holder's lease is taken within moments of its end, not up to an
                    // interval later.
                    try await Task.sleep(for: Standby.pause(interval: standby.interval, remaining: remaining))
                }
            }
        }
    }
}

extension Standby {
    /// How long a standby waits before trying the lease again: `interval`, or a moment after the
    /// holder's lease runs out (`remaining`, by the database's clock) when that is sooner.
    static func pause(interval: Duration, remaining: Duration?) -> Duration {
        guard let remaining else { return interval }
        return min(interval, remaining + .milliseconds(20))
    }
}

/// The active instance's hold on the lease: renewed five times within its duration. A renewal
/// that finds the lease gone (run out while this process was paused or cut off, or taken) stops
/// the process with an error — its writes are fenced already, and the service manager starts it
/// again as a standby. A clean stop gives the lease up, so that a standby takes over at once.
public struct LeaseKeeper: Service {
    let lease: LedgerLease
    let held: LedgerLease.Held
    let logger: Logger

    /// Called once the lease is found lost, before the process stops (``Ingress/standDown(within:)``).
    let standDown: @Sendable () async -> Void

    public init(lease: LedgerLease, held: LedgerLease.Held, standDown: @escaping @Sendable () async -> Void = {}, logger: Logger) {
        self.standDown = standDown
        self.lease = lease
        self.held = held
        self.logger = logger
    }

    public func run() async throws {
        let interval = lease.duration / 5
        var lost: LedgerError?
        do {
            lost = try await cancelWhenGracefulShutdown { () async throws -> LedgerError? in
                var renewed = ContinuousClock.now
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    do {
                        guard try await lease.renew(held) else {
                            return LedgerError.notLeader("the ledger's lease (token \(held.token)) ran out or was taken over")
                        }
                        renewed = .now
                    } catch is CancellationError {
                        return nil
                    } catch {
                        logger.warning("the lease could not be renewed", metadata: ["gh.error": .string(String(describing: error))])
                        // Past its duration it is no longer this instance's, whatever the database says later.
                        if ContinuousClock.now - renewed >= lease.duration {
                            return LedgerError.notLeader("the ledger's lease could not be renewed within \(lease.duration)")
                        }
                    }
                }
                return nil
            }
        } catch is CancellationError {
            lost = nil
        }
        if let lost {
            logger.critical("this instance is no longer active; stopping", metadata: ["gh.error": .string(lost.description)])
            // What a platform pushed to this instance while it was paused (and will not push
            // again) is taken in first, and handed to the active instance.
            await standDown()
            throw lost
        }
        do {
            try await lease.release(held)
            logger.info("the ledger's lease was given up")
        } catch {
            logger.warning(
                "the lease could not be given up; a standby takes over once it runs out",
                metadata: ["gh.error": .string(String(describing: error))]
            )
        }
    }
}
