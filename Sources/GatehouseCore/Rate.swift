/// At most `count` events in any `window` — how platforms state their limits ("20 messages per
/// minute to a group"). Written in configs as `20/min`, `1/s`, `30/s`, `1000/h`.
public struct Rate: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var window: Duration

    public init(_ count: Int, per window: Duration) {
        self.count = count
        self.window = window
    }

    /// Parses `N/s`, `N/min` or `N/h` (also `N/second`, `N/minute`, `N/hour`); nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        switch parts[1] {
        case "s", "sec", "second": window = .seconds(1)
        case "min", "minute": window = .seconds(60)
        case "h", "hour": window = .seconds(3600)
        default: return nil
        }
        self.count = count
    }

    /// The shortest even spacing that keeps to the rate.
    public var interval: Duration { window / count }

    public var description: String {
        switch window {
        case .seconds(1): "\(count)/s"
        case .seconds(60): "\(count)/min"
        case .seconds(3600): "\(count)/h"
        default: "\(count) per \(window)"
        }
    }
}
