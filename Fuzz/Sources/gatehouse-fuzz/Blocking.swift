import Foundation
import Synchronization

/// Runs async code to its end from libFuzzer's synchronous callback (the fuzzer's own thread,
/// not one of the concurrency pool's, so waiting here cannot starve the task it waits for).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<T?>(nil)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
