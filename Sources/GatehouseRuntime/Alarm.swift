import Foundation

/// The timer of a queue whose head waits (a deferred job, a scheduled announcement): set for
/// the earliest time asked, it rings the queue's doorbell then. At most one is asleep per
/// queue, so that rings while the head waits do not pile up sleepers. It sleeps on the
/// continuous clock: a wall clock set back while it sleeps cannot leave it looking armed after
/// it has rung, nor stretch the wait.
struct Alarm {
    private var armed: ContinuousClock.Instant?

    /// Rings `doorbell` at `due` (a wall-clock time, `now` being the wall clock's reading),
    /// unless the alarm is already set to ring sooner.
    mutating func set(for due: Date, now: Date, in timers: inout DiscardingTaskGroup, ringing doorbell: AsyncStream<Void>.Continuation?) {
        if let deadline = armed, deadline <= .now { armed = nil }
        let deadline = ContinuousClock.now + .seconds(max(due.timeIntervalSince(now), 0))
        guard armed.map({ deadline < $0 }) ?? true else { return }
        armed = deadline
        timers.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            doorbell?.yield()
        }
    }
}
