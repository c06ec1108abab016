import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The outbox's queues: one ordered queue per destination, destinations worked in parallel, each
/// woken when a job is queued or a deferral is due, following reloads, and stopped by the
/// graceful shutdown. What becomes of a queue's head is ``DeliveryPlan``'s to say; the attempt
/// itself and its outcome are ``Delivery``'s.
public final class Dispatcher: Service, Sendable {
    /// The queues' state (``State``), behind one lock.
    let state: Mutex<State>
    let store: ConfigStore
    let ledger: any OutboxLedger
    private let delivery: Delivery
    let clock: WallClock
    let logger: Logger
    /// Rung when the config in force changed.
    private let reconfigured: AsyncStream<Void>.Continuation
    private let reconfigurations: AsyncStream<Void>
    /// Bounds the deliveries in flight across destinations.
    private let window: ActiveWindow

    public convenience init(
        config: GatewayConfig,
        ledger: any OutboxLedger,
        adapters: [any Adapter],
        configuration: Configuration = .init(),
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.init(store: ConfigStore(config), ledger: ledger, adapters: adapters, configuration: configuration, clock: clock, logger: logger)
    }

    public init(
        store: ConfigStore,
        ledger: any OutboxLedger,
        adapters: [any Adapter],
        configuration: Configuration = .init(),
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.store = store
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.delivery = Delivery(
            ledger: ledger,
            adapters: Dictionary(adapters.map { ($0.platform, $0) }) { first, _ in first },
            configuration: configuration,
            clock: clock,
            logger: logger
        )
        self.window = ActiveWindow(limit: configuration.maxActive)
        var queues = State.Queues(applied: store.current.config.channels)
        for destination in store.current.destinations { queues.open(destination) }
        self.state = Mutex(.open(queues))
        (reconfigurations, reconfigured) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    private var configuration: Configuration { delivery.configuration }

    private var isStopping: Bool {
        state.withLock { $0.queues == nil }
    }

    /// Wakes the queues of these destinations.
    public func notify(_ destinations: Set<String>) {
        state.withLock { state in
            for destination in destinations { state.queues?.doorbells[destination]?.yield() }
        }
    }

    /// The config in force changed: queues start for destinations it adds, and every queue is
    /// woken, so that jobs of routes it removed (or decided for a channel it moved) are
    /// cancelled rather than sent.
    public func reconfigure() {
        reconfigured.yield()
    }

    public func run() async throws {
        // Jobs queued for lanes this config no longer has would wait forever: cancel them, each
        // with its audit record, before delivering anything. Nothing is being sent yet, so jobs
        // the last run left in flight go too.
        try await cancelJobs(keeping: store.current.lanes, inflight: true, destination: nil)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { race in
                race.addTask {
                    await withDiscardingTaskGroup { group in
                        self.startQueues(in: &group)
                        // Until the shutdown finishes the stream: each reload's queues start from here.
                        for await _ in self.reconfigurations {
                            await self.applyConfig()
                            self.startQueues(in: &group)
                        }
                    }
                }
                race.addTask {
                    // Sends in hand get this long to finish once a shutdown begins; then they are
                    // cancelled, and their jobs, still leased, are sent again after the restart.
                    try? await gracefulShutdown()
                    try? await Task.sleep(for: self.configuration.drainTimeout)
                    if !Task.isCancelled {
                        self.logger.warning(
                            "deliveries still in flight at the shutdown bound are cancelled; they are sent again after the restart",
                            metadata: [
                                "gh.bound": .string(self.configuration.drainTimeout.description)
                            ]
                        )
                    }
                }
                await race.next()
                race.cancelAll()
            }
        } onGracefulShutdown: {
            // Finish the job in hand, start no other: every queue's stream ends.
            let previous = self.state.withLock { state in
                defer { state = .stopping }
                return state
            }
            if case .open(let queues) = previous {
                for doorbell in queues.doorbells.values { doorbell.finish() }
            }
            self.reconfigured.finish()
        }
    }

    /// Starts a worker for every queue not yet worked.
    private func startQueues(in group: inout DiscardingTaskGroup) {
        let unworked = state.withLock { state -> [String: AsyncStream<Void>] in
            guard case .open(var queues) = state else { return [:] }
            defer {
                queues.unworked = [:]
                state = .open(queues)
            }
            return queues.unworked
        }
        for (destination, stream) in unworked {
            group.addTask { await self.work(destination, stream) }
        }
    }

    /// One destination's queue: on each ring, deliver jobs in order until the queue is empty or its
    /// head must wait; a waiting head sets a timer that rings again when it is due.
    private func work(_ destination: String, _ stream: AsyncStream<Void>) async {
        await withDiscardingTaskGroup { timers in
            var alarm = Alarm()
            for await _ in stream {
                guard let due = await drain(destination) else { continue }
                let doorbell = state.withLock { $0.queues?.doorbells[destination] }
                alarm.set(for: due, now: clock.now, in: &timers, ringing: doorbell)
            }
            timers.cancelAll()
        }
    }

    /// Delivers until the queue is empty (nil) or its head must wait until a later time (that time).
    private func drain(_ destination: String) async -> Date? {
        // After a failure that left the job queued, the queue is tried again this much later.
        var retry: Date { clock.now.addingTimeInterval(1) }
        while !isStopping && !Task.isCancelled {
            let job: OutboxJob?
            do {
                job = try await ledger.head(of: destination)
            } catch {
                logger.error("cannot read the outbox", metadata: ["gh.destination": .string(destination), "gh.error": .string("\(error)")])
                return retry
            }
            guard let job else { return nil }
            // One snapshot decides whether the job still goes and, in the attempt, where.
            let snapshot = store.current
            let movedAt = state.withLock { $0.queues?.movedAt[destination] }
            let priority: DeliveryPriority
            switch DeliveryPlan.plan(job, in: snapshot, movedAt: movedAt, now: clock.now) {
            case .cancel(let cancellation):
                // Cancelled and audited here, with the rest of this queue's jobs in the same
                // case: its worker is the one that would send them.
                do {
                    switch cancellation {
                    case .channelMoved(let moved):
                        try await cancelJobs(
                            keeping: snapshot.lanes.filter { $0.destination != destination },
                            inflight: true,
                            destination: destination,
                            createdBefore: moved,
                            reason: Self.movedReason
                        )
                    case .routeRemoved:
                        try await cancelJobs(keeping: snapshot.lanes, inflight: true, destination: destination)
                    }
                } catch {
                    logger.error(
                        "cannot cancel a job the config no longer sends",
                        metadata: [
                            "gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)"),
                        ]
                    )
                    return retry
                }
                continue
            case .wait(let until):
                return until
            case .send(let planned):
                priority = planned
            }
            // The priority orders this delivery among those waiting for a place here and, as a
            // field of the message, for a turn at the platform's limits.
            do {
                try await window.withPlace(priority) {
                    // A shutdown that began while this waited for a place starts no new send.
                    guard !isStopping else { return }
                    try await delivery.attempt(job, priority: priority, in: snapshot)
                }
            } catch is CancellationError {
                return nil
            } catch {
                // The outcome could not be recorded; the job is still queued and will be tried again.
                logger.error("cannot record a delivery outcome", metadata: ["gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)")])
                return retry
            }
        }
        return nil
    }
}
