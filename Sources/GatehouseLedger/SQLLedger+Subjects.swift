import Foundation
import GatehouseCore

/// One person's rights over what the ledger holds of them (PIPL art. 44–47, GDPR art. 15 and 17):
/// their records found (``LedgerReader/subject(_:)``), and their stored bodies and profile erased.
extension SQLLedger {
    public func eraseSubject(_ subject: Subject, by approver: String, reason: String, at time: Date) async throws -> [AuditRecord] {
        let erased = try await store.write { db in
            let tickets = try Self.tickets(of: subject, in: db)
            // The crossings whose bodies are still kept: the person's own messages, and every
            // crossing of their tickets (what the desk said to them).
            var crossings: [Int64] = []
            let rows = try SQLRow.fetchAll(
                db,
                sql: "SELECT a.sequence AS sequence, a.leaf AS leaf, a.ticket AS ticket FROM audit_record a JOIN content c ON c.record = a.sequence"
            )
            for row in rows {
                let ticket: Int64? = row["ticket"]
                if let ticket, tickets.contains(ticket) {
                    crossings.append(row["sequence"])
                    continue
                }
                let record = try AuditRecord.decode(leaf: row["leaf"])
                if let origin = record.origin, subject.matches(platform: origin.platform, person: origin.senderID) {
                    crossings.append(row["sequence"])
                }
            }
            var records: [AuditRecord] = []
            for crossing in crossings {
                try db.run(sql: "DELETE FROM content WHERE record = ?", arguments: [crossing])
                // A delivery not made yet would send what is being erased: it is cancelled (one in
                // flight now finishes; its text was read before).
                try db.run(
                    sql: """
                        UPDATE outbox SET state = \(OutboxJob.State.cancelled.sql), last_error = ?
                        WHERE crossing = ? AND state IN ('pending', 'deferred', 'held', 'scheduled')
                        """,
                    arguments: ["erased at the person's request by \(approver)", crossing]
                )
                try db.run(sql: "UPDATE outbox SET text = '', payload = NULL WHERE crossing = ?", arguments: [crossing])
                records.append(
                    try Self.append(
                        AuditRecord(
                            sequence: 0,
                            time: time,
                            kind: .contentErased,
                            crossing: crossing,
                            reason: "subject \(subject): \(reason)",
                            approver: approver
                        ),
                        in: db
                    )
                )
            }
            // Their profile at the desk: the id stays (the log names it), the rest goes.
            for ticket in tickets {
                try db.run(
                    sql: "UPDATE ticket SET name = '(erased)', handle = NULL, language = NULL, last_message = NULL WHERE number = ?",
                    arguments: [ticket]
                )
            }
            return records
        }
        if !erased.isEmpty { try await store.compact() }
        return erased
    }

    /// The numbers of a person's tickets.
    static func tickets(of subject: Subject, in db: any SQLSession) throws -> Set<Int64> {
        let rows = try SQLRow.fetchAll(db, sql: "SELECT number, platform FROM ticket WHERE customer_id = ?", arguments: [subject.person])
        return Set(rows.filter { subject.matches(platform: $0["platform"], person: subject.person) }.map { $0["number"] as Int64 })
    }
}

/// A person whose records are asked for or erased: `PLATFORM:USER_ID`, the platform by its config
/// name, or by its type (`telegram:42` is user 42 on every Telegram platform).
public struct Subject: Sendable, Hashable, CustomStringConvertible {
    /// The config names of the platforms the person is on.
    public var platforms: Set<String>
    /// Their id there.
    public var person: String

    public init(platforms: Set<String>, person: String) {
        self.platforms = platforms
        self.person = person
    }

    public var description: String { "\(platforms.sorted().joined(separator: ","))/\(person)" }

    func matches(platform: String, person: String) -> Bool {
        person == self.person && platforms.contains(platform)
    }
}
