import Foundation
import Synchronization
import Testing

@testable import GatehouseRuntime

/// The timer a waiting queue sets: one sleeper at a time, the earliest time asked wins.
@Suite(.timeLimit(.minutes(1))) struct AlarmTests {
    /// Sets the alarm for each of `dues` (seconds from now, read on a wall clock that says `now`)
    /// and returns how often the doorbell rang once every sleeper is done.
    func rings(_ dues: [TimeInterval], now: Date = Date(timeIntervalSince1970: 1_790_000_000)) async -> Int {
        let (stream, doorbell) = AsyncStream.makeStream(of: Void.self)
        await withDiscardingTaskGroup { timers in
            var alarm = Alarm()
            for due in dues { alarm.set(for: now.addingTimeInterval(due), now: now, in: &timers, ringing: doorbell) }
        }
        doorbell.finish()
        var count = 0
        for await _ in stream { count += 1 }
        return count
    }

    @Test func ringsOnceForEveryWaitItIsAskedThatIsNotLaterThanOneAlreadySet() async {
        // Rings while the head waits must not pile up sleepers: a later time adds none.
        #expect(await rings([0.05, 0.2, 0.1]) == 1)
        // An earlier time does: the head must not wait for the later one.
        #expect(await rings([0.2, 0.05]) == 2)
        // A time already past rings at once (a clock set back cannot make it wait).
        #expect(await rings([-3600]) == 1)
    }
}
