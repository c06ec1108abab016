import Foundation

extension LedgerReader {
    /// Everything the ledger holds of one person: their desk tickets, and every record that is
    /// theirs (a message they sent, in `origin`) or of their tickets (what the desk said to them),
    /// with its bodies where kept, in order. `body` gets each record; the tickets are answered.
    public func subject(_ subject: Subject, _ body: (StoredRecord) throws -> Void) throws -> [SubjectTicket] {
        let tickets = try store.readNow { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM ticket WHERE customer_id = ? ORDER BY number", arguments: [subject.person])
                .filter { subject.matches(platform: $0["platform"], person: subject.person) }
                .map { row in
                    SubjectTicket(
                        number: row["number"],
                        platform: row["platform"],
                        chat: row["chat"],
                        name: row["name"],
                        handle: row["handle"],
                        language: row["language"],
                        state: row["state"],
                        openedAt: row["opened_at"]
                    )
                }
        }
        let numbers = Set(tickets.map(\.number))
        try forEach(withContent: true) { stored in
            let record = stored.record
            let theirs = record.origin.map { subject.matches(platform: $0.platform, person: $0.senderID) } ?? false
            if theirs || record.ticket.map(numbers.contains) == true { try body(stored) }
        }
        return tickets
    }
}

/// A person's desk ticket as an export shows it.
public struct SubjectTicket: Sendable, Hashable, Codable {
    public var number: Int64
    public var platform: String
    public var chat: String
    public var name: String
    public var handle: String?
    public var language: String?
    public var state: String
    public var openedAt: Date
}
