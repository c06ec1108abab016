import Foundation
import GatehouseCore
import GatehouseLedger

/// What becomes of a delivery once the adapter has answered: a pure function of the answer, the
/// job and the time, so that the retry and dead-letter rules read in one place and are tested as
/// a table (``classify(_:job:now:retry:maxAge:)``).
enum DeliveryOutcome: Equatable {
    /// It arrived.
    case delivered
    /// Tried again at `retryAt` (`delay` from now), for `reason`.
    case deferred(retryAt: Date, delay: Duration, reason: String)
    /// Given up: trying again cannot help, or it has been failing for longer than `outbox.max_age`.
    case dead(reason: String)

    /// The platform's own `retry_after` is exact, but never less than this (a zero would spin).
    static let shortestRetryAfter: Duration = .milliseconds(100)

    /// The outcome of `failure` (nil: none) for `job` at `now`: a permanent error is dead at once;
    /// a job failing since longer than `maxAge` is dead; anything else is deferred by `retry`'s
    /// backoff after the job's attempts, or exactly by the `retry_after` the platform named.
    static func classify(_ failure: (any Error)?, job: OutboxJob, now: Date, retry: Backoff, maxAge: Duration) -> Self {
        guard let failure else { return .delivered }
        let error = failure as? DeliveryError
        if let error, error.isPermanent { return .dead(reason: error.description) }
        if now.timeIntervalSince(job.createdAt) >= maxAge.timeInterval {
            return .dead(reason: "undeliverable for longer than \(maxAge): \(failure)")
        }
        var delay = retry.delay(afterFailures: job.attempts + 1)
        if case .transient(let retryAfter?)? = error?.disposition { delay = max(retryAfter, shortestRetryAfter) }
        return .deferred(retryAt: now.addingTimeInterval(delay.timeInterval), delay: delay, reason: error?.description ?? String(describing: failure))
    }
}
