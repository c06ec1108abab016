import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import ServiceLifecycle

/// Takes every inbound event from every adapter (and, through the push door, every push),
/// decides its crossings, commits them, and only then acknowledges the event to its platform.
public struct Ingress: Service, CustomStringConvertible {
    /// What the service group logs for it: its name, not its whole configuration.
    public var description: String { "Ingress" }

    private let store: ConfigStore
    private let adapters: [any Adapter]
    let ledger: any IntakeLedger & AuditLedger & DeskLedger
    let dispatcher: Dispatcher
    let metrics: any MetricsFactory
    let clock: WallClock
    /// The messages decided nothing for (service messages; unrouted ones, when the config says
    /// to record them), summed up in the log per interval.
    let ignored: Tally
    /// Each customer's pace at the support desk.
    let customerLimits = CustomerLimiter()
    /// Fired once the config the gateway started with is in the audit log.
    let configRecorded = StartSignal()
    /// On a shared ledger: where this instance hands the events it receives once it has lost the
    /// lease, and takes in those a fenced-out instance handed over while it is active.
    let handover: Handover?
    /// This instance's name, on the events it hands over.
    let instance: String
    /// Fired once a write found this instance's lease gone.
    let fencedOut = StartSignal()
    /// The intake loops that stand down, still running.
    let standing = IntakeLoops()
    let logger: Logger

    public init(
        config: GatewayConfig,
        adapters: [any Adapter],
        ledger: any IntakeLedger & AuditLedger & DeskLedger,
        dispatcher: Dispatcher,
        metrics: any MetricsFactory = MetricsSystem.factory,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.init(
            store: ConfigStore(config),
            adapters: adapters,
            ledger: ledger,
            dispatcher: dispatcher,
            metrics: metrics,
            clock: clock,
            logger: logger
        )
    }

    public init(
        store: ConfigStore,
        adapters: [any Adapter],
        ledger: any IntakeLedger & AuditLedger & DeskLedger,
        dispatcher: Dispatcher,
        metrics: any MetricsFactory = MetricsSystem.factory,
        clock: WallClock = .system,
        ignored: Tally = Tally(),
        handover: Handover? = nil,
        instance: String = LedgerLease.instanceName(),
        logger: Logger
    ) {
        self.handover = handover
        self.instance = instance
        self.ignored = ignored
        self.metrics = metrics
        self.clock = clock
        self.store = store
        self.adapters = adapters
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.logger = logger
    }

    public func run() async throws {
        // Every decision from here on follows this config: the log says so before the first one.
        let config = store.current.config
        let loaded = try await ledger.recordConfigLoaded(
            revision: config.revision,
            file: config.file,
            sources: config.sources,
            by: nil,
            at: clock.now
        )
        logger.info("config loaded", metadata: ["gh.record": .stringConvertible(loaded.sequence), "gh.revision": .string(config.revision)])
        configRecorded.fire()
        // Intake stops first on shutdown. An adapter whose platform pushes each event once stands
        // down first: its connection closes, and what was pushed to it before is committed. Then
        // cancelling the adapters' loops leaves any event that was not yet committed
        // unacknowledged, so the platform delivers it again after the restart.
        do {
            try await cancelWhenGracefulShutdown(standingDownFirst: true) {
                try await withThrowingDiscardingTaskGroup { group in
                    for adapter in adapters {
                        let counted = adapter.standsDown
                        if counted { standing.started() }
                        group.addTask {
                            defer { if counted { standing.ended() } }
                            try await adapter.receive { events in try await handle(events) }
                        }
                    }
                    // What the adapters do not pull comes through the push door (an adapter whose
                    // platform pushes returns once the platform knows where to): intake stays open
                    // for it until the stop.
                    group.addTask { try await gracefulShutdown() }
                    if let handover {
                        group.addTask { await takeIn(from: handover) }
                    }
                }
            }
        } catch is CancellationError where Task.isShuttingDownGracefully || Task.isCancelled {
            // A stop that found an adapter waiting (backing off after a failed poll, before a
            // reconnect): its sleep ends in CancellationError. That is the stop, not a failure.
        }
    }

    /// Decides, commits (all of them in one group), acknowledges each committed event in order, and
    /// wakes the dispatcher for the destinations that got jobs. Once this instance has lost a
    /// shared ledger's lease, hands the events to the active instance instead, and acknowledges
    /// them once they are stored there: a platform that never pushes a message again (a DingTalk
    /// robot message) may have pushed it to this instance alone.
    func handle(_ events: [InboundEvent]) async throws {
        if let handover, fencedOut.hasFired {
            try await hand(events, to: handover)
            return
        }
        do {
            try await decide(events)
        } catch let error as LedgerError where error.isNotLeader {
            guard let handover else { throw error }
            // From now on straight to the handover: every write of this instance would fail so.
            fencedOut.fire()
            logger.warning(
                "this instance is no longer active: what it receives goes to the active instance",
                metadata: ["gh.error": .string(error.description)]
            )
            try await hand(events, to: handover)
        }
    }

