import Foundation
import GatehouseCore
import Synchronization

/// Per-customer limits at the support desk: a token bucket for each customer's chat, so that a
/// customer flooding the bot cannot flood the desk. The table is bounded: past ``bound``
/// customers, those with a full bucket are forgotten, and if none is, a new customer is let
/// through (the desk must not go deaf to new customers because of old ones).
final class CustomerLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    static let bound = 10_000
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes one message of `customer` at `rate`; false when they are over it.
    func admit(_ customer: String, rate: Rate, now: ContinuousClock.Instant = .now) -> Bool {
        let capacity = Double(max(1, rate.count))
        let perSecond = capacity / max(rate.window.timeInterval, 0.001)
        return buckets.withLock { buckets in
            if buckets[customer] == nil, buckets.count >= Self.bound {
                buckets = buckets.filter { _, bucket in bucket.tokens + (now - bucket.updated).timeInterval * perSecond < capacity }
                guard buckets.count < Self.bound else { return true }
            }
            var bucket = buckets[customer] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, (now - bucket.updated).timeInterval) * perSecond)
            bucket.updated = now
            defer { buckets[customer] = bucket }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
