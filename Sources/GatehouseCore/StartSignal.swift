import Synchronization

/// Fires once, when an adapter has made its first attempt to reach its platform (whether it got
/// through or not), so that the daemon tells its service manager it is ready only after every
/// adapter has tried.
public final class StartSignal: Sendable {
    private let fired = Mutex(false)

    public init() {}

    /// Marks the first attempt as made; later calls do nothing.
    public func fire() {
        fired.withLock { $0 = true }
    }

    public var hasFired: Bool { fired.withLock { $0 } }

    /// Returns once the signal has fired, or when the task is cancelled.
    public func wait() async {
        // Readiness is waited for once, at start: a short poll is simpler than parking
        // continuations and handling their cancellation.
        while !hasFired, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
