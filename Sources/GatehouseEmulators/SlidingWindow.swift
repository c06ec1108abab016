/// At most `limit` events in any `window`: the rule both platforms state their limits in.
struct SlidingWindow: Sendable {
    let limit: Int
    let window: Duration
    private var events: [ContinuousClock.Instant] = []

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// How long until one more event is allowed; zero when it is allowed now.
    mutating func wait(at now: ContinuousClock.Instant) -> Duration {
        events.removeAll { now - $0 >= window }
        guard events.count >= limit, let oldest = events.first else { return .zero }
        return window - (now - oldest)
    }

    mutating func record(at now: ContinuousClock.Instant) {
        events.append(now)
    }
}

/// A token bucket: `rate` events per second on average, up to `burst` at once.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant?

    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(burst)
        self.tokens = Double(burst)
    }

    mutating func wait(at now: ContinuousClock.Instant) -> Duration {
        refill(at: now)
        guard tokens < 1 else { return .zero }
        return .milliseconds(Int64(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    mutating func record(at now: ContinuousClock.Instant) {
        refill(at: now)
        tokens -= 1
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        if let updated {
            tokens = min(burst, tokens + (now - updated).seconds * rate)
        }
        updated = now
    }
}
