import Foundation
import GatehouseCore

/// Delivery outcomes counted per hour (UTC), destination and outcome, kept as their records are
/// appended (in the same transaction), so that the console charts deliveries and failures over
/// weeks from a few hundred rows however large the log.
public struct DeliveryCount: Sendable, Hashable {
    /// The hour's start.
    public var hour: Date
    public var destination: String
    public var outcome: AuditRecord.Outcome
    public var count: Int

    public init(hour: Date, destination: String, outcome: AuditRecord.Outcome, count: Int) {
        self.hour = hour
        self.destination = destination
        self.outcome = outcome
        self.count = count
    }

    /// Counts a record, if it is a delivery outcome, inside the transaction appending it.
    static func count(_ record: AuditRecord, in db: any SQLSession) throws {
        guard record.kind == .delivery, let outcome = record.outcome, let destination = record.destination else { return }
        try db.run(
            sql: """
                INSERT INTO deliveries (hour, destination, outcome, count) VALUES (?, ?, ?, 1)
                ON CONFLICT (hour, destination, outcome) DO UPDATE SET count = deliveries.count + 1
                """,
            arguments: [Traffic.hour(of: record.time), destination, outcome.rawValue]
        )
    }
}

extension LedgerReader {
    /// The delivery outcomes counted per hour, destination and outcome from `since` on, oldest first.
    public func deliveries(since: Date) async throws -> [DeliveryCount] {
        let from = Traffic.hour(of: since)
        return try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: "SELECT hour, destination, outcome, count FROM deliveries WHERE hour >= ? ORDER BY hour, destination, outcome",
                arguments: [from]
            ).compactMap { row in
                guard let hour = Traffic.date(ofHour: row["hour"]), let outcome = AuditRecord.Outcome(rawValue: row["outcome"]) else { return nil }
                return DeliveryCount(hour: hour, destination: row["destination"], outcome: outcome, count: row["count"])
            }
        }
    }
}
