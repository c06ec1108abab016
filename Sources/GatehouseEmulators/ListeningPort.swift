import Synchronization

/// The port a server is bound to, which callers of `port()` wait for.
///
/// A mutex rather than an actor: a waiter's cancellation handler must remove it synchronously.
final class ListeningPort: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(EmulatorError)
    }

    private struct Storage {
        var state: State = .waiting([:])
        var nextWaiterID = 0
    }

    private let storage = Mutex(Storage())

    /// Waits until the server listens and returns its port.
    func value() async throws -> Int {
        let id: Int? = storage.withLock { storage in
            guard case .waiting = storage.state else { return nil }
            storage.nextWaiterID += 1
            return storage.nextWaiterID
        }
        guard let id else { return try settled() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let early: Result<Int, any Error>? = storage.withLock { storage in
                    switch storage.state {
                    case .waiting(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        storage.state = .waiting(waiters)
                        return nil
                    case .listening(let port): return .success(port)
                    case .failed(let error): return .failure(error)
                    }
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Int, any Error>? = storage.withLock { storage in
                guard case .waiting(var waiters) = storage.state else { return nil }
                let waiter = waiters.removeValue(forKey: id)
                storage.state = .waiting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The port, if the server is listening now.
    var current: Int? {
        storage.withLock { storage in
            if case .listening(let port) = storage.state { return port }
            return nil
        }
    }

    func bound(to port: Int) {
        settle(.listening(port))
    }

    func fail(_ error: EmulatorError) {
        settle(.failed(error))
    }

    private func settle(_ newState: State) {
        let waiters: [CheckedContinuation<Int, any Error>] = storage.withLock { storage in
            var waiters: [CheckedContinuation<Int, any Error>] = []
            if case .waiting(let pending) = storage.state { waiters = Array(pending.values) }
            storage.state = newState
            return waiters
        }
        for waiter in waiters {
            switch newState {
            case .listening(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .waiting: break
            }
        }
    }

    private func settled() throws -> Int {
        try storage.withLock { storage in
            switch storage.state {
            case .listening(let port): return port
            case .failed(let error): throw error
            case .waiting: throw EmulatorError.stopped()
            }
        }
    }
}
