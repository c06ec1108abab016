/// The SQL a ledger backend speaks. The ledger's statements are written once, in the subset
/// both understand (`?` placeholders, `ON CONFLICT`, `RETURNING`); a dialect says how the few
/// differences are spelled.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// The larger of two values (not the aggregate).
    func greatest(_ a: String, _ b: String) -> String {
        switch self {
        case .sqlite: "MAX(\(a), \(b))"
        case .postgres: "GREATEST(\(a), \(b))"
        }
    }

    /// An aggregate joining a text column's values with a separator, in `order`.
    func joined(_ column: String, separator: String, order: String) -> String {
        switch self {
        // SQLite before 3.44 has no ORDER BY in an aggregate: it joins in the order rows come.
        case .sqlite: "group_concat(\(column), '\(separator)')"
        case .postgres: "string_agg(\(column), '\(separator)' ORDER BY \(order))"
        }
    }
}

/// The statements of one transaction, run one after another on its connection. Synchronous: the
/// ledger's logic runs inside one transaction on the backend's own thread, exactly as written,
/// whichever database is underneath.
public protocol SQLSession: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs one statement (`?` placeholders), remembering how many rows it changed.
    func run(sql: String, arguments: SQLArguments) throws

    /// Rows changed by the last statement `run` ran.
    var changesCount: Int { get }

    /// Runs a query and returns its rows.
    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow]

    /// Runs `body` in a savepoint: everything it did is undone when it throws (and the error
    /// rethrown), kept when it returns.
    func savepoint(_ body: () throws -> Void) throws

    /// Numbers handed out in this transaction (the audit log's next sequence, the next outbox
    /// id), by name: the writer is the only one appending, so each is read once per transaction
    /// and counted on here; a savepoint rolled back restores them.
    var counters: [String: Int64] { get set }
}

extension SQLSession {
    /// The next number of a counter: read with `initial` (a query answering the first number)
    /// the first time in the transaction, counted on after.
    func next(_ counter: String, initial: String) throws -> Int64 {
        let number: Int64
        if let counted = counters[counter] {
            number = counted
        } else {
            number = try Int64.fetchOne(self, sql: initial) ?? 1
        }
        counters[counter] = number + 1
        return number
    }
}

extension SQLSession {
    public func run(sql: String) throws { try run(sql: sql, arguments: []) }
}

/// Where a ledger's tables live: transactions run on the backend's writer (one at a time) or on
/// a reader (a consistent snapshot that never blocks the writer).
public protocol SQLStore: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in a write transaction, committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T

    /// Runs `body` in a read-only snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T

    /// Runs `body` in a read-only snapshot, on the calling thread (the command line's readers,
    /// which are not in an async context).
    func readNow<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Makes space freed by erased content unreadable where the backend can (SQLite truncates its
    /// write-ahead log, which still holds the erased pages' old images).
    func compact() async throws

    /// Closes the backend's connections (a no-op where they close with the object).
    func close() async throws
}
