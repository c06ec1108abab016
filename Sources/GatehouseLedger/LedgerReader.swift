import Foundation
import GRDB
import GatehouseCore

/// Read-only access to a ledger for `gatehouse audit …`: safe while the daemon writes (readers
/// never block the writer, on either backend), and it never creates or migrates anything.
public struct LedgerReader: Sendable {
    let store: any SQLStore

    /// Opens `ledger.sqlite` in `directory` for reading.
    public init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError.missing("no ledger at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        // Opened while the daemon's writer holds the file (resetting the WAL as it closes, a
        // checkpoint): wait for it rather than fail with "database is locked".
        configuration.busyMode = .timeout(10)
        self.store = SQLiteStore(reader: try DatabasePool(path: path, configuration: configuration))
    }

    /// A reader over an existing SQLite database (tests).
    public init(reader: any DatabaseReader) {
        self.store = SQLiteStore(reader: reader)
    }

    /// A reader over any store (a ``PostgresStore``).
    public init(store: any SQLStore) {
        self.store = store
    }

    /// Calls `body` for each record matching `query`, in sequence order, reading in pages so that
    /// a log of any size streams in bounded memory.
    public func forEach(_ query: AuditQuery = AuditQuery(), withContent: Bool = false, _ body: (StoredRecord) throws -> Void) throws {
        var conditions = ["a.sequence > ?"]
        var arguments: [(any SQLBindable)?] = []
        if let since = query.since {
            conditions.append("a.time >= ?")
            arguments.append(since)
        }
        if let until = query.until {
            conditions.append("a.time < ?")
            arguments.append(until)
        }
        if let route = query.route {
            conditions.append("a.route = ?")
            arguments.append(route)
        }
        if let verdict = query.verdict {
            conditions.append("a.verdict = ?")
            arguments.append(verdict.rawValue)
        }
        let columns =
            withContent
            ? "a.sequence, a.leaf, c.received, c.decided, c.received_payload, c.decided_payload"
            : "a.sequence, a.leaf, NULL AS received, NULL AS decided, NULL AS received_payload, NULL AS decided_payload"
        let join = withContent ? "LEFT JOIN content c ON c.record = a.sequence" : ""
        let sql = "SELECT \(columns) FROM audit_record a \(join) WHERE \(conditions.joined(separator: " AND ")) ORDER BY a.sequence LIMIT 1000"
        var after: Int64 = 0
        while true {
            let rows = try store.readNow { db in
                try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments([after] + arguments))
            }
            guard let last = rows.last else { return }
            for row in rows {
                let stored = try StoredRecord(row)
                guard query.matches(stored.record) else { continue }
                try body(stored)
            }
            after = last["sequence"]
        }
    }
}
