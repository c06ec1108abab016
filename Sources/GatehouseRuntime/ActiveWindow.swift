import GatehouseCore
import Synchronization

/// The dispatcher's active window: at most `limit` deliveries in flight at once across all
/// destinations, however many destinations have work (Postfix's active queue limit). Waiters are
/// admitted interactive first (``DeliveryPriority``), and within a priority in arrival order: a
/// customer's reply takes the next free place even when hundreds of announcement copies wait.
final class ActiveWindow: Sendable {
    private struct Waiter {
        var id: Int
        var rank: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiting: [Waiter] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(limit, 1)))
    }

    /// How many deliveries wait for a place now.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Runs `body` holding one place in the window, waiting for a place first.
    func withPlace<Result: Sendable>(_ priority: DeliveryPriority = .interactive, _ body: () async throws -> Result) async throws -> Result {
        try await acquire(priority)
        defer { release() }
        return try await body()
    }

    private func acquire(_ priority: DeliveryPriority) async throws {
        let id = state.withLock { state -> Int? in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            defer { state.nextID += 1 }
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let answer = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // A place given back since the first look: take it, rather than wait for the next.
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    // Behind every waiter of the same or a better priority, ahead of the rest.
                    let index = state.waiting.firstIndex { $0.rank > priority.rank } ?? state.waiting.endIndex
                    state.waiting.insert(Waiter(id: id, rank: priority.rank, continuation: continuation), at: index)
                    return nil
                }
                if let answer { continuation.resume(with: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        // A released place goes straight to the first waiter, so nobody overtakes it.
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiting.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
