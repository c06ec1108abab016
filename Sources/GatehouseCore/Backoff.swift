/// Doubling backoff clamped between a minimum and a maximum, with optional jitter so that many
/// clients recovering at once do not retry in lockstep.
public struct Backoff: Sendable, Hashable {
    public var minimum: Duration
    public var maximum: Duration
    /// Fraction (0…1) of each delay drawn at random and subtracted.
    public var jitter: Double

    public init(minimum: Duration, maximum: Duration, jitter: Double = 0) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before attempt `attempt + 1`, after `attempt` failures (from 1).
    public func delay(afterFailures attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        var delay = minimum * (1 << exponent)
        if delay > maximum || delay < minimum { delay = maximum }
        guard jitter > 0 else { return delay }
        return delay - delay * (jitter * Double.random(in: 0..<1))
    }
}
