import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle
import Synchronization

/// Moves scheduled announcements into their destinations' queues when they are due, and wakes
/// the dispatcher for them. The jobs live in the ledger (state `scheduled`), so a restart loses
/// none: the first look after a start releases whatever came due while the gateway was down.
public final class Scheduler: Service, Sendable {
    private let ledger: any OutboxLedger
    private let dispatcher: Dispatcher
    private let clock: WallClock
    private let logger: Logger
    private let doorbell: AsyncStream<Void>.Continuation
    private let rings: AsyncStream<Void>
    /// The longest sleep between looks: a wall clock set forward or back is caught up with within it.
    static let longestSleep: TimeInterval = 60

    public init(ledger: any OutboxLedger, dispatcher: Dispatcher, clock: WallClock = .system, logger: Logger) {
        self.ledger = ledger
        self.clock = clock
        self.dispatcher = dispatcher
        self.logger = logger
        (rings, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // The first look, at start.
        doorbell.yield()
    }

    /// Something was scheduled (or cancelled): look again for the next time due.
    public func reschedule() {
        doorbell.yield()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { timers in
                var alarm = Alarm()
                for await _ in rings {
                    let next = await look()
                    alarm.set(for: next, now: clock.now, in: &timers, ringing: doorbell)
                }
                timers.cancelAll()
            }
        } onGracefulShutdown: {
            self.doorbell.finish()
        }
    }

    /// Releases what is due and returns when to look next.
    private func look() async -> Date {
        let now = clock.now
        let latest = now.addingTimeInterval(Self.longestSleep)
        do {
            let due = try await ledger.releaseScheduled(until: now)
            if !due.isEmpty {
                logger.info("scheduled announcements are due", metadata: ["gh.destinations": .string(due.sorted().joined(separator: ","))])
                dispatcher.notify(due)
            }
            return min(try await ledger.nextScheduled() ?? latest, latest)
        } catch {
            logger.error("cannot release scheduled announcements; trying again in a second", metadata: ["gh.error": .string("\(error)")])
            return now.addingTimeInterval(1)
        }
    }
}
