/// The Bot FAQ's broadcasting limits, as the server enforces them with 429:
/// about one message per second per chat (short bursts tolerated), at most 20 messages per
/// minute to one group, supergroup or channel, and about 30 messages per second overall.
struct TelegramFloodControl: Sendable {
    let limits: TelegramEmulator.FloodLimits
    private var perChat: [Int64: TokenBucket] = [:]
    private var perGroup: [Int64: SlidingWindow] = [:]
    private var overall: SlidingWindow

    init(limits: TelegramEmulator.FloodLimits = .init()) {
        self.limits = limits
        overall = SlidingWindow(limit: limits.botLimit, window: limits.botWindow)
    }

    /// Records a message to `chatID`, or returns the `retry_after` seconds when it is over a limit
    /// (nothing is recorded then: a refused message costs nothing).
    mutating func admit(chatID: Int64, isGroup: Bool, at now: ContinuousClock.Instant) -> Int? {
        var bucket = perChat[chatID] ?? TokenBucket(rate: limits.chatPerSecond, burst: limits.chatBurst)
        var group = isGroup ? (perGroup[chatID] ?? SlidingWindow(limit: limits.groupLimit, window: limits.groupWindow)) : nil
        let wait = max(bucket.wait(at: now), group?.wait(at: now) ?? .zero, overall.wait(at: now))
        if wait > .zero {
            perChat[chatID] = bucket
            if let group { perGroup[chatID] = group }
            return max(1, Int(wait.seconds.rounded(.up)))
        }
        bucket.record(at: now)
        group?.record(at: now)
        overall.record(at: now)
        perChat[chatID] = bucket
        if let group { perGroup[chatID] = group }
        return nil
    }
}
