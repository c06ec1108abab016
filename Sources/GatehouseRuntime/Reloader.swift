import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import UnixSignals

/// How the last reloads went, for the status line.
public final class ReloadStatus: Sendable {
    private let state = Mutex<(failures: Int, lastFailure: String?)>((0, nil))

    public init() {}

    /// Reloads refused since the daemon started.
    public var failures: Int { state.withLock { $0.failures } }
    /// Why the newest reload was refused, until one succeeds.
    public var lastFailure: String? { state.withLock { $0.lastFailure } }

    func failed(_ reason: String) {
        state.withLock { $0 = ($0.failures + 1, reason) }
    }

    func succeeded() {
        state.withLock { $0.lastFailure = nil }
    }
}

/// Reloads the config on SIGHUP (and when asked through the admin socket): read, validate,
/// compile, then swap — the whole config or nothing. A config that does not load leaves the old
/// one serving; every problem is logged, the failure counted and shown in the status line.
public struct Reloader: Service, CustomStringConvertible {
    public var description: String { "Reloader" }

    /// What a reload did.
    public enum Outcome: Sendable, Equatable {
        /// The new config is in force; its `config_loaded` audit record.
        case loaded(revision: String, record: Int64)
        /// The file is what is in force already.
        case unchanged(revision: String)
        /// Refused, for these reasons; the old config keeps serving.
        case refused([String])
    }

    private let store: ConfigStore
    private let dispatcher: Dispatcher
    private let ledger: any AuditLedger
    private let notifier: SystemdNotifier
    private let status: ReloadStatus
    /// Reads, validates and compiles the config file anew.
    private let load: @Sendable () throws -> GatewayConfig
    private let metrics: any MetricsFactory
    private let clock: WallClock
    private let logger: Logger
    /// One reload at a time: a SIGHUP during an admin reload waits its turn.
    private let turn = ReloadTurn()
    /// Fires once the config the gateway started with is in the audit log: a reload's record
    /// must come after it.
    private let started: StartSignal

    public init(
        store: ConfigStore,
        dispatcher: Dispatcher,
        ledger: any AuditLedger,
        notifier: SystemdNotifier,
        status: ReloadStatus,
        metrics: any MetricsFactory = MetricsSystem.factory,
        started: StartSignal = StartSignal(),
        clock: WallClock = .system,
        logger: Logger,
        load: @escaping @Sendable () throws -> GatewayConfig
    ) {
        self.clock = clock
        self.started = started
        self.store = store
        self.dispatcher = dispatcher
        self.ledger = ledger
        self.notifier = notifier
        self.status = status
        self.metrics = metrics
        self.logger = logger
        self.load = load
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in hangups {
                logger.info("SIGHUP: reloading the config")
                _ = await reload(by: nil)
            }
        }
    }

    /// Reloads now and says how it went. `actor` is who asked, when known (the admin socket's
    /// caller; a signal names no one): the config_loaded record names them.
    public func reload(by actor: String? = nil) async -> Outcome {
        await started.wait()
        await turn.take()
        defer { turn.give() }
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
        let outcome = await attempt(by: actor)
        let current = store.current.config
        switch outcome {
        case .loaded(let revision, let record):
            status.succeeded()
            logger.info(
                "config reloaded",
                metadata: [
                    "gh.revision": .string(revision), "gh.record": .stringConvertible(record), "gh.routes": .stringConvertible(current.routes.count),
                ]
            )
        case .unchanged(let revision):
            status.succeeded()
            logger.info("config reloaded: unchanged", metadata: ["gh.revision": .string(revision)])
        case .refused(let problems):
            for problem in problems {
                logger.error("reload refused: \(problem)")
            }
            let reason = "reload failed (\(problems.count) problem\(problems.count == 1 ? "" : "s")); serving revision \(current.revision.prefix(12))"
            status.failed(reason)
            Counter(label: "gatehouse_reload_failures_total", factory: metrics).increment()
            // The log keeps every refusal, for the console's history and the auditor.
            do {
                _ = try await ledger.recordConfigRefused(problems: problems, serving: current.revision, by: actor, at: clock.now)
            } catch {
                logger.error("the refused reload could not be audited", metadata: ["gh.error": .string(String(describing: error))])
            }
            logger.error("reload failed; the config in force keeps serving", metadata: ["gh.revision": .string(current.revision)])
        }
        let line: String =
            switch outcome {
            case .refused: status.lastFailure ?? "reload failed"
            case .loaded(let revision, _), .unchanged(let revision): "config revision \(revision.prefix(12)) in force, \(current.routes.count) routes"
            }
        // READY=1 whatever happened: the daemon serves (with the old config, if need be).
        notifier.notify("READY=1\n" + SystemdNotifier.status(line))
        return outcome
    }

    private func attempt(by actor: String?) async -> Outcome {
        let new: GatewayConfig
        do {
            new = try load()
        } catch let error as ConfigError {
            return .refused(error.diagnostics.map(\.description))
        } catch {
            return .refused(["\(error)"])
        }
        let old = store.current.config
        let fixed = new.restartOnlyDifferences(from: old)
        guard fixed.isEmpty else {
            return .refused(["\(new.file): \(fixed.joined(separator: ", ")) changed; these take effect on a restart only"])
        }
        guard new.revision != old.revision else { return .unchanged(revision: new.revision) }
        // The log says which config decides before the first decision under it.
        let record: AuditRecord
        do {
            record = try await ledger.recordConfigLoaded(revision: new.revision, file: new.file, sources: new.sources, by: actor, at: clock.now)
        } catch {
            return .refused(["the ledger could not record the new config: \(error)"])
        }
        store.swap(to: new)
        dispatcher.reconfigure()
        return .loaded(revision: new.revision, record: record.sequence)
    }
}

/// A turnstile: one holder at a time, the others wait in order.
final class ReloadTurn: Sendable {
    private let busy = Mutex(false)

    /// Waits for the turn; a cancelled waiter goes ahead rather than spin (it only reloads).
    func take() async {
        while !busy.withLock({ held in
            if held { return false }
            held = true
            return true
        }) {
            guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { return }
        }
    }

    func give() {
        busy.withLock { $0 = false }
    }
}