    private func hand(_ events: [InboundEvent], to handover: Handover) async throws {
        try await handover.submit(events.map { ($0.envelope, $0.nonce) }, origin: instance)
        logger.info("received events handed to the active instance", metadata: ["gh.events": .stringConvertible(events.count)])
        for event in events {
            try? await event.acknowledgement()
        }
    }

    /// Runs `body` until the graceful shutdown; then, with `standingDownFirst`, stands intake
    /// down (bounded) before `body` is cancelled.
    private func cancelWhenGracefulShutdown(standingDownFirst: Bool, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await gracefulShutdown()
                if standingDownFirst { await standDown(within: Self.standDownLimit) }
                throw CancellationError()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// How long a stop waits for the adapters to stand down.
    static let standDownLimit: Duration = .seconds(5)

    /// Stops intake on an instance that lost a shared ledger's lease, before it stops: each
    /// adapter whose platform pushes an event once, to one connection, closes its own and hands
    /// what it was sent first to ``handle(_:)``, which hands it to the active instance. Returns
    /// once they have all done so, or after `limit`.
    public func standDown(within limit: Duration) async {
        for adapter in adapters where adapter.standsDown {
            await adapter.standDown()
        }
        let deadline = ContinuousClock.now + limit
        while standing.running > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = standing.running
        if left > 0 {
            logger.warning(
                "intake did not stand down in time",
                metadata: ["gh.adapters": .stringConvertible(left), "gh.limit": .string(limit.description)]
            )
        }
    }

    /// Takes in, while this instance is active, the events fenced-out instances handed over: each
    /// decided as if received here (a copy this instance received too is a duplicate), then removed.
    private func takeIn(from handover: Handover) async {
        await Periodic.run(every: .milliseconds(250), logger: logger, failure: "handed-over events could not be taken in") {
            let (handed, unreadable) = try await handover.pending()
            if !unreadable.isEmpty {
                // Written by another version, in a shape this one cannot read: nothing to decide.
                logger.critical(
                    "handed-over events could not be read and are dropped",
                    metadata: ["gh.handover": .string(unreadable.map(String.init).joined(separator: ","))]
                )
                try await handover.remove(unreadable)
            }
            guard !handed.isEmpty else { return }
            try await decide(handed.map { InboundEvent(envelope: $0.envelope, acknowledgement: Acknowledgement({}), nonce: $0.nonce) })
            try await handover.remove(handed.map(\.id))
            logger.info(
                "took in events a fenced-out instance handed over",
                metadata: [
                    "gh.events": .stringConvertible(handed.count),
                    "gh.instance": .string(Set(handed.map(\.origin)).sorted().joined(separator: ",")),
                ]
            )
        }
    }

    /// ``handle(_:)`` on an instance allowed to write.
    private func decide(_ events: [InboundEvent]) async throws {
        // A platform's report that a copy was recalled there is recorded, not decided.
        let recalls = events.filter { $0.envelope.labels.contains(Envelope.recalledCopyLabel) }
        for recall in recalls { try await record(recall) }
        let undescribed = recalls.isEmpty ? events : events.filter { !$0.envelope.labels.contains(Envelope.recalledCopyLabel) }
        guard !undescribed.isEmpty else { return }
        // One config decides the whole batch, even if a reload swaps it meanwhile.
        let snapshot = store.current
        let (events, orders) = try await ticketed(await described(undescribed), snapshot: snapshot)
        let receivedAt = clock.now
        let intakes = events.map { event in
            Intake(
                envelope: event.envelope,
                // A service message (a join, a pin) is taken in and deduplicated, never decided.
                crossings: event.envelope.contentKind == .service || event.envelope.labels.contains(Self.overRateLabel)
                    ? [] : snapshot.gate.crossings(for: event.envelope),
                configRevision: snapshot.config.revision,
                receivedAt: receivedAt,
                nonce: event.nonce
            )
        }
        let results = try await ledger.commit(intakes)
        var destinations: Set<String> = []
        var failure: (any Error)?
        for (event, result) in zip(events, results) {
            let envelope = event.envelope
            switch result {
            case .failure(let error):
                // Not acknowledged: the platform delivers it again. Later events are not acknowledged
                // either, so that a platform confirming by position (a Telegram offset) skips nothing.
                failure = failure ?? error
                logger.error(
                    "an inbound event could not be committed; it will be received again",
                    metadata: [
                        "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                        "gh.error": .string(String(describing: error)),
                    ]
                )
                continue
            case .success(.replayed):
                // Nothing was written: the push carrying it reused a signed token. Refused, so
                // that it is counted with the other refusals; later events go on.
                await event.acknowledgement.refuse("replayed")
                continue
            case .success(.duplicate):
                logger.info(
                    "redelivered event ignored",
                    metadata: [
                        "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                    ]
                )
            case .success(.committed(let records, let jobs)):
                log(records, of: envelope, snapshot: snapshot, at: receivedAt)
                destinations.formUnion(jobs.map(\.destination))
                if let order = orders[envelope.origin.eventID] {
                    do {
                        try await carryOut(order, snapshot: snapshot)
                    } catch {
                        // The message is in; its command is not carried out, and the log says so.
                        logger.error("a desk command could not be carried out", metadata: ["gh.error": .string(String(describing: error))])
                    }
                }
            }
            guard failure == nil else { continue }
            do {
                try await event.acknowledgement()
            } catch {
                // Committed, but the platform was not told (its connection dropped): it may deliver the
                // event again, and inbound dedup absorbs that. Not an intake failure.
                logger.warning(
                    "committed event could not be acknowledged; a redelivery will be deduplicated",
                    metadata: [
                        "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                        "gh.error": .string(String(describing: error)),
                    ]
                )
            }
        }
        dispatcher.notify(destinations)
        if let failure { throw failure }
    }

    /// The events with their senders as their platforms' directories know them (each sender
    /// asked once, all at once; an adapter without a directory answers at once, and one that
    /// cannot say leaves the sender as it came).
    private func described(_ events: [InboundEvent]) async -> [InboundEvent] {
        struct Key: Hashable {
            var platform: String
            var id: String
        }
        let adapters = Dictionary(self.adapters.filter(\.describesSenders).map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
        // Most batches come from platforms without a directory: nothing to ask, nothing to wait for.
        guard events.contains(where: { adapters[$0.envelope.origin.platform] != nil }) else { return events }
        var senders: [Key: Envelope.Sender] = [:]
        for event in events where event.envelope.contentKind != .service && adapters[event.envelope.origin.platform] != nil {
            senders[Key(platform: event.envelope.origin.platform, id: event.envelope.sender.id)] = event.envelope.sender
        }
        let described = await withTaskGroup(of: (Key, Envelope.Sender).self) { group in
            for (key, sender) in senders {
                guard let adapter = adapters[key.platform] else { continue }
                group.addTask { (key, await adapter.describe(sender)) }
            }
            var described: [Key: Envelope.Sender] = [:]
            for await (key, sender) in group { described[key] = sender }
            return described
        }
        return events.map { event in
            var event = event
            if let sender = described[Key(platform: event.envelope.origin.platform, id: event.envelope.sender.id)] {
                event.envelope.sender = sender
            }
            return event
        }
    }

    /// Records that a copy was recalled at its platform (which copy, by whom), then confirms
    /// the report. A report redelivered before it was confirmed is recorded again, with the same
    /// event id: at least once, never lost.
    private func record(_ recall: InboundEvent) async throws {
        let origin = recall.envelope.origin
        let record = try await ledger.recordCopyRecalled(
            platform: origin.platform,
            conversation: origin.conversation,
            nativeID: origin.messageID,
            event: origin.eventID,
            by: recall.envelope.sender.id,
            at: recall.envelope.time
        )
        logger.notice(
            "a copy was recalled at its platform",
            metadata: [
                "gh.platform": .string(origin.platform), "gh.record": .stringConvertible(record.sequence),
                "gh.destination": .string(record.destination ?? "?"), "gh.crossing": .string(record.crossing.map(String.init) ?? "?"),
            ]
        )
        try await recall.acknowledgement()
    }

    private func log(_ records: [AuditRecord], of envelope: Envelope, snapshot: ConfigStore.Snapshot, at time: Date) {
        for record in records {
            // Bounded labels: the config's route names and the four verdicts.
            Counter(
                label: "gatehouse_crossings_total",
                dimensions: [("route", record.route ?? ""), ("verdict", record.verdict?.rawValue ?? "")],
                factory: metrics
            ).increment()
            logger.info(
                "crossing decided",
                metadata: [
                    "gh.crossing": .stringConvertible(record.sequence), "gh.route": .string(record.route ?? ""),
                    "gh.destination": .string(record.destination ?? ""), "gh.verdict": .string(record.verdict?.rawValue ?? ""),
                    "gh.direction": .string(record.direction?.rawValue ?? ""),
                ]
            )
        }
        let origin = envelope.origin
        if records.isEmpty, envelope.contentKind == .service, !snapshot.gate.router.sources(of: envelope).isEmpty {
            // Recorded as ignored, by what it was (the adapter's name for it, from a fixed list).
            ignored.count("service:" + envelope.body.text, platform: origin.platform, source: origin.conversation, at: time)
            logger.debug("service message ignored", metadata: ["gh.platform": .string(origin.platform), "gh.event": .string(origin.eventID)])
        } else if records.isEmpty, envelope.labels.contains(Self.overRateLabel) {
            // Counted already, as the desk's (desk:over_rate).
        } else if records.isEmpty {
            // Counted, so that traffic from chats no channel names (a group the bot was added
            // to, a chat whose id changed) shows on a dashboard rather than only in debug logs.
            // Bounded label: the config's platforms.
            Counter(label: "gatehouse_unrouted_total", dimensions: [("platform", envelope.origin.platform)], factory: metrics).increment()
            if snapshot.config.audit?.recordUnrouted == true {
                ignored.count("unrouted", platform: origin.platform, source: origin.conversation, at: time)
            }
            logger.debug(
                "no route takes this event",
                metadata: [
                    "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                ]
            )
        }
    }
}
