import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Delivers outbox jobs through the adapters: one ordered queue per destination, destinations in
/// parallel, transient failures retried with doubling backoff (or exactly the platform's
/// `retry_after`), permanent ones dead-lettered — every outcome audited.
public final class Dispatcher: Service, Sendable {
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
            maxAge: Duration = .seconds(24 * 3600), maxActive: Int = 64, lease: Duration = .seconds(300),
            metrics: (any MetricsFactory)? = nil, drainTimeout: Duration = .seconds(20)
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
                maxAge: outbox.maxAge, maxActive: outbox.maxActive
            )
        }
    }

    private let store: ConfigStore
    private let ledger: any Ledger
    private let adapters: [String: any Adapter]
    private let configuration: Configuration
    private let logger: Logger
    /// One doorbell per destination; rung when a job is queued or a deferral is due. A reload
    /// adds the destinations it brings and finishes the ones it removes.
    private let doorbells: Mutex<[String: AsyncStream<Void>.Continuation]>
    /// The queues not yet being worked, for `run` to start.
    private let streams: Mutex<[String: AsyncStream<Void>]>
    /// The channels the queues follow, as of the last config applied.
    private let applied: Mutex<[String: Channel]>
    /// When a reload pointed a destination's channel elsewhere: jobs queued before were decided
    /// for the old place and never go to the new one.
    private let movedAt = Mutex<[String: Date]>([:])
    /// Rung when the config in force changed.
    private let reconfigured: AsyncStream<Void>.Continuation
    private let reconfigurations: AsyncStream<Void>
    /// Set on graceful shutdown: finish the job in hand, start no other.
    private let stopping = Mutex(false)
    /// Bounds the deliveries in flight across destinations.
    private let window: ActiveWindow

    public convenience init(config: GatewayConfig, ledger: any Ledger, adapters: [any Adapter], configuration: Configuration = .init(), logger: Logger) {
        self.init(store: ConfigStore(config), ledger: ledger, adapters: adapters, configuration: configuration, logger: logger)
    }

    public init(store: ConfigStore, ledger: any Ledger, adapters: [any Adapter], configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.ledger = ledger
        self.adapters = Dictionary(adapters.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.logger = logger
        self.window = ActiveWindow(limit: configuration.maxActive)
        var doorbells: [String: AsyncStream<Void>.Continuation] = [:]
        var streams: [String: AsyncStream<Void>] = [:]
        for destination in store.current.destinations {
            (streams[destination], doorbells[destination]) = Self.queue()
        }
        self.doorbells = Mutex(doorbells)
        self.streams = Mutex(streams)
        (reconfigurations, reconfigured) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        applied = Mutex(store.current.config.channels)
    }

    /// A destination's doorbell, rung once so that whatever a previous run left queued is drained.
    private static func queue() -> (AsyncStream<Void>, AsyncStream<Void>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield()
        return (stream, continuation)
    }

    /// Wakes the queues of these destinations.
    public func notify(_ destinations: Set<String>) {
        doorbells.withLock { doorbells in
            for destination in destinations {
                doorbells[destination]?.yield()
            }
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
                        self.logger.warning("deliveries still in flight at the shutdown bound are cancelled; they are sent again after the restart", metadata: [
                            "gh.bound": .string(self.configuration.drainTimeout.description),
                        ])
                    }
                }
                await race.next()
                race.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.withLock { $0 = true }
            self.doorbells.withLock { doorbells in
                for doorbell in doorbells.values { doorbell.finish() }
            }
            self.reconfigured.finish()
        }
    }

    /// Starts a worker for every queue not yet worked.
    private func startQueues(in group: inout DiscardingTaskGroup) {
        let streams = self.streams.withLock { streams in
            defer { streams = [:] }
            return streams
        }
        for (destination, stream) in streams {
            group.addTask { await self.work(destination, stream) }
        }
    }

    /// Follows the config in force: cancels (and audits) the jobs of lanes it no longer has and
    /// of destinations whose channel now points elsewhere (they were decided for the old one),
    /// and starts queues for new destinations. A removed destination's queue stays, idle: were
    /// it stopped while it sends, and the destination came back, two workers would share a queue.
    private func applyConfig() async {
        let current = store.current
        let previous = applied.withLock { applied in
            defer { applied = current.config.channels }
            return applied
        }
        let moved = Set(current.destinations.filter { name in
            guard let before = previous[name], let now = current.config.channels[name] else { return false }
            return !before.isSamePlace(as: now)
        })
        let now = Date()
        movedAt.withLock { movedAt in
            for name in moved { movedAt[name] = now }
        }
        do {
            try await cancelJobs(keeping: current.lanes, inflight: false, destination: nil)
            for name in moved {
                try await cancelJobs(
                    keeping: current.lanes.filter { $0.destination != name }, inflight: false, destination: name, createdBefore: now,
                    reason: Self.movedReason
                )
            }
        } catch {
            logger.error("cannot cancel the jobs of removed routes; they are cancelled when next at the head of their queue", metadata: [
                "gh.error": .string("\(error)"),
            ])
        }
        doorbells.withLock { doorbells in
            // A reload that lands as the shutdown begins starts nothing new.
            if !stopping.withLock({ $0 }) {
                for destination in current.destinations where doorbells[destination] == nil {
                    let (stream, doorbell) = Self.queue()
                    doorbells[destination] = doorbell
                    streams.withLock { $0[destination] = stream }
                }
            }
            for doorbell in doorbells.values { doorbell.yield() }
        }
    }

    static let removedReason = "route or destination no longer in the config"
    static let movedReason = "the destination's channel changed in the config after this was decided for it"

    /// Cancels, with their audit records, the queued jobs of lanes not in `lanes` (of one
    /// destination only, when given).
    private func cancelJobs(
        keeping lanes: Set<Lane>, inflight: Bool, destination: String?, createdBefore: Date? = nil, reason: String = removedReason
    ) async throws {
        let cancelled = try await ledger.cancelJobs(
            outside: lanes, inflight: inflight, destination: destination, createdBefore: createdBefore, reason: reason, at: Date()
        )
        for record in cancelled {
            logger.warning("queued delivery cancelled: its route or destination left the config", metadata: [
                "gh.route": .string(record.route ?? ""), "gh.destination": .string(record.destination ?? ""),
                "gh.record": .stringConvertible(record.sequence), "gh.crossing": .stringConvertible(record.crossing ?? 0),
            ])
        }
    }

    /// One destination's queue: on each ring, deliver jobs in order until the queue is empty or its
    /// head must wait; a waiting head sets a timer that rings again when it is due.
    private func work(_ destination: String, _ stream: AsyncStream<Void>) async {
        await withDiscardingTaskGroup { timers in
            // At most one timer per destination: rings while the head waits must not pile up sleepers.
            // Kept on the continuous clock, which the timer sleeps on: a wall clock set back while
            // it sleeps must not leave it looking armed after it has rung.
            var armed: ContinuousClock.Instant?
            for await _ in stream {
                if let deadline = armed, deadline <= .now { armed = nil }
                guard let due = await drain(destination) else { continue }
                let deadline = ContinuousClock.now + .seconds(max(due.timeIntervalSinceNow, 0))
                guard armed.map({ deadline < $0 }) ?? true else { continue }
                armed = deadline
                let doorbell = doorbells.withLock { $0[destination] }
                timers.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    doorbell?.yield()
                }
            }
            timers.cancelAll()
        }
    }

    /// Delivers until the queue is empty (nil) or its head is deferred until a later time (that time).
    private func drain(_ destination: String) async -> Date? {
        while !stopping.withLock({ $0 }) && !Task.isCancelled {
            let job: OutboxJob?
            do {
                job = try await ledger.head(of: destination)
            } catch {
                logger.error("cannot read the outbox", metadata: ["gh.destination": .string(destination), "gh.error": .string("\(error)")])
                return Date().addingTimeInterval(1)
            }
            guard let job else { return nil }
            // One snapshot decides whether the job still goes and, in deliver, where.
            let snapshot = store.current
            let priority: DeliveryPriority
            switch DeliveryPlan.plan(job, in: snapshot, movedAt: movedAt.withLock { $0[destination] }, now: Date()) {
            case .cancel(.channelMoved(let moved)):
                do {
                    try await cancelJobs(
                        keeping: snapshot.lanes.filter { $0.destination != destination }, inflight: true, destination: destination,
                        createdBefore: moved, reason: Self.movedReason
                    )
                } catch {
                    logger.error("cannot cancel a job decided for a channel that changed", metadata: ["gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)")])
                    return Date().addingTimeInterval(1)
                }
                continue
            case .cancel(.routeRemoved):
                // Its route left the config in a reload: it stops here, cancelled and audited.
                do {
                    // This queue's own jobs only: its worker is the one that would send them.
                    try await cancelJobs(keeping: store.current.lanes, inflight: true, destination: destination)
                } catch {
                    logger.error("cannot cancel a job of a removed route", metadata: ["gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)")])
                    return Date().addingTimeInterval(1)
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
                    guard !stopping.withLock({ $0 }) else { return }
                    if job.state == .inflight {
                        // Taken for sending when the previous run stopped: it may have arrived.
                        logger.warning("sending again a delivery that was in flight when the gateway stopped; the destination may see it twice", metadata: [
                            "gh.job": .stringConvertible(job.id), "gh.destination": .string(destination),
                            "gh.crossing": .stringConvertible(job.crossing),
                        ])
                    }
                    let leased = try await ledger.lease(job, until: Date().addingTimeInterval(configuration.lease.timeInterval))
                    try await deliver(leased, priority: priority, in: snapshot)
                }
            } catch is CancellationError {
                return nil
            } catch {
                // The outcome could not be recorded; the job is still queued and will be tried again.
                logger.error("cannot record a delivery outcome", metadata: ["gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)")])
                return Date().addingTimeInterval(1)
            }
        }
        return nil
    }

    /// Posts, edits or deletes at the destination and returns the native ids the message has there
    /// now, and a note for the audit record when it was done otherwise than asked.
    private func perform(
        _ job: OutboxJob, priority: DeliveryPriority, with adapter: any Adapter, in channel: Channel, snapshot: ConfigStore.Snapshot
    ) async throws -> (ids: [String], note: String?) {
        var message = OutboundMessage(
            channel: channel, text: job.text, idempotencyKey: job.idempotencyKey, spans: job.payload.spans,
            attachments: job.payload.attachments, priority: priority
        )
        if let answered = job.payload.replyTo {
            // A reply answers the answered message as it arrived here (its first part); one that
            // never arrived here makes this a plain message.
            message.replyTo = try await ledger.nativeIDs(
                platform: job.originPlatform, conversation: job.originConversation, message: answered, destination: job.destination
            ).first
        }
        message.files = fileSource(from: job.originPlatform, for: adapter)
        guard job.action != .post else {
            return (try await adapter.send(message, progress: progress(of: job)), nil)
        }
        let ids = try await ledger.nativeIDs(
            platform: job.originPlatform, conversation: job.originConversation, message: job.originMessage, destination: job.destination
        )
        switch job.action {
        case .post, .edit:
            // The original never arrived here (it was held, blocked, or came before the route):
            // the edited text passed the policy on its own, so it arrives as a post.
            // An edit that failed halfway left its progress: the messages in place by then.
            let current = job.deliveredParts.isEmpty ? ids : job.deliveredParts
            guard current.isEmpty else { return (try await adapter.edit(current, with: message, progress: progress(of: job)), nil) }
            return (try await adapter.send(message, progress: progress(of: job)), nil)
        case .delete:
            guard !ids.isEmpty else { return ([], nil) }
            do {
                try await adapter.delete(ids, in: channel, priority: priority)
                return ([], nil)
            } catch let error as DeliveryError where error.code == .notRemovable {
                // It must not keep saying what it said: withdrawn instead, each part still there
                // made to read the route's notice, and the audit record says so.
                let kept = try await adapter.withdraw(ids, in: channel, notice: snapshot.routes[job.route]?.withdrawn ?? Route.defaultWithdrawn, priority: priority)
                logger.warning("a copy the platform would not delete was withdrawn instead: it now reads the route's notice", metadata: [
                    "gh.job": .stringConvertible(job.id), "gh.destination": .string(job.destination), "gh.detail": .string(error.detail),
                ])
                return (kept, "withdrawn: the platform refused the delete (\(error.detail)); the copy now reads the route's notice")
            }
        }
    }

    /// Where a send reports each part it delivers: the ledger, so that a retry after a failure
    /// halfway through a split message resumes after the parts that arrived.
    private func progress(of job: OutboxJob) -> PartProgress {
        PartProgress(delivered: job.deliveredParts) { [ledger, logger] ids in
            do {
                try await ledger.recordProgress(job, nativeIDs: ids)
            } catch {
                // Not fatal: a retry then sends the message again from its first part.
                logger.warning("cannot record the parts delivered so far", metadata: [
                    "gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)"),
                ])
            }
        }
    }

    /// The largest attachment carried across (Telegram's upload limit for documents).
    static let attachmentLimit = 50 << 20
    /// Files being carried across: each fetched once for all its destinations, within a ceiling.
    let files = FileCache()

    /// The files of a job's attachments, fetched from the platform they arrived on when the
    /// destination's adapter is about to send each (for an adapter that sends files at all).
    private func fileSource(from platform: String, for destination: any Adapter) -> FileSource {
        guard destination.acceptsFiles, let origin = adapters[platform] else { return .none }
        return FileSource { [files] attachment in
            try await files.file("\(platform)/\(attachment.reference)", estimate: attachment.bytes.map { min($0, Self.attachmentLimit) } ?? Self.attachmentLimit) {
                try await origin.download(attachment, limit: Self.attachmentLimit)
            }
        }
    }

    /// Counts one delivery outcome: `gatehouse_deliveries_total{platform, outcome, error}`, every
    /// label from a bounded set (configured platforms, outcome names, error codes).
    private func count(_ outcome: String, platform: String, error: DeliveryError? = nil) {
        Counter(
            label: "gatehouse_deliveries_total",
            dimensions: [("platform", platform), ("outcome", outcome), ("error", error?.shortDescription ?? "none")],
            factory: configuration.metrics ?? MetricsSystem.factory
        ).increment()
    }

    private func deliver(_ job: OutboxJob, priority: DeliveryPriority, in snapshot: ConfigStore.Snapshot) async throws {
        var metadata: Logger.Metadata = [
            "gh.job": .stringConvertible(job.id), "gh.route": .string(job.route), "gh.destination": .string(job.destination),
            "gh.crossing": .stringConvertible(job.crossing),
        ]
        let config = snapshot.config
        guard let channel = config.channels[job.destination], let adapter = adapters[channel.platform] else {
            let record = try await ledger.recordDead(job, reason: "destination '\(job.destination)' is not configured", at: Date())
            logger.error("dead-lettered: destination not configured", metadata: metadata.merging(["gh.record": .stringConvertible(record.sequence)]) { $1 })
            count("dead", platform: config.channels[job.destination]?.platform ?? "unknown")
            return
        }
        // Where on the platform, so that an operator can find the chat the platform refused.
        metadata["gh.address"] = .string(channel.address.logDescription)
        let ids: [String]
        let note: String?
        let failure: (any Error)?
        do {
            (ids, note) = try await perform(job, priority: priority, with: adapter, in: channel, snapshot: snapshot)
            failure = nil
        } catch {
            (ids, note, failure) = ([], nil, error)
        }
        let now = Date()
        let error = failure as? DeliveryError
        if let error { metadata["gh.error"] = .string(error.shortDescription) }
        switch DeliveryOutcome.classify(failure, job: job, now: now, retry: configuration.retry, maxAge: configuration.maxAge) {
        case .delivered:
            let record = try await ledger.recordDelivered(job, nativeIDs: ids, note: note, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            metadata["gh.native_ids"] = .string(ids.joined(separator: ","))
            logger.info("delivered", metadata: metadata)
            count("delivered", platform: channel.platform)
        case .dead(let reason):
            let record = try await ledger.recordDead(job, reason: reason, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            logger.error("dead-lettered: \(reason)", metadata: metadata)
            count("dead", platform: channel.platform, error: error)
        case .deferred(let retryAt, let delay, let reason):
            let record = try await ledger.recordDeferred(job, reason: reason, retryAt: retryAt, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            metadata["gh.retry_in"] = .string(delay.description)
            logger.warning("deferred: \(reason)", metadata: metadata)
            count("deferred", platform: channel.platform, error: error)
            if error?.code == .rateLimited {
                // The platform said slow down (a 429, or DingTalk's throttling codes): a pacing
                // bug or a shared bot when this grows.
                Counter(label: "gatehouse_rate_limited_total", dimensions: [("platform", channel.platform)],
                        factory: configuration.metrics ?? MetricsSystem.factory).increment()
            }
        }
    }
}
