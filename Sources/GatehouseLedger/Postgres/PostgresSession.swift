import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A PostgreSQL connection inside one of its transactions, run from a thread of its own, so the
/// ledger's logic reads exactly as on SQLite.
///
/// Statements run for their effect (`run`) are sent without waiting for each: the connection
/// takes them one after another while this thread goes on, and they are waited for together at
/// the next point that needs an answer (a query, `changesCount`, a savepoint's end, the commit),
/// where the first that failed is thrown. An intake's half a dozen inserts thus cost about one
/// wait, not six.
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    /// The statements in PostgreSQL's spelling, by the ledger's (owned by the connection's worker).
    let translations: PostgresTranslations
    private var savepoints = 0
    var nextSequence: Int64?
    /// Statements sent and not yet waited for, in order.
    private var inFlight: [EventLoopFuture<PostgresQueryResult>] = []
    /// Rows the last statement `run` sent changed, once waited for.
    private var lastChanges = 0
    /// The first failure among the statements waited for, thrown at every point after it.
    private var failure: (any Error)?

    /// When the transaction must be done: a statement still waiting then fails (and its
    /// connection is closed), whatever the network or the server does.
    let deadline: DispatchTime

    init(connection: PostgresConnection, translations: PostgresTranslations, deadline: DispatchTime, logger: Logger) {
        self.connection = connection
        self.translations = translations
        self.deadline = deadline
        self.logger = logger
    }

    var dialect: SQLDialect { .postgres }

    func run(sql: String, arguments: SQLArguments) throws {
        if let failure { throw failure }
        inFlight.append(send(sql: sql, arguments: arguments))
    }

    /// Waits for the statements in flight; a failure among them is thrown at the next point that
    /// throws (here it makes the count 0, which no caller takes for success).
    var changesCount: Int {
        try? settle()
        return failure == nil ? lastChanges : 0
    }

    /// Rolls the transaction back, whatever failed in it.
    func rollback() throws {
        inFlight.removeAll()
        failure = nil
        _ = try wait(connection.query(PostgresQuery(unsafeSQL: "ROLLBACK"), logger: logger))
    }

    /// Waits for every statement in flight, in order; throws the first failure (now or before).
    func settle() throws {
        let sent = inFlight
        inFlight.removeAll(keepingCapacity: true)
        for future in sent {
            guard failure == nil else { break }
            do {
                lastChanges = try wait(future).metadata.rows ?? 0
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try settle()
        let result = try wait(send(sql: sql, arguments: arguments))
        guard let first = result.rows.first else { return [] }
        let columns = SQLRow.Columns(first.map(\.columnName))
        return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    func savepoint(_ body: () throws -> Void) throws {
        savepoints += 1
        let name = "s\(savepoints)"
        try execute(sql: "SAVEPOINT \(name)")
        let sequence = nextSequence
        do {
            try body()
            try settle()
        } catch {
            // What failed inside is undone with the savepoint, and so is its failure.
            inFlight.removeAll()
            failure = nil
            nextSequence = sequence
            try execute(sql: "ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
        try execute(sql: "RELEASE SAVEPOINT \(name)")
    }

    /// Runs a statement as it is (no placeholders): transaction control, the schema.
    @discardableResult
    func execute(sql: String) throws -> PostgresQueryResult {
        try settle()
        return try wait(connection.query(PostgresQuery(unsafeSQL: sql), logger: logger))
    }

    /// Runs a script of statements separated by semicolons (a migration), one by one: the
    /// extended protocol PostgresNIO speaks takes one statement at a time.
    func executeScript(_ script: String) throws {
        for statement in Self.statements(in: script) { try execute(sql: statement) }
    }

    /// The statements of a script: split at semicolons outside quotes, `$$` bodies and comments.
    static func statements(in script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var characters = Array(script)[...]
        var quote: Character?
        var dollarBody = false
        while let character = characters.popFirst() {
            if character == "-", characters.first == "-", quote == nil, !dollarBody {
                while let next = characters.first, next != "\n" { characters.removeFirst() }
                continue
            }
            current.append(character)
            if character == "$", characters.first == "$", quote == nil {
                current.append(characters.removeFirst())
                dollarBody.toggle()
            } else if dollarBody {
                continue
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ";" {
                current.removeLast()
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            }
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { statements.append(last) }
        return statements
    }

    private func send(sql: String, arguments: SQLArguments) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: arguments.values.count)
        for value in arguments.values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let number): binds.append(number)
            case .real(let number): binds.append(number)
            case .text(let text): binds.append(text)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            case .date(let date): binds.append(SQLValue.rounded(date))
            }
        }
        return connection.query(PostgresQuery(unsafeSQL: translations.postgres(sql), binds: binds), logger: logger)
    }

    private func wait<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        do {
            return try Self.wait(future, until: deadline)
        } catch let error as PSQLError {
            throw PostgresFailure(error)
        } catch is TimedOut {
            PostgresWorker.close(connection)
            throw PostgresFailure(message: "no answer before the transaction's deadline; the connection was closed")
        }
    }

    struct TimedOut: Error {}

    /// A future's value, waited for on this (non-event-loop) thread until `deadline` at most.
    static func wait<T: Sendable>(_ future: EventLoopFuture<T>, until deadline: DispatchTime) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: deadline) == .success, let result = outcome.withLock({ $0 }) else { throw TimedOut() }
        return try result.get()
    }

    /// A cell as the ledger reads it: integers, text, bytes and times; flags as 0 or 1.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Data(buffer: try cell.decode(ByteBuffer.self)))
        case .timestamptz, .timestamp: return .date(SQLValue.rounded(try cell.decode(Date.self)))
        // Sums of integers: exact, and read as integers where asked.
        case .numeric: return .text("\(try cell.decode(Decimal.self))")
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// The ledger's statements, written with SQLite's `?` placeholders, in PostgreSQL's numbered
/// ones (`$1`), translated once each. Question marks inside quoted text or names are left alone.
final class PostgresTranslations: @unchecked Sendable {
    // Touched only from the worker's thread that owns it.
    private var cache: [String: String] = [:]

    func postgres(_ sql: String) -> String {
        if let translated = cache[sql] { return translated }
        var translated = ""
        translated.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                translated.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                translated.append(character)
            } else if character == "?" {
                number += 1
                translated += "$\(number)"
            } else {
                translated.append(character)
            }
        }
        cache[sql] = translated
        return translated
    }
}

/// A PostgreSQL error, told without the statement's values: the server's message and its
/// SQLSTATE code (`23505` a unique violation), or what happened to the connection.
public struct PostgresFailure: Error, CustomStringConvertible, Sendable {
    /// The SQLSTATE, when the server answered.
    public let sqlState: String?
    public let message: String

    init(_ error: PSQLError) {
        if let info = error.serverInfo {
            sqlState = info[.sqlState]
            message = info[.message] ?? "\(error.code)"
        } else {
            sqlState = nil
            message = "\(error.code)"
        }
    }

    init(message: String) {
        sqlState = nil
        self.message = message
    }

    public var description: String {
        sqlState.map { "PostgreSQL: \(message) (SQLSTATE \($0))" } ?? "PostgreSQL: \(message)"
    }

    /// Whether the connection, not the statement, failed: the next transaction reconnects.
    var isConnectionLost: Bool { sqlState == nil }
}
