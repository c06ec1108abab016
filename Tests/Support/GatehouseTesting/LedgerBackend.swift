import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger

/// A database the ledger tests run on: each ledger test runs once per backend available.
public enum LedgerBackend: String, Sendable {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when `GATEHOUSE_TEST_POSTGRES` names a server to test against
    /// (`.ci/run` starts one: `Tests/Tools/postgres.sh`). Each test gets a schema of its own there.
    public static let available: [LedgerBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// The test server, from the environment.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// A new, empty, migrated ledger: an in-memory SQLite database, or a fresh schema.
    public func open(contentKey: ContentKey = .ephemeral()) async throws -> TestLedger {
        switch self {
        case .sqlite:
            let queue = try DatabaseQueue()
            return TestLedger(ledger: try SQLLedger(writer: queue, contentKey: contentKey), store: SQLiteStore(writer: queue))
        case .postgres:
            let store = try await Self.freshSchema()
            return TestLedger(ledger: SQLLedger(store: store, contentKey: contentKey), store: store)
        }
    }

    /// A new ledger (see ``open(contentKey:)``).
    public func ledger(contentKey: ContentKey = .ephemeral()) async throws -> SQLLedger {
        try await open(contentKey: contentKey).ledger
    }

    /// A PostgreSQL store on a schema of its own, migrated.
    public static func freshSchema() async throws -> PostgresStore {
        guard let url = postgresURL else { throw TestBackendUnavailable() }
        var location = try PostgresLocation(url: url)
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let bootstrap = PostgresStore(location: location)
        try await bootstrap.write { db in try db.run(sql: "CREATE SCHEMA \(schema)") }
        try await bootstrap.close()
        location.schema = schema
        return try await PostgresStore.open(location)
    }
}

struct TestBackendUnavailable: Error {}

/// A test's ledger with its store, through which a test reaches under the ledger (as an attacker
/// with the database's credentials would).
public struct TestLedger: Sendable {
    public let ledger: SQLLedger
    public let store: any SQLStore

    /// A reader over the same tables (`gatehouse audit …`).
    public var reader: LedgerReader { LedgerReader(store: store) }

    /// Runs statements outside the ledger.
    public func execute(_ sql: String, _ arguments: SQLArguments = []) async throws {
        try await store.write { db in try db.run(sql: sql, arguments: arguments) }
    }

    /// Rows of a query outside the ledger.
    public func rows(_ sql: String, _ arguments: SQLArguments = []) async throws -> [SQLRow] {
        try await store.read { db in try SQLRow.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// What an attacker with the database's owner rights does first: switch off the append-only
    /// triggers, then change the tables.
    public func tamper(_ sql: String, _ arguments: SQLArguments = []) async throws {
        let dialect = store.dialect
        try await store.write { db in
            switch dialect {
            case .sqlite:
                for trigger in [
                    "audit_record_no_update", "audit_record_no_delete", "audit_leaf_hash_no_update", "audit_leaf_hash_no_delete",
                    "checkpoint_no_update", "checkpoint_no_delete",
                ] {
                    try db.run(sql: "DROP TRIGGER IF EXISTS \(trigger)")
                }
            case .postgres:
                for table in ["audit_record", "audit_leaf_hash", "checkpoint"] { try db.run(sql: "ALTER TABLE \(table) DISABLE TRIGGER USER") }
            }
            try db.run(sql: sql, arguments: arguments)
        }
    }
}
