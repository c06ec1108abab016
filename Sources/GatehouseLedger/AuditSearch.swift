import Foundation
import GatehouseCore

/// What the console's audit search asks for: every condition given must hold. The time, route,
/// verdict, kind and ticket are conditions of the database's (indexed where it matters); the
/// channel, check, sender and text are judged on each record read.
public struct AuditSearch: Sendable, Hashable {
    /// Records at or after this time, and before that one.
    public var since: Date?
    public var until: Date?
    public var route: String?
    public var verdict: Verdict?
    public var kind: AuditRecord.Kind?
    /// A channel name, as source or destination.
    public var channel: String?
    /// A check that found something in a crossing.
    public var check: String?
    /// The sender's id at their platform.
    public var sender: String?
    public var ticket: Int64?
    /// Words in the content still kept (as received or as decided), in any case.
    public var text: String?

    public init() {}

    /// Whether a row may match, judged on its bytes: the sender's id appears in the leaf as its
    /// `sender_id` member (`senderMember`, ``LeafEncoder/member(_:_:)``), and the text in a body
    /// as stored (case aside). A cheap necessary condition:
    /// ``matches(_:)`` decides.
    func mightMatch(_ row: SQLRow, senderMember: Data?) -> Bool {
        if let senderMember {
            let leaf: Data = row["leaf"]
            if leaf.range(of: senderMember) == nil { return false }
        }
        if let text, !Self.contains(text, in: [row["received"], row["decided"]]) { return false }
        return true
    }

    /// Whether any of the bodies holds `text`, case and accents aside.
    static func contains(_ text: String, in bodies: [String?]) -> Bool {
        bodies.contains { body in body.map { $0.range(of: text, options: [.caseInsensitive, .diacriticInsensitive]) != nil } ?? false }
    }

    func matches(_ stored: StoredRecord) -> Bool {
        let record = stored.record
        if let channel, record.destination != channel, record.origin?.channel != channel { return false }
        if let check, !(record.findings ?? []).contains(where: { $0.check == check }) { return false }
        if let sender, record.origin?.senderID != sender { return false }
        if let text, !Self.contains(text, in: [stored.received, stored.decided]) { return false }
        return true
    }
}

/// A page of the audit search's answer.
public struct AuditPage: Sendable {
    /// The records found, newest first.
    public var records: [StoredRecord]
    /// Where the search goes on: the records before this sequence were not looked at yet (nil:
    /// the search reached the log's first record).
    public var next: Int64?
    /// How many records were looked at for this page.
    public var scanned: Int
}

