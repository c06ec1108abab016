import Foundation

/// Where the gateway reads the time of day: the system's clock in the daemon, a test's own
/// clock in a test. Every time the runtime writes into a record (decided, delivered, retried,
/// expired) comes from the one clock it was given, so that a test can set the hour instead of
/// waiting for it. Sleeping is not done on this clock: waits run on the continuous clock, which
/// a wall clock set back or forward cannot stretch.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that reads `read` for the time.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The machine's clock.
    public static let system = WallClock { Date() }

    /// The time now.
    public var now: Date { read() }
}
