import Foundation
import GatehouseCore
import Logging
import Synchronization

/// The ledger's tables in a PostgreSQL database that several instances share: one connection
/// writes (its transactions one at a time, as on SQLite), another reads in snapshots
/// (`REPEATABLE READ`), so reads never wait behind the writer.
///
/// When instances take turns (``LedgerLease``), every write transaction first checks that this
/// instance still holds the lease, and keeps a share lock on it until it commits: an instance
/// that lost the lease — paused, cut off, slow — can no longer write anything.
public final class PostgresStore: SQLStore {
    public let location: PostgresLocation
    private let writer: PostgresWorker
    private let reader: PostgresWorker
    private let fenceCheck = Mutex<(@Sendable (any SQLSession) throws -> Void)?>(nil)

    /// A store at `location`; nothing is connected until it is used. `timeout` bounds each
    /// transaction (a database out of reach fails it instead of hanging it).
    public init(location: PostgresLocation, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "gatehouse.postgres")) {
        self.location = location
        writer = PostgresWorker(location: location, role: "writer", timeout: timeout, logger: logger)
        reader = PostgresWorker(location: location, role: "reader", timeout: timeout, logger: logger)
    }

    /// Connects and brings the schema up to date (every instance may: they take turns).
    public static func open(_ location: PostgresLocation, logger: Logger = Logger(label: "gatehouse.postgres")) async throws -> PostgresStore {
        let store = PostgresStore(location: location, logger: logger)
        try await store.migrate()
        return store
    }

    /// Brings the schema up to date (instances starting together take turns).
    public func migrate() async throws {
        try await PostgresSchema.migrate(self)
    }

    public var dialect: SQLDialect { .postgres }

    /// Sets the check every write transaction starts with (nil: none).
    public func fence(_ check: (@Sendable (any SQLSession) throws -> Void)?) {
        fenceCheck.withLock { $0 = check }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        let check = fenceCheck.withLock { $0 }
        guard let check else { return try await writer.transaction(begin: "BEGIN", body) }
        return try await writer.transaction(begin: "BEGIN", prepare: { session in try check(session) }, { session in try body(session) })
    }

    /// A write transaction without the lease's check: taking the lease itself, migrations.
    func writeUnfenced<T: Sendable>(timeout: Duration? = nil, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await writer.transaction(begin: "BEGIN", timeout: timeout, body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await reader.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// The command line's readers read whole logs in one snapshot (`audit verify` over millions
    /// of records): their transaction is bounded by hours, not by the daemon's seconds.
    public func readNow<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try reader.transactionNow(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", timeout: .seconds(6 * 3600), body)
    }

    /// PostgreSQL keeps no write-ahead copy a reader of the files could find as SQLite's WAL
    /// does; the dead rows of erased content are reclaimed by autovacuum.
    public func compact() async throws {}

    public func close() async throws {
        await writer.close()
        await reader.close()
    }
}
