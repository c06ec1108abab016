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
    var counters: [String: Int64] = [:]
    /// Statements sent and not yet waited for, in order.
    private var inFlight: [EventLoopFuture<PostgresQueryResult>] = []
    /// Rows the last statement `run` sent changed, once waited for.
    private var lastChanges = 0
    /// The first failure among the statements waited for, thrown at every point after it.
    private var failure: (any Error)?
    /// Plain inserts waiting to go as one multi-row insert per statement; sent before anything
    /// else is, in the order each statement was first run in the transaction (a table's rows
    /// after those of the tables it refers to, as the ledger writes them).
    private var batches: [(shape: PostgresTranslations.InsertShape, values: [SQLValue])] = []
    /// Each statement's place in `batches`, kept for the whole transaction: a statement first
    /// run after a flush must not be sent before one first run earlier.
    private var batchIndex: [String: Int] = [:]

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
        if let shape = translations.insertShape(sql) {
            if let index = batchIndex[sql] {
                batches[index].values.append(contentsOf: arguments.values)
            } else {
                batchIndex[sql] = batches.count
                batches.append((shape, arguments.values))
            }
            return
        }
        sendBatches()
        inFlight.append(send(sql: sql, arguments: arguments))
    }

    /// Sends the waiting inserts, each statement's rows in as few statements as the protocol's
    /// 65,535 parameters allow.
    private func sendBatches() {
        for index in batches.indices where !batches[index].values.isEmpty {
            let batch = batches[index]
            batches[index].values.removeAll(keepingCapacity: true)
            let perRow = max(batch.shape.parameters, 1)
            let rowsAtOnce = max(1, 65_535 / perRow)
            let rows = batch.values.count / perRow
            var start = 0
            while start < rows {
                let count = min(rowsAtOnce, rows - start)
                let values = Array(batch.values[(start * perRow)..<((start + count) * perRow)])
                inFlight.append(send(postgres: batch.shape.statement(rows: count), values: values))
                start += count
            }
        }
    }

    /// Waits for the statements in flight; a failure among them is thrown at the next point that
    /// throws (here it makes the count 0, which no caller takes for success).
    var changesCount: Int {
        try? settle()
        return failure == nil ? lastChanges : 0
    }

    /// Rolls the transaction back, whatever failed in it.
    func rollback() throws {
        discard()
        _ = try wait(connection.query(PostgresQuery(unsafeSQL: "ROLLBACK"), logger: logger))
    }

    /// Forgets what was sent and not waited for, what waits to be sent, and any failure (a
    /// rollback undoes them all).
    private func discard() {
        inFlight.removeAll()
        batches.removeAll()
        batchIndex.removeAll()
        failure = nil
    }

    /// Waits for every statement in flight, in order; throws the first failure (now or before).
    func settle() throws {
        sendBatches()
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
        let counted = counters
        do {
            try body()
            try settle()
        } catch {
            // What failed inside is undone with the savepoint, and so is its failure.
            discard()
            counters = counted
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
        send(postgres: translations.postgres(sql), values: arguments.values)
    }

    /// Sends a statement already in PostgreSQL's spelling.
    private func send(postgres sql: String, values: [SQLValue]) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let number): binds.append(number)
            case .real(let number): binds.append(number)
            case .text(let text): binds.append(text)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            case .date(let date): binds.append(SQLValue.rounded(date))
            }
        }
        return connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
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
    private var shapes: [String: InsertShape?] = [:]

    /// A plain insert of one row (`INSERT INTO t (…) VALUES (?, 0, ?)`: no `ON CONFLICT`, no
    /// `RETURNING`), which several runs can send as one multi-row insert.
    struct InsertShape {
        /// `INSERT INTO t (…) VALUES `.
        let prefix: String
        /// `(?, 0, ?)`.
        let tuple: String
        let parameters: Int

        /// The statement for `rows` rows, in PostgreSQL's spelling.
        func statement(rows: Int) -> String {
            var text = prefix
            text.reserveCapacity(prefix.utf8.count + rows * (tuple.utf8.count + 8))
            var number = 0
            for row in 0..<rows {
                if row > 0 { text += ", " }
                for character in tuple {
                    if character == "?" {
                        number += 1
                        text += "$\(number)"
                    } else {
                        text.append(character)
                    }
                }
            }
            return text
        }
    }

    func insertShape(_ sql: String) -> InsertShape? {
        if let shape = shapes[sql] { return shape }
        let shape = Self.shape(of: sql)
        shapes[sql] = shape
        return shape
    }

    private static func shape(of sql: String) -> InsertShape? {
        // On one line (the ledger's inserts carry no line break inside a quoted literal).
        let text = sql.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        let upper = text.uppercased()
        guard upper.hasPrefix("INSERT INTO"), !upper.contains("RETURNING"), !upper.contains("ON CONFLICT"), !upper.contains("SELECT"),
            !text.contains("'?"), let values = upper.range(of: " VALUES ", options: .backwards)
        else { return nil }
        let offset = upper.distance(from: upper.startIndex, to: values.upperBound)
        let tuple = String(text.dropFirst(offset)).trimmingCharacters(in: .whitespacesAndNewlines)
        // One parenthesised row and nothing after it.
        guard tuple.hasPrefix("("), tuple.hasSuffix(")"), tuple.dropFirst().dropLast().allSatisfy({ $0 != "(" && $0 != ")" }) else { return nil }
        let parameters = tuple.filter { $0 == "?" }.count
        // An insert without parameters has no rows to gather: it goes as it is.
        guard parameters > 0 else { return nil }
        return InsertShape(prefix: String(text.prefix(offset)), tuple: tuple, parameters: parameters)
    }

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
