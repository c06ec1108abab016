import Synchronization

/// Keeps each custom robot within 20 messages a minute, so the platform never has to throttle it
/// (its throttle lasts ten minutes); a throttle that comes anyway pauses that robot for its length.
final class RobotPacer: Sendable {
    /// Per robot: when its recent sends were reserved, and until when it is paused.
    private struct Robot {
        var slots: [ContinuousClock.Instant] = []
        var pausedUntil: ContinuousClock.Instant?
    }

    private let limit: Int
    private let window: Duration
    private let robots = Mutex<[String: Robot]>([:])

    init(limit: Int = 20, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// Reserves the robot's next slot and returns how long to wait for it.
    func reserve(robot key: String, at now: ContinuousClock.Instant = .now) -> Duration {
        robots.withLock { robots in
            var robot = robots[key] ?? Robot()
            robot.slots.removeAll { $0 + window <= now }
            var slot = max(now, robot.pausedUntil ?? now)
            if robot.slots.count >= limit {
                // Once the limit-th latest send has left the window.
                slot = max(slot, robot.slots.sorted()[robot.slots.count - limit] + window)
            }
            robot.slots.append(slot)
            robots[key] = robot
            return slot - now
        }
    }

    /// Pauses a robot the platform throttled.
    func pause(robot key: String, for duration: Duration, at now: ContinuousClock.Instant = .now) {
        robots.withLock { robots in
            robots[key, default: Robot()].pausedUntil = now + duration
        }
    }
}