extension LedgerReader {
    /// The records matching `search`, newest first, from before `sequence` (nil: from the newest):
    /// at most `limit` of them, looking at no more than `scan` records, so that a page answers in
    /// bounded time however large the log and however rare the match; ``AuditPage/next`` says
    /// where to go on. Read in one snapshot.
    /// With a `budget`, the page also ends once that long has been spent looking (after the
    /// chunk in hand): a page answers in bounded time whatever each record costs to judge.
    public func search(
        _ search: AuditSearch,
        before sequence: Int64?,
        limit: Int = 50,
        scan: Int = 20_000,
        budget: Duration? = nil
    ) async throws -> AuditPage {
        try await store.read { db in
            let started = ContinuousClock.now
            let (sql, conditions) = Self.searchSQL(search)
            let senderMember = search.sender.map { LeafEncoder.member("sender_id", $0) }
            var found: [StoredRecord] = []
            var scanned = 0
            var below = sequence ?? Int64.max
            // A time range's records lie between the first and the last sequence of the range, as
            // the time index finds them: the scan starts at the one and stops at the other. (A
            // kind's records are found through their own index; finding the bounds would cost more.)
            var floor: Int64 = 0
            let (range, bounds) = Self.timeConditions(search, column: "time")
            if !range.isEmpty, search.kind == nil {
                guard
                    let row = try SQLRow.fetchOne(
                        db,
                        sql: "SELECT MIN(sequence) AS first, MAX(sequence) AS last FROM audit_record WHERE \(range.joined(separator: " AND "))",
                        arguments: SQLArguments(bounds)
                    ), let first = row["first"] as Int64?, let last = row["last"] as Int64?
                else { return AuditPage(records: [], next: nil, scanned: 0) }
                below = min(below, last + 1)
                floor = first
            }
            while found.count < limit, scanned < scan, below > floor {
                let chunk = min(budget == nil ? 1000 : 250, scan - scanned)
                let rows = try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments([below, floor] + conditions + [Int64(chunk)]))
                guard let last = rows.last else { return AuditPage(records: found, next: nil, scanned: scanned) }
                for row in rows {
                    scanned += 1
                    below = row["sequence"]
                    // Most records fail a sender's or a text's search on bytes alone, without
                    // decoding the record.
                    guard search.mightMatch(row, senderMember: senderMember) else { continue }
                    let stored = try StoredRecord(row)
                    if search.matches(stored) {
                        found.append(stored)
                        if found.count == limit { break }
                    }
                }
                if rows.count < chunk, below == last["sequence"], found.count < limit {
                    return AuditPage(records: found, next: nil, scanned: scanned)
                }
                // At least one chunk, however short the budget.
                if let budget, ContinuousClock.now - started > budget { break }
            }
            return AuditPage(records: found, next: below > max(1, floor) ? below : nil, scanned: scanned)
        }
    }

    /// The search's time range as conditions on `column`, with their arguments (none without one).
    static func timeConditions(_ search: AuditSearch, column: String) -> (conditions: [String], arguments: [(any SQLBindable)?]) {
        var conditions: [String] = []
        var arguments: [(any SQLBindable)?] = []
        if let since = search.since {
            conditions.append("\(column) >= ?")
            arguments.append(StoredDate(since))
        }
        if let until = search.until {
            conditions.append("\(column) < ?")
            arguments.append(StoredDate(until))
        }
        return (conditions, arguments)
    }

    /// The search's statement, with the arguments of its conditions (the sequence bounds come
    /// first, below and from, the chunk's size last).
    static func searchSQL(_ search: AuditSearch) -> (sql: String, arguments: [(any SQLBindable)?]) {
        var (conditions, arguments) = timeConditions(search, column: "a.time")
        conditions.insert(contentsOf: ["a.sequence < ?", "a.sequence >= ?"], at: 0)
        if let route = search.route {
            conditions.append("a.route = ?")
            arguments.append(route)
        }
        if let verdict = search.verdict {
            conditions.append("a.verdict = ?")
            arguments.append(verdict.rawValue)
        }
        if let kind = search.kind {
            conditions.append("a.kind = ?")
            arguments.append(kind.rawValue)
        }
        if let ticket = search.ticket {
            conditions.append("a.ticket = ?")
            arguments.append(ticket)
        }
        let sql = """
            SELECT a.sequence, a.leaf, c.received, c.decided, c.received_payload, c.decided_payload
            FROM audit_record a LEFT JOIN content c ON c.record = a.sequence
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY a.sequence DESC LIMIT ?
            """
        return (sql, arguments)
    }

    /// One record with its content (nil when it does not exist), and the oldest checkpoint that
    /// covers it, if one does yet (its size and when it was signed).
    public func record(_ sequence: Int64) async throws -> (stored: StoredRecord, checkpoint: (size: Int64, signed: Date)?)? {
        try await store.read { db in
            guard
                let row = try SQLRow.fetchOne(
                    db,
                    sql: """
                        SELECT a.leaf, c.received, c.decided, c.received_payload, c.decided_payload
                        FROM audit_record a LEFT JOIN content c ON c.record = a.sequence WHERE a.sequence = ?
                        """,
                    arguments: [sequence]
                )
            else { return nil }
            let stored = try StoredRecord(row)
            let checkpoint = try SQLRow.fetchOne(
                db,
                sql: "SELECT size, created_at FROM checkpoint WHERE size >= ? ORDER BY size LIMIT 1",
                arguments: [sequence]
            ).map { (size: $0["size"] as Int64, signed: $0["created_at"] as Date) }
            return (stored, checkpoint)
        }
    }

    /// A record's proof against the newest checkpoint covering it (``proof(of:)``), read without
    /// holding up the caller's thread.
    public func proofAsync(of sequence: Int64) async throws -> String {
        try await store.read { db in try Self.proof(of: sequence, in: db) }
    }
}

extension StoredRecord {
    /// A record as read with its content: the columns `leaf`, `received`, `decided`,
    /// `received_payload` and `decided_payload`.
    init(_ row: SQLRow) throws {
        let leaf: Data = row["leaf"]
        self.init(
            leaf: leaf,
            record: try AuditRecord.decode(leaf: leaf),
            received: row["received"],
            decided: row["decided"],
            receivedPayload: row["received_payload"],
            decidedPayload: row["decided_payload"]
        )
    }
}
