import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging

/// Reload following: the queues follow the config in force, and what it no longer sends is
/// cancelled with its audit record rather than sent.
extension Dispatcher {
    /// Follows the config in force: cancels (and audits) the jobs of lanes it no longer has and
    /// of destinations whose channel now points elsewhere (they were decided for the old one),
    /// and starts queues for new destinations. A removed destination's queue stays, idle: were
    /// it stopped while it sends, and the destination came back, two workers would share a queue.
    func applyConfig() async {
        let current = store.current
        let now = clock.now
        // A reload that lands as the shutdown begins starts nothing new.
        let moved = state.withLock { state -> Set<String> in
            guard case .open(var queues) = state else { return [] }
            let moved = Set(
                current.destinations.filter { name in
                    guard let before = queues.applied[name], let after = current.config.channels[name] else { return false }
                    return !before.isSamePlace(as: after)
                }
            )
            queues.applied = current.config.channels
            for name in moved { queues.movedAt[name] = now }
            state = .open(queues)
            return moved
        }
        do {
            try await cancelJobs(keeping: current.lanes, inflight: false, destination: nil)
            for name in moved {
                try await cancelJobs(
                    keeping: current.lanes.filter { $0.destination != name },
                    inflight: false,
                    destination: name,
                    createdBefore: now,
                    reason: Self.movedReason
                )
            }
        } catch {
            logger.error(
                "cannot cancel the jobs of removed routes; they are cancelled when next at the head of their queue",
                metadata: [
                    "gh.error": .string("\(error)")
                ]
            )
        }
        state.withLock { state in
            guard case .open(var queues) = state else { return }
            for destination in current.destinations where queues.doorbells[destination] == nil { queues.open(destination) }
            for doorbell in queues.doorbells.values { doorbell.yield() }
            state = .open(queues)
        }
    }

    static let removedReason = "route or destination no longer in the config"
    static let movedReason = "the destination's channel changed in the config after this was decided for it"

    /// Cancels, with their audit records, the queued jobs of lanes not in `lanes` (of one
    /// destination only, when given).
    func cancelJobs(
        keeping lanes: Set<Lane>,
        inflight: Bool,
        destination: String?,
        createdBefore: Date? = nil,
        reason: String = removedReason
    ) async throws {
        let cancelled = try await ledger.cancelJobs(
            outside: lanes,
            inflight: inflight,
            destination: destination,
            createdBefore: createdBefore,
            reason: reason,
            at: clock.now
        )
        for record in cancelled {
            logger.warning(
                "queued job cancelled: its route or destination left the config",
                metadata: [
                    "gh.route": .string(record.route ?? ""), "gh.destination": .string(record.destination ?? ""),
                    "gh.record": .stringConvertible(record.sequence), "gh.crossing": .stringConvertible(record.crossing ?? 0),
                ]
            )
        }
    }
}
