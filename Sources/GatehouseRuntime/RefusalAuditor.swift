import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Writes the refused pushes of each interval to the audit log, one record per platform, and one
/// log line each; the last interval is written as the gateway stops.
public struct RefusalAuditor: Service, CustomStringConvertible {
    public var description: String { "RefusalAuditor" }

    private let tally: RefusalTally
    private let ledger: any AuditLedger
    private let interval: Duration
    private let clock: WallClock
    private let logger: Logger

    public init(tally: RefusalTally, ledger: any AuditLedger, interval: Duration, clock: WallClock = .system, logger: Logger) {
        self.tally = tally
        self.ledger = ledger
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval, waitFirst: true, logger: logger, failure: "pushes refused could not be summed up") {
            await flush()
        }
        // Anything counted after the last write is in the final one.
        await flush()
    }

    /// Writes what was counted since the last flush.
    func flush() async {
        for (platform, refusals) in tally.drain() {
            let reasons = refusals.reasons.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
            do {
                let record = try await ledger.recordRefusals(platform: platform, refusals, at: clock.now)
                logger.warning(
                    "pushes refused",
                    metadata: [
                        "gh.platform": .string(platform), "gh.refused": .stringConvertible(refusals.total), "gh.reasons": .string(reasons),
                        "gh.sources": .stringConvertible(refusals.sources.count + refusals.otherSources),
                        "gh.record": .stringConvertible(record.sequence),
                    ]
                )
            } catch {
                logger.error(
                    "pushes refused, and their summary could not be audited",
                    metadata: [
                        "gh.platform": .string(platform), "gh.refused": .stringConvertible(refusals.total), "gh.reasons": .string(reasons),
                        "gh.error": .string("\(error)"),
                    ]
                )
            }
        }
    }
}
