import Synchronization

/// Group commit: callers queue their work and one writer at a time takes everything queued into a
/// single transaction, so under load many callers share one fsync, while a lone caller is written
/// at once (nothing waits for company).
///
/// Work is taken in the order it was queued, so events queued in order are written in order.
final class GroupCommit<Work: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting: Sendable {
        var work: [Work]
        var continuation: CheckedContinuation<[Outcome], any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let state = Mutex(State())
    /// The most work items one transaction takes: bounds how long the writer holds the lock and
    /// how much one failed transaction has to give back.
    private let limit: Int
    /// Writes a batch in one transaction; returns one outcome per item, in order.
    private let write: @Sendable ([Work]) async throws -> [Outcome]

    init(limit: Int = 2048, write: @escaping @Sendable ([Work]) async throws -> [Outcome]) {
        self.limit = limit
        self.write = write
    }

    /// Queues `work` and returns its outcomes once the transaction holding it has committed.
    func submit(_ work: [Work]) async throws -> [Outcome] {
        guard !work.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLock { state in
                state.waiting.append(Waiting(work: work, continuation: continuation))
                defer { state.writing = true }
                return !state.writing
            }
            // The first caller to find nobody writing becomes the writer until the queue is empty.
            if lead { Task { await drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                var taken = 0
                var count = 0
                while count < state.waiting.count, taken == 0 || taken + state.waiting[count].work.count <= limit {
                    taken += state.waiting[count].work.count
                    count += 1
                }
                if count == 0 { state.writing = false }
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard !batch.isEmpty else { return }
            do {
                var outcomes = try await write(batch.flatMap(\.work))[...]
                for waiting in batch {
                    waiting.continuation.resume(returning: Array(outcomes.prefix(waiting.work.count)))
                    outcomes = outcomes.dropFirst(waiting.work.count)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
            // Let the callers just resumed queue their next work before the next transaction is
            // cut (a yield, not a wait: a lone caller is written as soon as it arrives).
            await Task.yield()
        }
    }
}
