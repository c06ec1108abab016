import Foundation
import GatehouseCore

/// Withdrawals: an operator takes back every copy of a message, everywhere it went.
extension SQLLedger {
    public func withdraw(_ target: WithdrawalTarget, by approver: String, reason: String, at time: Date) async throws -> Withdrawal {
        try await store.write { db in
            let sequence: Int64
            switch target {
            case .crossing(let number):
                sequence = number
            case .message(let platform, let conversation, let message):
                // The first crossing the message made.
                guard
                    let first = try Int64.fetchOne(
                        db,
                        sql: "SELECT MIN(crossing) FROM outbox WHERE origin_platform = ? AND origin_conversation = ? AND origin_message = ?",
                        arguments: [platform, conversation, message]
                    )
                else {
                    throw LedgerError.unknownMessage("\(platform)/\(conversation)/\(message)")
                }
                sequence = first
            }
            guard let leaf = try Data.fetchOne(db, sql: "SELECT leaf FROM audit_record WHERE sequence = ?", arguments: [sequence]) else {
                throw LedgerError.notACrossing(sequence)
            }
            let record = try AuditRecord.decode(leaf: leaf)
            guard record.kind == .crossing, let origin = record.origin else { throw LedgerError.notACrossing(sequence) }
            let message = (origin.platform, origin.conversation, origin.messageID)
            let arguments: SQLArguments = [message.0, message.1, message.2]
            // What has not gone out yet never will: queued, held and scheduled jobs of the message
            // are cancelled (a job in flight is let finish, and its copy is taken back below or by
            // a later withdrawal).
            let waiting = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM outbox WHERE origin_platform = ? AND origin_conversation = ? AND origin_message = ?
                    AND state IN ('pending', 'deferred', 'held', 'scheduled') AND action != 'delete'
                    """,
                arguments: arguments
            )
            for id in waiting {
                try db.run(
                    sql: "UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ? WHERE id = ?",
                    arguments: ["withdrawn by \(approver): \(reason)", id]
                )
            }
            // Every destination with a copy: a delete job each, after what is queued there.
            let copies = try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT m.destination AS destination, \(db.dialect.joined("m.native_id", separator: " ", order: "m.part")) AS ids,
                           (SELECT route FROM outbox o WHERE o.id = (SELECT MAX(id) FROM outbox WHERE crossing = m.crossing)) AS route
                    FROM message_map m
                    WHERE m.origin_platform = ? AND m.origin_conversation = ? AND m.origin_message = ?
                    GROUP BY m.destination ORDER BY m.destination
                    """,
                arguments: arguments
            )
            var records: [AuditRecord] = []
            var destinations: [String] = []
            for copy in copies {
                let destination: String = copy["destination"]
                let route: String = copy["route"] ?? record.route ?? ""
                let ids = (copy["ids"] as String?)?.split(separator: " ").map(String.init) ?? []
                let withdrawal = try Self.append(
                    AuditRecord(
                        sequence: 0,
                        time: time,
                        kind: .withdrawn,
                        route: route,
                        origin: origin,
                        destination: destination,
                        crossing: sequence,
                        nativeIDs: ids,
                        reason: reason,
                        approver: approver
                    ),
                    in: db
                )
                records.append(withdrawal)
                destinations.append(destination)
                let now = StoredDate(time)
                try db.run(
                    sql: """
                        INSERT INTO outbox (id, crossing, route, destination, action, text, payload, state, attempts, created_at,
                                            origin_platform, origin_conversation, origin_message, not_before, decided_at)
                        VALUES (?, ?, ?, ?, 'delete', '', NULL, 'pending', 0, ?, ?, ?, ?, NULL, ?)
                        """,
                    arguments: [try Self.nextJobID(in: db), withdrawal.sequence, route, destination, now, message.0, message.1, message.2, now]
                )
            }
            return Withdrawal(records: records, cancelled: waiting.count, destinations: destinations)
        }
    }
}

/// What a withdrawal did: a record per destination whose copy is being taken back (a delete
/// job each), and how many deliveries that had not gone out were cancelled.
public struct Withdrawal: Sendable, Hashable {
    public var records: [AuditRecord]
    public var cancelled: Int
    public var destinations: [String]

    public init(records: [AuditRecord], cancelled: Int, destinations: [String]) {
        self.records = records
        self.cancelled = cancelled
        self.destinations = destinations
    }
}
