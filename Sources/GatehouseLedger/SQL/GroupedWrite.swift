import GRDB
import Synchronization

/// One caller's write in a group-committed transaction (``SQLiteStore``): it runs in its own
/// savepoint when the transaction is cut, and its caller reads the outcome once the transaction
/// has committed.
struct GroupedWrite: Sendable {
    /// Runs the write in the transaction; the error it failed with, if it did.
    let run: @Sendable (Database) -> (any Error)?

    /// A write of `body` whose value or error goes to `outcome`.
    init<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T, into outcome: Outcome<T>) {
        run = { db in outcome.run(body, in: db) }
    }

    /// What a write returned or threw, kept until the transaction holding it has committed.
    final class Outcome<T: Sendable>: Sendable {
        private let stored = Mutex<Result<T, any Error>?>(nil)
        private let cancelled = Mutex(false)

        /// The caller was cancelled: if the write has not run yet, it will not (as with a
        /// transaction of its own, which a cancelled caller never began).
        func cancel() { cancelled.withLock { $0 = true } }

        /// Runs `body` in a savepoint of `db`'s transaction, with a session of its own: what it
        /// counts (sequence numbers, job ids) it reads again from the transaction, where the
        /// writes before it are visible. The error it failed with, if it did.
        fileprivate func run(_ body: @Sendable (any SQLSession) throws -> T, in db: Database) -> (any Error)? {
            let result: Result<T, any Error> =
                cancelled.withLock { $0 }
                ? .failure(CancellationError())
                : Result {
                    let session = SQLiteSession(db)
                    var value: T?
                    try session.savepoint { value = try body(session) }
                    guard let value else { throw LedgerError.corrupt("a grouped write returned nothing") }
                    return value
                }
            stored.withLock { $0 = result }
            if case .failure(let error) = result { return error }
            return nil
        }

        /// The value, or the write's error; only after the commit.
        func value() throws -> T {
            guard let result = stored.withLock({ $0 }) else { throw LedgerError.corrupt("a grouped write was committed without running") }
            return try result.get()
        }
    }
}
