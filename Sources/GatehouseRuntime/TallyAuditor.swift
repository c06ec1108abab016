import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Writes what a ``Tally`` counted in each interval to the audit log, one record per platform,
/// and one log line each; the last interval is written as the gateway stops.
public struct TallyAuditor: Service, CustomStringConvertible {
    /// What a tally counts: the record each summary is written as, and the log's words for it.
    public struct Subject: Sendable {
        var name: String
        /// The log line of a summary ("pushes refused").
        var summary: String
        var level: Logger.Level
        var record: @Sendable (any AuditLedger, String, Refusals, Date) async throws -> AuditRecord

        /// The pushes the door refused: `pushes_refused` records, logged as warnings.
        public static let refusals = Subject(name: "RefusalAuditor", summary: "pushes refused", level: .warning) { ledger, platform, summary, time in
            try await ledger.recordRefusals(platform: platform, summary, at: time)
        }

        /// The messages intake ignored: `ignored` records, logged as information.
        public static let ignored = Subject(name: "IgnoredAuditor", summary: "messages ignored", level: .info) { ledger, platform, summary, time in
            try await ledger.recordIgnored(platform: platform, summary, at: time)
        }
    }

    public var description: String { subject.name }

    private let subject: Subject
    private let tally: Tally
    private let ledger: any AuditLedger
    private let interval: Duration
    private let clock: WallClock
    private let logger: Logger

    public init(_ subject: Subject, tally: Tally, ledger: any AuditLedger, interval: Duration, clock: WallClock = .system, logger: Logger) {
        self.subject = subject
        self.tally = tally
        self.ledger = ledger
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval, waitFirst: true, logger: logger, failure: "\(subject.summary) could not be summed up") {
            await flush()
        }
        // Anything counted after the last write is in the final one.
        await flush()
    }

    /// Writes what was counted since the last flush.
    func flush() async {
        for (platform, summary) in tally.drain() {
            let reasons = summary.reasons.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
            do {
                let record = try await subject.record(ledger, platform, summary, clock.now)
                logger.log(
                    level: subject.level,
                    "\(subject.summary)",
                    metadata: [
                        "gh.platform": .string(platform), "gh.count": .stringConvertible(summary.total), "gh.reasons": .string(reasons),
                        "gh.sources": .stringConvertible(summary.sources.count + summary.otherSources),
                        "gh.record": .stringConvertible(record.sequence),
                    ]
                )
            } catch {
                logger.error(
                    "\(subject.summary), and their summary could not be audited",
                    metadata: [
                        "gh.platform": .string(platform), "gh.count": .stringConvertible(summary.total), "gh.reasons": .string(reasons),
                        "gh.error": .string("\(error)"),
                    ]
                )
            }
        }
    }
}
