import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the service manager told: `READY=1` once every adapter has made its first attempt to
/// reach its platform, then `WATCHDOG=1` only while a round trip through the ledger's writer —
/// the path every decision takes — completes in time, a one-line `STATUS=`, and `STOPPING=1` as
/// soon as a graceful shutdown begins (it runs last in the group, so it is told first).
public struct Watchdog: Service, CustomStringConvertible {
    public var description: String { "Watchdog" }

    public struct Configuration: Sendable {
        /// READY=1 is sent after this even if an adapter has not finished its first attempt (a
        /// platform that does not answer must not keep the daemon from starting).
        public var startTimeout: Duration
        /// How often the status line is refreshed when the manager asks for no watchdog.
        public var statusInterval: Duration

        public init(startTimeout: Duration = .seconds(30), statusInterval: Duration = .seconds(10)) {
            self.startTimeout = startTimeout
            self.statusInterval = statusInterval
        }
    }

    private let notifier: SystemdNotifier
    private let ledger: any Ledger
    private let adapters: [any Adapter]
    private let store: ConfigStore
    private let reloads: ReloadStatus
    private let configuration: Configuration
    /// Fired once READY=1 is said (what `/readyz` answers).
    private let ready: StartSignal
    private let clock: WallClock
    private let logger: Logger

    public init(
        notifier: SystemdNotifier,
        ledger: any Ledger,
        adapters: [any Adapter],
        store: ConfigStore,
        reloads: ReloadStatus = ReloadStatus(),
        configuration: Configuration = .init(),
        ready: StartSignal = StartSignal(),
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.clock = clock
        self.ready = ready
        self.notifier = notifier
        self.ledger = ledger
        self.adapters = adapters
        self.store = store
        self.reloads = reloads
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let waiting = await waitForFirstAttempts()
        if !waiting.isEmpty {
            logger.warning("ready, though these platforms have not answered yet", metadata: ["gh.platforms": .string(waiting.joined(separator: ","))])
        }
        let status = await statusLine()
        ready.fire()
        notifier.notify("READY=1\n" + status)
        logger.info("ready", metadata: ["gh.routes": .stringConvertible(store.current.config.routes.count)])
        // Half the manager's timeout, so that one slow round trip does not cost the process.
        let interval = notifier.watchdogInterval.map { $0 / 2 } ?? configuration.statusInterval
        try await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // The wait ends early when a graceful shutdown begins.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                guard !Task.isCancelled && !Task.isShuttingDownGracefully else { break }
                // Sleep, ping and status together stay well inside the manager's timeout.
                await beat(deadline: interval / 2)
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1\n" + SystemdNotifier.status("stopping: intake first, then in-flight deliveries, then a final checkpoint"))
        }
    }

    /// One beat: the ledger round trip within `deadline`, then WATCHDOG=1 (when asked for) and
    /// the status line; a stalled ledger gets no WATCHDOG=1, so the manager restarts the process.
    func beat(deadline: Duration) async {
        // A ping queued behind a hung writer cannot be cancelled, and a task group would wait
        // for it: the ping and the deadline race outside the beat, whichever answers first.
        let answer = FirstAnswer()
        let alive = await withCheckedContinuation { continuation in
            answer.set(continuation)
            Task { [ledger] in answer.give((try? await ledger.ping()) != nil) }
            Task {
                try? await Task.sleep(for: deadline)
                answer.give(false)
            }
        }
        // Once STOPPING=1 is said, a late beat (one that began before) must not say otherwise.
        guard !Task.isShuttingDownGracefully else { return }
        guard alive else {
            logger.critical(
                "the ledger's writer did not answer in time; withholding the watchdog ping",
                metadata: ["gh.deadline": .string(deadline.description)]
            )
            notifier.notify(SystemdNotifier.status("stalled: the ledger's writer does not answer"))
            return
        }
        let status = await statusLine()
        guard !Task.isShuttingDownGracefully else { return }
        notifier.notify((notifier.watchdogInterval != nil ? "WATCHDOG=1\n" : "") + status)
    }

    /// `STATUS=` with the one-line summary of now.
    private func statusLine() async -> String {
        let summary = try? await ledger.summary()
        return SystemdNotifier.status(
            Self.status(routes: store.current.config.routes.count, summary: summary, reloadFailure: reloads.lastFailure, now: clock.now)
        )
    }

    /// Waits (bounded) for every adapter's first attempt; returns the platforms still trying.
    private func waitForFirstAttempts() async -> [String] {
        let signals = adapters.compactMap { adapter in adapter.started.map { (adapter.platform, $0) } }
        let deadline = ContinuousClock.now + configuration.startTimeout
        for (_, signal) in signals {
            while !signal.hasFired, ContinuousClock.now < deadline, !Task.isCancelled, !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        return signals.filter { !$0.1.hasFired }.map(\.0).sorted()
    }

    /// The one-line summary: routes, jobs queued / held / dead, and the newest checkpoint.
    static func status(routes: Int, summary: LedgerSummary?, reloadFailure: String? = nil, now: Date) -> String {
        // A refused reload leads the line until a reload succeeds: the operator must see it.
        let prefix = reloadFailure.map { "\($0); " } ?? ""
        guard let summary else { return prefix + "\(routes) routes; ledger unreadable" }
        let checkpoint =
            summary.lastCheckpoint.map { "last checkpoint \(Int(now.timeIntervalSince($0)))s ago at \(summary.checkpointed) records" }
            ?? "no checkpoint yet"
        // Scheduled announcements are named only when there are some.
        let scheduled = summary.outbox[.scheduled].map { ", \($0) scheduled" } ?? ""
        return prefix
            + "\(routes) routes; \(summary.queued) queued, \(summary.outbox[.held] ?? 0) held, \(summary.outbox[.dead] ?? 0) dead\(scheduled); "
            + "\(summary.records) audit records, \(checkpoint)"
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
final class FirstAnswer: Sendable {
    private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)

    func set(_ waiting: CheckedContinuation<Bool, Never>) {
        continuation.withLock { $0 = waiting }
    }

    func give(_ answer: Bool) {
        continuation.withLock { waiting in
            waiting?.resume(returning: answer)
            waiting = nil
        }
    }
}
