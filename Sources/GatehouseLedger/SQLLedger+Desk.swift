import Foundation
import GatehouseCore

/// The support desk's tickets (``DeskLedger``).
extension SQLLedger {
    public func ticket(
        platform: String,
        chat: String,
        customer: Envelope.Sender,
        message: String,
        connection: String?,
        at time: Date
    ) async throws -> TicketOpening {
        try await store.write { db in
            let stored = StoredDate(time)
            if var ticket = try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE platform = ? AND chat = ?", arguments: [platform, chat])
                .map(Self.ticket)
            {
                let reopened = ticket.state == .closed
                // The customer's profile as the platform gives it now; a closed ticket opens again.
                try db.run(
                    sql: """
                        UPDATE ticket SET customer_id = ?, name = ?, handle = ?, language = ?, last_message = ?, connection = ?, updated_at = ?,
                            state = CASE state WHEN 'closed' THEN 'open' ELSE state END,
                            opened_at = CASE state WHEN 'closed' THEN ? ELSE opened_at END,
                            first_response_at = CASE state WHEN 'closed' THEN NULL ELSE first_response_at END,
                            claimed_by = CASE state WHEN 'closed' THEN NULL ELSE claimed_by END,
                            closed_at = CASE state WHEN 'closed' THEN NULL ELSE closed_at END
                        WHERE number = ?
                        """,
                    arguments: [customer.id, customer.name, customer.handle, customer.language, message, connection, stored, stored, ticket.number]
                )
                ticket = try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE number = ?", arguments: [ticket.number]).map(Self.ticket) ?? ticket
                return TicketOpening(ticket: ticket, opened: reopened, isNew: false)
            }
            let number = max(try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM ticket") ?? 0, Ticket.firstNumber - 1) + 1
            try db.run(
                sql: """
                    INSERT INTO ticket (number, platform, chat, customer_id, name, handle, language, state, opened_at, last_message, connection, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
                    """,
                arguments: [
                    number, platform, chat, customer.id, customer.name, customer.handle, customer.language, stored, message, connection, stored,
                ]
            )
            let ticket = Ticket(
                number: number,
                platform: platform,
                chat: chat,
                customerID: customer.id,
                name: customer.name,
                handle: customer.handle,
                language: customer.language,
                openedAt: time,
                lastMessage: message,
                connection: connection
            )
            return TicketOpening(ticket: ticket, opened: true, isNew: true)
        }
    }

    public func ticket(_ number: Int64) async throws -> Ticket? {
        try await store.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE number = ?", arguments: [number]).map(Self.ticket)
        }
    }

    public func tickets(in state: Ticket.State?, limit: Int) async throws -> [Ticket] {
        try await store.read { db in
            if let state {
                return try SQLRow.fetchAll(
                    db,
                    sql: "SELECT * FROM ticket WHERE state = ? ORDER BY opened_at, number LIMIT ?",
                    arguments: [state.rawValue, limit]
                ).map(Self.ticket)
            }
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM ticket ORDER BY opened_at, number LIMIT ?", arguments: [limit]).map(Self.ticket)
        }
    }

