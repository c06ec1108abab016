import Foundation
import GatehouseCore
import GatehouseLedger
import Logging

/// What an operator does to the outbox by hand — a dead letter sent back to its queue or
/// discarded, a scheduled announcement cancelled — each audited in the operator's name, with
/// their reason. The admin socket and the console both act through it.
public struct OutboxActions: Sendable {
    /// How an action went.
    public enum Outcome: Sendable {
        /// Done; its audit record.
        case done(AuditRecord)
        /// No such job in that state.
        case notFound(String)
        /// It cannot be done now (decided a moment ago; its route is gone; its content expired).
        case conflict(String)
    }

    let store: ConfigStore
    let ledger: any Ledger
    let dispatcher: Dispatcher
    let scheduler: Scheduler
    let clock: WallClock
    let logger: Logger

    public init(store: ConfigStore, ledger: any Ledger, dispatcher: Dispatcher, scheduler: Scheduler, clock: WallClock, logger: Logger) {
        self.store = store
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger
    }

    /// Sends dead letter `id` back to its queue (`retry`) or closes it for good.
    public func decideDead(_ id: Int64, retry: Bool, by approver: String, reason: String) async throws -> Outcome {
        guard let job = try await ledger.job(id: id), job.state == .dead else { return .notFound("no dead-lettered job \(id)") }
        if retry, !store.current.lanes.contains(Lane(route: job.route, destination: job.destination)) {
            return .conflict("job \(job.id)'s route or destination is no longer in the config: it can only be cancelled")
        }
        let record: AuditRecord
        do {
            record = try await ledger.decideDead(job, retry: retry, by: approver, reason: reason, at: clock.now)
        } catch let error as LedgerError where error.shortDescription == "not_dead" || error.shortDescription == "content_erased" {
            return .conflict(error.detail)
        }
        logger.info(
            retry ? "dead-lettered job retried" : "dead-lettered job cancelled",
            metadata: [
                "gh.job": .stringConvertible(job.id), "gh.route": .string(job.route), "gh.destination": .string(job.destination),
                "gh.actor": .string(approver), "gh.record": .stringConvertible(record.sequence),
            ]
        )
        if retry { dispatcher.notify([job.destination]) }
        return .done(record)
    }

    /// Cancels scheduled announcement `id` before its time.
    public func cancelScheduled(_ id: Int64, by approver: String, reason: String) async throws -> Outcome {
        guard let job = try await ledger.job(id: id), job.state == .scheduled else { return .notFound("no scheduled announcement \(id)") }
        let record: AuditRecord
        do {
            record = try await ledger.cancelScheduled(job, by: approver, reason: reason, at: clock.now)
        } catch let error as LedgerError where error.shortDescription == "not_scheduled" {
            // Its time came (or someone cancelled it) a moment ago.
            return .conflict(error.detail)
        }
        logger.info(
            "scheduled announcement cancelled",
            metadata: [
                "gh.job": .stringConvertible(job.id), "gh.route": .string(job.route), "gh.destination": .string(job.destination),
                "gh.actor": .string(approver), "gh.record": .stringConvertible(record.sequence),
            ]
        )
        scheduler.reschedule()
        return .done(record)
    }
}
