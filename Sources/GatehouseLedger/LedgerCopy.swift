import Foundation

/// Copies a ledger into an empty one on another backend (a SQLite ledger to PostgreSQL), every
/// table row for row: the log with its leaves, hashes and checkpoints byte for byte, so that
/// every proof and signed checkpoint still holds, and the content, queues, message map, dedup
/// rows, cursors, tickets and reviews, so that the new instance goes on where the old one stopped.
/// One transaction on the target: a copy that fails leaves it empty.
public enum LedgerCopy {
    /// The tables in the order their references need, with the columns that hold times (stored
    /// as text on SQLite, as `timestamptz` on PostgreSQL).
    static let tables: [(name: String, order: String, dates: Set<String>)] = [
        ("audit_record", "sequence", ["time"]),
        ("audit_leaf_hash", "sequence", []),
        ("checkpoint", "size", ["created_at"]),
        ("audit_subtree", "height, position", []),
        ("content", "record", []),
        ("outbox", "id", ["not_before", "created_at", "leased_until", "decided_at"]),
        ("message_map", "origin_platform, origin_conversation, origin_message, destination, part", []),
        ("inbound", "platform, event_id", ["received_at"]),
        ("cursor", "platform", ["updated_at"]),
        ("ticket", "number", ["opened_at", "first_response_at", "closed_at", "updated_at"]),
        ("review", "job", ["deadline", "opened_at", "decided_at"]),
        ("review_vote", "job, person", ["at"]),
        ("traffic", "hour, route, verdict", []),
        ("deliveries", "hour, destination, outcome", []),
        ("config_source", "revision", ["first_loaded"]),
    ]

    /// Rows read and written at once.
    static let batch = 500

    /// What was copied: rows per table.
    public struct Report: Sendable {
        public var rows: [(table: String, count: Int)] = []
    }

    /// Copies `source` into `target`, which must hold no record yet. `progress` hears each table
    /// as it is done.
    public static func copy(
        from source: any SQLStore,
        to target: any SQLStore,
        progress: (@Sendable (String, Int) -> Void)? = nil
    ) async throws
        -> Report
    {
        let records = try await target.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_record") ?? 0 }
        guard records == 0 else {
            throw LedgerError.corrupt("the target ledger already holds \(records) records; a copy goes into an empty ledger only")
        }
        let dialect = target.dialect
        return try await target.write { db in
            var report = Report()
            // One snapshot of the source: its tables agree with each other.
            try source.readNow { from in
                for table in tables {
                    var count = 0
                    // In pages by key (the primary key's columns), each found through its index.
                    let keys = table.order.components(separatedBy: ", ")
                    var after: [SQLValue]?
                    while true {
                        let condition = after == nil ? "" : "WHERE (\(table.order)) > (\(keys.map { _ in "?" }.joined(separator: ", ")))"
                        let rows = try SQLRow.fetchAll(
                            from,
                            sql: "SELECT * FROM \(table.name) \(condition) ORDER BY \(table.order) LIMIT ?",
                            arguments: SQLArguments(values: (after ?? []) + [.integer(Int64(batch))])
                        )
                        guard let first = rows.first, let last = rows.last else { break }
                        let columns = first.columns.names
                        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
                        var values: [SQLValue] = []
                        values.reserveCapacity(rows.count * columns.count)
                        for row in rows {
                            for (column, value) in zip(columns, row.values) {
                                if table.dates.contains(column), case .text(let text) = value {
                                    guard let date = StoredDate.parse(text) else {
                                        throw LedgerError.corrupt("\(table.name).\(column) holds '\(text)', not a time")
                                    }
                                    values.append(.date(date))
                                } else {
                                    values.append(value)
                                }
                            }
                        }
                        try db.run(
                            sql: "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES "
                                + Array(repeating: placeholders, count: rows.count).joined(separator: ", "),
                            arguments: SQLArguments(values: values)
                        )
                        count += rows.count
                        after = keys.map { last.value($0) }
                        if rows.count < batch { break }
                    }
                    report.rows.append((table.name, count))
                    progress?(table.name, count)
                }
            }
            // Outbox ids go on from the last copied, not from 1.
            if dialect == .postgres {
                try db.run(sql: "SELECT setval(pg_get_serial_sequence('outbox', 'id'), COALESCE((SELECT MAX(id) FROM outbox), 0) + 1, false)")
            }
            return report
        }
    }
}
