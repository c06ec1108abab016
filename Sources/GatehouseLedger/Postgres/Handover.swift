import Foundation
import GatehouseCore

/// Events an instance received after it lost the lease, handed to the active instance through the
/// shared database.
///
/// A platform that pushes once and never again (DingTalk's robot messages) may push into the
/// connection of an instance that was paused while another took over. When it wakes, it reads
/// those messages but may not commit them (its writes are fenced): it stores them here instead,
/// which needs no lease, and the active instance takes them in as if it had received them,
/// deduplicated by event id like any redelivery. Nothing is decided here: the active instance
/// decides under its own config.
public struct Handover: Sendable {
    /// One handed-over event.
    public struct Event: Sendable, Hashable {
        public var id: Int64
        public var envelope: Envelope
        public var nonce: String?
        /// The instance that received it.
        public var origin: String
    }

    /// The most events taken in one read.
    public static let batch = 100

    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    /// Stores events for the active instance (no lease needed), in one transaction.
    public func submit(_ events: [(envelope: Envelope, nonce: String?)], origin: String) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let rows = try events.map { (try encoder.encode($0.envelope), $0.nonce) }
        try await store.writeUnfenced { db in
            for (envelope, nonce) in rows {
                try db.run(
                    sql: "INSERT INTO handover (envelope, nonce, origin) VALUES (?, ?, ?)",
                    arguments: [envelope, nonce, origin]
                )
            }
        }
    }

    /// The events waiting, oldest first. A row that cannot be read (written by a newer version
    /// with a changed envelope) is returned as nil in `unreadable`, for the caller to log and drop.
    public func pending() async throws -> (events: [Event], unreadable: [Int64]) {
        let rows = try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: "SELECT id, envelope, nonce, origin FROM handover ORDER BY id LIMIT ?",
                arguments: [Int64(Self.batch)]
            ).map { (id: $0["id"] as Int64, envelope: $0["envelope"] as Data, nonce: $0["nonce"] as String?, origin: $0["origin"] as String) }
        }
        let decoder = JSONDecoder()
        var events: [Event] = []
        var unreadable: [Int64] = []
        for row in rows {
            if let envelope = try? decoder.decode(Envelope.self, from: row.envelope) {
                events.append(Event(id: row.id, envelope: envelope, nonce: row.nonce, origin: row.origin))
            } else {
                unreadable.append(row.id)
            }
        }
        return (events, unreadable)
    }

    /// Removes events taken in (a fenced write: only the lease's holder takes them).
    public func remove(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await store.write { db in
            for id in ids {
                try db.run(sql: "DELETE FROM handover WHERE id = ?", arguments: [id])
            }
        }
    }
}
