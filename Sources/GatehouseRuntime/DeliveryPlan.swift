import Foundation
import GatehouseCore
import GatehouseLedger

/// What the dispatcher does with the head of a destination's queue: a pure function of the job,
/// the config it is read under, when the destination last moved, and the time
/// (``plan(_:in:movedAt:now:)``), tested as a table.
enum DeliveryPlan: Equatable {
    /// Cancelled, audited, never sent.
    case cancel(Cancellation)
    /// Not yet: the head waits until then (a deferred retry), and the queue behind it.
    case wait(until: Date)
    /// Sent now, at this priority among the deliveries waiting for a place and for a turn at the
    /// platform's limits.
    case send(DeliveryPriority)

    enum Cancellation: Equatable {
        /// Decided before its destination channel was pointed elsewhere by a reload: it was
        /// judged for the old place, so it goes nowhere.
        case channelMoved(at: Date)
        /// Its route, or this destination of it, left the config.
        case routeRemoved
    }

    static func plan(_ job: OutboxJob, in snapshot: ConfigStore.Snapshot, movedAt: Date?, now: Date) -> Self {
        if let moved = movedAt, job.decidedAt < moved { return .cancel(.channelMoved(at: moved)) }
        guard snapshot.lanes.contains(Lane(route: job.route, destination: job.destination)) else { return .cancel(.routeRemoved) }
        if let notBefore = job.notBefore, notBefore > now { return .wait(until: notBefore) }
        // An operator's announcement is bulk whichever route's rules decided it.
        if job.originPlatform == Gate.announcePlatform { return .send(.bulk) }
        return .send(snapshot.routes[job.route]?.priority ?? .interactive)
    }
}