    public func openTicketCount() async throws -> Int {
        try await store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ticket WHERE state IN ('open', 'claimed')") ?? 0
        }
    }

    public func answered(_ number: Int64, at time: Date) async throws {
        try await store.write { db in
            try db.run(
                sql: "UPDATE ticket SET first_response_at = COALESCE(first_response_at, ?), updated_at = ? WHERE number = ?",
                arguments: [StoredDate(time), StoredDate(time), number]
            )
        }
    }

    public func move(_ number: Int64, to state: Ticket.State, by person: String, at time: Date) async throws -> Ticket? {
        try await store.write { db in
            let stored = StoredDate(time)
            switch state {
            case .claimed:
                try db.run(
                    sql: "UPDATE ticket SET state = 'claimed', claimed_by = ?, updated_at = ? WHERE number = ? AND state != 'closed'",
                    arguments: [person, stored, number]
                )
            case .closed:
                try db.run(
                    sql: "UPDATE ticket SET state = 'closed', closed_at = ?, taken_by = NULL, updated_at = ? WHERE number = ?",
                    arguments: [stored, stored, number]
                )
            case .open:
                try db.run(
                    sql: "UPDATE ticket SET state = 'open', claimed_by = NULL, closed_at = NULL, updated_at = ? WHERE number = ?",
                    arguments: [stored, number]
                )
            }
            return try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE number = ?", arguments: [number]).map(Self.ticket)
        }
    }

    public func conversation(of ticket: Int64) async throws -> [TicketEntry] {
        try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT a.leaf AS leaf, c.received AS received, c.decided AS decided
                    FROM audit_record a LEFT JOIN content c ON c.record = a.sequence
                    WHERE a.ticket = ? ORDER BY a.sequence
                    """,
                arguments: [ticket]
            ).map { row in
                TicketEntry(record: try AuditRecord.decode(leaf: row["leaf"]), received: row["received"], decided: row["decided"])
            }
        }
    }

    public func take(_ number: Int64, by staff: String, name: String, at time: Date) async throws -> Ticket? {
        try await store.write { db in
            // One ticket at a time: what the staff member took before is given back.
            try db.run(sql: "UPDATE ticket SET taken_by = NULL WHERE taken_by = ?", arguments: [staff])
            try db.run(
                sql: "UPDATE ticket SET taken_by = ?, state = 'claimed', claimed_by = ?, updated_at = ? WHERE number = ? AND state != 'closed'",
                arguments: [staff, name, StoredDate(time), number]
            )
            return try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE number = ? AND taken_by = ?", arguments: [number, staff]).map(Self.ticket)
        }
    }

    public func release(by staff: String, at time: Date) async throws -> Ticket? {
        try await store.write { db in
            let taken = try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE taken_by = ?", arguments: [staff]).map(Self.ticket)
            try db.run(sql: "UPDATE ticket SET taken_by = NULL, updated_at = ? WHERE taken_by = ?", arguments: [StoredDate(time), staff])
            return taken
        }
    }

    public func taken(by staff: String) async throws -> Ticket? {
        try await store.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT * FROM ticket WHERE taken_by = ? AND state != 'closed'", arguments: [staff]).map(Self.ticket)
        }
    }

    static func ticket(_ row: SQLRow) throws -> Ticket {
        guard let state = Ticket.State(rawValue: row["state"]) else { throw LedgerError.corrupt("ticket state \(row["state"] as String)") }
        return Ticket(
            number: row["number"],
            platform: row["platform"],
            chat: row["chat"],
            customerID: row["customer_id"],
            name: row["name"],
            handle: row["handle"],
            language: row["language"],
            state: state,
            claimedBy: row["claimed_by"],
            takenBy: row["taken_by"],
            openedAt: row["opened_at"],
            firstResponseAt: row["first_response_at"],
            closedAt: row["closed_at"],
            lastMessage: row["last_message"],
            connection: row["connection"]
        )
    }
}

/// A customer's ticket, and whether this message opened it: a new ticket (`isNew`), or a
/// closed one again.
public struct TicketOpening: Sendable, Hashable {
    public var ticket: Ticket
    public var opened: Bool
    public var isNew: Bool

    public init(ticket: Ticket, opened: Bool, isNew: Bool) {
        self.ticket = ticket
        self.opened = opened
        self.isNew = isNew
    }
}

/// One crossing of a ticket's conversation, with its bodies (nil once retention erased them).
public struct TicketEntry: Sendable, Hashable {
    public var record: AuditRecord
    public var received: String?
    public var decided: String?

    public init(record: AuditRecord, received: String?, decided: String?) {
        self.record = record
        self.received = received
        self.decided = decided
    }
}
