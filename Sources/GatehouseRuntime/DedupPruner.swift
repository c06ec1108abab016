import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Forgets inbound dedup rows once no platform can deliver their event again, so that the table
/// does not grow for ever: Telegram keeps an unconfirmed update at most 24 hours, DingTalk
/// redelivers an unacknowledged Stream message within minutes, and a callback's signed timestamp
/// is good for an hour either way. `keep` leaves a wide margin over all of them.
public struct DedupPruner: Service, CustomStringConvertible {
    public var description: String { "DedupPruner" }

    /// How long a row is kept: a week, seven times the longest redelivery window.
    public static let keep: Duration = .seconds(7 * 24 * 3600)

    private let ledger: any IntakeLedger
    private let interval: Duration
    private let clock: WallClock
    private let logger: Logger

    public init(ledger: any IntakeLedger, interval: Duration = .seconds(3600), clock: WallClock = .system, logger: Logger) {
        self.ledger = ledger
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval, logger: logger, failure: "inbound dedup could not be pruned") {
            let pruned = try await ledger.pruneInbound(before: clock.now.addingTimeInterval(-Self.keep.timeInterval))
            if pruned > 0 { logger.info("inbound dedup pruned", metadata: ["gh.rows": .stringConvertible(pruned)]) }
        }
    }
}
