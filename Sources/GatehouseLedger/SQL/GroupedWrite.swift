import GRDB
import Synchronization

/// One caller's write in a group-committed transaction (``SQLiteStore``): it runs in its own
/// savepoint when the transaction is cut, and its caller reads the outcome once the transaction
/// has committed.
struct GroupedWrite: Sendable {
    /// Runs the write in the transaction; the error it failed with, if it did.
    let run: @Sendable (Database) -> (any Error)?

    /// What a write returned or threw, kept until the transaction holding it has committed.
    final class Outcome<T: Sendable>: Sendable {
        private let stored = Mutex<Result<T, any Error>?>(nil)
        private let cancelled = Mutex(false)

        /// The caller was cancelled: if the write has not run yet, it will not.
        func cancel() { cancelled.withLock { $0 = true } }

        var isCancelled: Bool { cancelled.withLock { $0 } }

        var result: Result<T, any Error>? {
            get { stored.withLock { $0 } }
            set { stored.withLock { $0 = newValue } }
        }

        /// The value, or the write's error; only after the commit.
        func value() throws -> T {
            guard let result else { throw LedgerError.corrupt("a grouped write was committed without running") }
            return try result.get()
        }
    }
}
