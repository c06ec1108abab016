import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Erases message bodies older than `keep` (`audit.keep_content`), in batches, each erasure
/// audited by the ledger. The log itself never expires: its leaves hold only commitments.
public struct ContentRetention: Service, CustomStringConvertible {
    /// What the service group logs for it: its name, not its whole configuration.
    public var description: String { "ContentRetention" }

    public struct Configuration: Sendable {
        /// How long a body is kept after its crossing was decided.
        public var keep: Duration
        /// How often expired bodies are looked for.
        public var interval: Duration
        /// Erased per transaction, so one run never holds the writer for long.
        public var batch: Int

        /// `interval` defaults to a tenth of `keep`, between one second and one hour.
        public init(keep: Duration, interval: Duration? = nil, batch: Int = 500) {
            self.keep = keep
            self.interval = interval ?? min(max(keep / 10, .seconds(1)), .seconds(3600))
            self.batch = batch
        }
    }

    private let ledger: any AuditLedger
    private let configuration: Configuration
    private let clock: WallClock
    private let logger: Logger

    public init(ledger: any AuditLedger, configuration: Configuration, clock: WallClock = .system, logger: Logger) {
        self.ledger = ledger
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        // Retention is not urgent: a failed sweep (a busy disk) is retried next round.
        await Periodic.run(every: configuration.interval, logger: logger, failure: "content retention failed") {
            try await sweep(now: clock.now)
        }
    }

    /// Erases everything expired as of `now`; returns how many crossings' content it erased.
    @discardableResult
    public func sweep(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-configuration.keep.timeInterval)
        let reason = "retention: keep_content \(configuration.keep.formattedForConfig)"
        var erased = 0
        while true {
            let records = try await ledger.eraseContent(before: cutoff, reason: reason, at: now, limit: configuration.batch)
            erased += records.count
            if records.count < configuration.batch { break }
            try Task.checkCancellation()
        }
        if erased > 0 {
            logger.info(
                "expired content erased",
                metadata: [
                    "gh.erased": .stringConvertible(erased), "gh.cutoff": .string(cutoff.formatted(.iso8601)),
                ]
            )
        }
        return erased
    }
}
