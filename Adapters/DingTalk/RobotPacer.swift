import Synchronization

/// Keeps each custom robot within 20 messages a minute, so the platform never has to throttle it
/// (its throttle lasts ten minutes); a throttle that comes anyway pauses that robot for its length.
///
/// The platform counts a message when it arrives, somewhere between our send and its answer. So a
/// send is counted at its answer's time (``answered(_:at:)``), and a robot's next send past the
/// limit waits for a full window plus ``margin`` after the platform can possibly have counted the
/// one it replaces: counted from the reservation, the 21st send arrived a fraction of a
/// millisecond inside the platform's minute and earned the ten-minute penalty.
final class RobotPacer: Sendable {
    /// One send's place in its robot's window.
    struct Reservation: Sendable {
        let robot: String
        let id: UInt64
        /// How long to wait before sending.
        let wait: Duration
    }

    private struct Slot {
        var id: UInt64
        var time: ContinuousClock.Instant
    }

    /// Per robot: its recent sends, and until when it is paused.
    private struct Robot {
        var slots: [Slot] = []
        var pausedUntil: ContinuousClock.Instant?
    }

    private struct State {
        var robots: [String: Robot] = [:]
        var nextID: UInt64 = 0
    }

    /// Added to the window: the platform's clock and ours need not tick together.
    static let margin: Duration = .seconds(1)

    private let limit: Int
    private let window: Duration
    private let state = Mutex(State())

    init(limit: Int = 20, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// Reserves the robot's next slot: how long to wait for it, and what to report the answer under.
    func reserve(robot key: String, at now: ContinuousClock.Instant = .now) -> Reservation {
        state.withLock { state in
            state.nextID += 1
            let span = window + Self.margin
            var robot = state.robots[key] ?? Robot()
            robot.slots.removeAll { $0.time + span <= now }
            var time = max(now, robot.pausedUntil ?? now)
            if robot.slots.count >= limit {
                // Once the limit-th latest send has left the window.
                time = max(time, robot.slots.map(\.time).sorted()[robot.slots.count - limit] + span)
            }
            robot.slots.append(Slot(id: state.nextID, time: time))
            state.robots[key] = robot
            return Reservation(robot: key, id: state.nextID, wait: time - now)
        }
    }

    /// Counts the reserved send at the time its answer (or its failure: it may have arrived) came.
    func answered(_ reservation: Reservation, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            guard var robot = state.robots[reservation.robot], let index = robot.slots.firstIndex(where: { $0.id == reservation.id }) else { return }
            robot.slots[index].time = max(robot.slots[index].time, now)
            state.robots[reservation.robot] = robot
        }
    }

    /// Pauses a robot the platform throttled.
    func pause(robot key: String, for duration: Duration, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.robots[key, default: Robot()].pausedUntil = now + duration
        }
    }
}
