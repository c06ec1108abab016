/// One row of a statement's result, its columns looked up by name.
public struct SQLRow: Sendable {
    /// The statement's column names, shared by its rows.
    public final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        public init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            // The first of two columns with one name wins, as in SQLite.
            for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
            self.index = index
        }
    }

    let columns: Columns
    /// The values in column order.
    public let values: [SQLValue]

    public init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of a column; `.null` when the row has no such column.
    public func value(_ name: String) -> SQLValue {
        guard let position = columns.index[name], position < values.count else { return .null }
        return values[position]
    }

    /// A column's value, nil when it is NULL.
    ///
    /// A value of another type than asked means the database was changed by hand (every column
    /// is written by the ledger with one type): like a broken invariant, it stops the program
    /// rather than let it go on with a wrong value.
    public subscript<Value: SQLReadable>(_ name: String) -> Value? {
        let value = value(name)
        if value == .null { return nil }
        guard let decoded = Value.decode(value) else {
            preconditionFailure("the ledger's column \(name) holds \(value), not \(Value.self)")
        }
        return decoded
    }

    /// A column's value that is never NULL.
    public subscript<Value: SQLReadable>(_ name: String) -> Value {
        guard let decoded: Value = self[name] else { preconditionFailure("the ledger's column \(name) is NULL") }
        return decoded
    }
}

extension SQLRow {
    /// The rows of a query.
    public static func fetchAll(_ session: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try session.rows(sql: sql, arguments: arguments)
    }

    /// The first row of a query, if any.
    public static func fetchOne(_ session: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try session.rows(sql: sql, arguments: arguments).first
    }
}

extension SQLReadable {
    /// The first column of a query's first row; nil when there is no row or the value is NULL.
    public static func fetchOne(_ session: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> Self? {
        guard let row = try session.rows(sql: sql, arguments: arguments).first, let value = row.values.first, value != .null else {
            return nil
        }
        guard let decoded = decode(value) else { throw LedgerError.corrupt("a query's result \(value) is not \(Self.self)") }
        return decoded
    }

    /// The first column of every row of a query (NULLs skipped).
    public static func fetchAll(_ session: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try session.rows(sql: sql, arguments: arguments).compactMap { row in
            guard let value = row.values.first, value != .null else { return nil }
            guard let decoded = decode(value) else { throw LedgerError.corrupt("a query's result \(value) is not \(Self.self)") }
            return decoded
        }
    }
}
