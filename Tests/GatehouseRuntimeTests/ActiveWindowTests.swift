import GatehouseCore
import Synchronization
import Testing

@testable import GatehouseRuntime

@Suite struct ActiveWindowTests {
    final class Gauge: Sendable {
        let state = Mutex((now: 0, most: 0, done: 0))
    }

    final class Order: Sendable {
        let names = Mutex<[String]>([])
    }

    @Test func neverMoreThanTheLimitInFlight() async throws {
        let window = ActiveWindow(limit: 3)
        let gauge = Gauge()
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<40 {
                group.addTask {
                    try await window.withPlace {
                        gauge.state.withLock {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        try await Task.sleep(for: .milliseconds(2))
                        gauge.state.withLock {
                            $0.now -= 1
                            $0.done += 1
                        }
                    }
                }
            }
        }
        let result = gauge.state.withLock { $0 }
        #expect(result.most == 3 && result.done == 40)
    }

    @Test func aCancelledWaiterGivesUpItsTurnAndTakesNoPlace() async throws {
        let window = ActiveWindow(limit: 1)
        let release = AsyncStream.makeStream(of: Void.self)
        let holder = Task { try await window.withPlace { for await _ in release.stream { break } } }
        try await Task.sleep(for: .milliseconds(20))
        let waiter = Task { try await window.withPlace { "ran" } }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        release.continuation.yield()
        try await holder.value
        // The place the holder gave back is free again, not handed to the cancelled waiter.
        #expect(try await window.withPlace { "next" } == "next")
    }

    @Test func anInteractiveDeliveryTakesTheNextPlaceAheadOfBulkOnesWaiting() async throws {
        let window = ActiveWindow(limit: 1)
        let release = AsyncStream.makeStream(of: Void.self)
        let holding = AsyncStream.makeStream(of: Void.self)
        let order = Order()
        let holder = Task {
            try await window.withPlace(.bulk) {
                holding.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in holding.stream { break }
        let bulk = (0..<5).map { number in
            Task { try await window.withPlace(.bulk) { order.names.withLock { $0.append("bulk \(number)") } } }
        }
        while window.waiting < 5 { try await Task.sleep(for: .milliseconds(2)) }
        let interactive = Task { try await window.withPlace(.interactive) { order.names.withLock { $0.append("interactive") } } }
        while window.waiting < 6 { try await Task.sleep(for: .milliseconds(2)) }
        release.continuation.yield()
        try await holder.value
        try await interactive.value
        for task in bulk { try await task.value }
        let names = order.names.withLock { $0 }
        #expect(names.first == "interactive" && names.count == 6)
    }
}
