import Foundation
import GatehouseCore
import Synchronization

/// When a review card that could not be delivered is tried again: after a doubling delay
/// between a second and five minutes, counted per hold, forgotten once it is delivered.
final class CardRetries: Sendable {
    private let state = Mutex<[Int64: (failures: Int, next: Date)]>([:])
    private let backoff = Backoff(minimum: .seconds(1), maximum: .seconds(300))

    func due(_ job: Int64, now: Date) -> Bool {
        state.withLock { ($0[job]?.next ?? .distantPast) <= now }
    }

    func failed(_ job: Int64, now: Date) {
        state.withLock { entries in
            let failures = (entries[job]?.failures ?? 0) + 1
            entries[job] = (failures, now.addingTimeInterval(backoff.delay(afterFailures: failures).timeInterval))
        }
    }

    /// Forgets the holds no longer waiting for review.
    func keep(only open: Set<Int64>) {
        state.withLock { entries in entries = entries.filter { open.contains($0.key) } }
    }

    func succeeded(_ job: Int64) {
        _ = state.withLock { $0.removeValue(forKey: job) }
    }
}
