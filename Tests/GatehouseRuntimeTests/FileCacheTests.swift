import Foundation
import GatehouseCore
import Synchronization
import Testing

@testable import GatehouseRuntime

/// A file forwarded to many destinations used to be downloaded once per destination, 64 at once,
/// with no ceiling on memory.
@Suite struct FileCacheTests {
    @Test func aFileForManyDestinationsIsFetchedOnceWhileTheyWaitForIt() async throws {
        let cache = FileCache()
        let fetches = Counter()
        let file = AttachedFile(name: "deck.pdf", mimeType: "application/pdf", data: Data(repeating: 7, count: 1000))
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.file("tg/F1", estimate: 1000) {
                        fetches.add()
                        try await Task.sleep(for: .milliseconds(50))
                        return file
                    }.name
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(names.count == 20 && Set(names) == ["deck.pdf"])
        #expect(fetches.value == 1)
        #expect(await cache.bytesHeld == 1000)
    }

    @Test func pastTheCeilingASendIsDeferredNotQueuedInMemory() async throws {
        let cache = FileCache(ceiling: 1500)
        let big = AttachedFile(name: "a", mimeType: nil, data: Data(count: 1000))
        let slow = Task {
            try await cache.file("tg/A", estimate: 1000) {
                try await Task.sleep(for: .milliseconds(300))
                return big
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: DeliveryError.self) {
            try await cache.file("tg/B", estimate: 1000) { big }
        }
        _ = try await slow.value
        // Once fetched, an idle file gives way to the next.
        #expect(try await cache.file("tg/B", estimate: 1000) { big }.data.count == 1000)
        #expect(await cache.bytesHeld == 1000)
    }

    @Test func aFailedFetchHoldsNothingAndIsTriedAgain() async throws {
        let cache = FileCache()
        await #expect(throws: DeliveryError.self) {
            try await cache.file("tg/C", estimate: 10) { throw DeliveryError.network("reset") }
        }
        #expect(await cache.bytesHeld == 0)
        #expect(try await cache.file("tg/C", estimate: 10) { AttachedFile(name: "c", mimeType: nil, data: Data(count: 3)) }.data.count == 3)
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }
}
