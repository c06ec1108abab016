import Foundation
import GRDB

/// The ledger's tables in one SQLite file (GRDB): a writer and, in WAL mode, readers that never
/// block it.
///
/// Every write goes through group commit: the writes waiting when the writer is free go into one
/// transaction, each in a savepoint of its own, so that under load they share one fsync (a
/// delivery writes its lease and then its outcome, and forty destinations sending at once were
/// forty fsyncs apart), while a lone write is written at once.
public struct SQLiteStore: SQLStore {
    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?
    private let group: GroupCommit<GroupedWrite, Void>?

    /// A store that reads and writes.
    public init(writer: any DatabaseWriter) {
        self.reader = writer
        self.writer = writer
        self.group = GroupCommit(limit: Self.groupLimit) { writes in
            try await writer.write { db in
                for write in writes {
                    // A write that failed is rolled back to its savepoint and fails alone, unless
                    // SQLite rolled the whole transaction back (a full disk): then every write
                    // in it fails.
                    if let error = write.run(db), !db.isInsideTransaction { throw error }
                }
            }
            return writes.map { _ in () }
        }
    }

    /// A store that only reads (`gatehouse audit …` beside the running daemon).
    public init(reader: any DatabaseReader) {
        self.reader = reader
        self.writer = nil
        self.group = nil
    }

    /// The most writes one transaction takes: bounds how long the others wait for its commit.
    static let groupLimit = 128

    public var dialect: SQLDialect { .sqlite }

    private func requireWriter() throws -> any DatabaseWriter {
        guard let writer else { throw LedgerError.readOnly }
        return writer
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        guard let group else { throw LedgerError.readOnly }
        // A caller cancelled before its write is cut into a transaction writes nothing, as with
        // a transaction of its own (a send cut off at shutdown stays in flight, not deferred).
        try Task.checkCancellation()
        let outcome = GroupedWrite.Outcome<T>()
        try await withTaskCancellationHandler {
            _ = try await group.submit([GroupedWrite(body, into: outcome)])
        } onCancel: {
            outcome.cancel()
        }
        return try outcome.value()
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await reader.read { db in try body(SQLiteSession(db)) }
    }

    public func readNow<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try reader.read { db in try body(SQLiteSession(db)) }
    }

    public func compact() async throws {
        try await requireWriter().writeWithoutTransaction { db in
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    public func close() async throws {}
}

/// A GRDB connection inside one of its transactions.
final class SQLiteSession: SQLSession {
    let db: Database
    var counters: [String: Int64] = [:]

    init(_ db: Database) {
        self.db = db
    }

    var dialect: SQLDialect { .sqlite }

    var changesCount: Int { db.changesCount }

    /// Statements are compiled once per connection: the ledger's statements run for every event,
    /// and compiling SQL costs more than running it.
    func run(sql: String, arguments: SQLArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        var rows: [SQLRow] = []
        while let row = try cursor.next() {
            rows.append(SQLRow(columns: columns, values: row.databaseValues.map(Self.value)))
        }
        return rows
    }

    func savepoint(_ body: () throws -> Void) throws {
        let counted = counters
        do {
            try db.inSavepoint {
                try body()
                return .commit
            }
        } catch {
            counters = counted
            throw error
        }
    }

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map(databaseValue))
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let data): data.databaseValue
        case .date(let date): StoredDate(date).databaseValue
        }
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}
