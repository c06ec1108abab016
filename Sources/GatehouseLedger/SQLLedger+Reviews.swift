import Foundation
import GatehouseCore

/// The review role (``ReviewLedger``) on SQLite: the `review` and `review_vote` tables, each
/// change in one transaction with its audit record.
extension SQLLedger {
    public func unopenedHolds(limit: Int) async throws -> [OutboxJob] {
        try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT outbox.* FROM outbox LEFT JOIN review ON review.job = outbox.id
                    WHERE outbox.state = \(OutboxJob.State.held.sql) AND (review.job IS NULL OR review.opened = 0)
                    ORDER BY outbox.id LIMIT ?
                    """,
                arguments: [limit]
            ).map(Self.job)
        }
    }

    public func openReview(
        _ job: OutboxJob,
        card: String?,
        to recipients: [String],
        needed: Int,
        deadline: Date?,
        audited: Bool,
        at time: Date
    ) async throws -> AuditRecord? {
        try await store.write { db in
            guard try Self.isHeld(job.id, in: db) else { return nil }
            // A row a decision made before (not opened) is opened now; its votes stand, and so
            // does a stricter count it was made with.
            try db.run(
                sql: """
                    INSERT INTO review (job, card, route, needed, deadline, recipients, opened_at, opened)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                    ON CONFLICT (job) DO UPDATE SET card = excluded.card, deadline = excluded.deadline,
                        recipients = excluded.recipients, needed = \(db.dialect.greatest("review.needed", "excluded.needed")), opened = 1
                    WHERE review.opened = 0 AND review.decided_at IS NULL
                    """,
                arguments: [job.id, card, job.route, needed, deadline.map(StoredDate.init), try Self.json(recipients), StoredDate(time)]
            )
            guard db.changesCount == 1, audited else { return nil }
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .reviewOpened,
                    route: job.route,
                    destination: job.destination,
                    crossing: job.crossing,
                    review: .init(card: card, to: recipients, needed: needed, deadline: deadline)
                ),
                in: db
            )
        }
    }

    public func cardDelivered(job: Int64) async throws {
        try await store.write { db in
            try db.run(sql: "UPDATE review SET delivered = 1 WHERE job = ?", arguments: [job])
        }
    }

    public func openReviews(after job: Int64, limit: Int) async throws -> [HoldReview] {
        try await reviews(
            where: "review.job > ? AND review.decided_at IS NULL AND outbox.state = \(OutboxJob.State.held.sql)",
            arguments: [job],
            order: "review.job",
            limit: limit
        )
    }

    public func review(job: Int64) async throws -> HoldReview? {
        try await reviews(where: "review.job = ?", arguments: [job], order: "review.job", limit: 1).first
    }

    public func review(card: String) async throws -> HoldReview? {
        try await reviews(where: "review.card = ? OR review.first_card = ?", arguments: [card, card], order: "review.job", limit: 1).first
    }

    public func decidedHolds(limit: Int) async throws -> [HoldReview] {
        try await reviews(where: "review.decided_at IS NOT NULL", order: "review.decided_at DESC, review.job DESC", limit: limit)
    }

    public func vote(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        approve: Bool,
        reason: String,
        needed: Int,
        at time: Date
    ) async throws
        -> Vote.Outcome
    {
        try await store.write { db in
            guard try Self.isHeld(job.id, in: db) else { return .notHeld }
            // A decision may come before the review was opened (from the CLI, a moment after the hold).
            try db.run(
                sql: "INSERT INTO review (job, route, needed, recipients, opened_at, opened) VALUES (?, ?, ?, '[]', ?, 0) ON CONFLICT DO NOTHING",
                arguments: [job.id, job.route, needed, StoredDate(time)]
            )
            // Past its deadline it is being rejected or escalated: too late to count.
            if let deadline = try Date.fetchOne(db, sql: "SELECT deadline FROM review WHERE job = ?", arguments: [job.id]), deadline <= time {
                return .pastDeadline
            }
            let person = Vote.person(reviewer)
            if let earlier = try Bool.fetchOne(
                db,
                sql: "SELECT approve FROM review_vote WHERE job = ? AND person = ?",
                arguments: [job.id, person]
            ) {
                return .alreadyDecided(approve: earlier)
            }
            try db.run(
                sql: "INSERT INTO review_vote (job, person, approve, reason, identity, at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [job.id, person, approve, reason, try Self.json(reviewer), StoredDate(time)]
            )
            let card = try String.fetchOne(db, sql: "SELECT card FROM review WHERE job = ?", arguments: [job.id])
            // The rule in force now decides how many are needed; an earlier, stricter one still stands.
            let stored = try Int.fetchOne(db, sql: "SELECT needed FROM review WHERE job = ?", arguments: [job.id]) ?? needed
            let required = max(stored, needed)
            let approvals = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review_vote WHERE job = ? AND approve = 1", arguments: [job.id]) ?? 0
            var record = AuditRecord(
                sequence: 0,
                time: time,
                kind: .holdVote,
                route: job.route,
                destination: job.destination,
                crossing: job.crossing,
                reason: reason,
                approver: reviewer.display,
                reviewer: reviewer,
                review: .init(card: card, needed: required, approvals: approvals)
            )
            if !approve {
                record.kind = .holdRejected
                try Self.settleHold(
                    job,
                    approve: false,
                    note: "hold rejected by \(reviewer.display): \(reason)",
                    outcome: "rejected",
                    at: time,
                    in: db
                )
                return .rejected(try Self.append(record, in: db))
            }
            guard approvals >= required else {
                return .counted(try Self.append(record, in: db), approvals: approvals, needed: required)
            }
            record.kind = .holdApproved
            try Self.settleHold(job, approve: true, note: "", outcome: "approved", at: time, in: db)
            return .approved(try Self.append(record, in: db))
        }
    }

    public func refuseDecision(
        _ job: OutboxJob,
        by reviewer: ReviewerIdentity,
        because why: String,
        card: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        try await store.write { db in
            try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .decisionRefused,
                    route: job.route,
                    destination: job.destination,
                    crossing: job.crossing,
                    reason: why,
                    approver: reviewer.display,
                    reviewer: reviewer,
                    review: card.map { .init(card: $0) }
                ),
                in: db
            )
        }
    }

    public func expire(_ review: HoldReview, at time: Date) async throws -> AuditRecord? {
        try await store.write { db in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [review.job]) else { return nil }
            let job = try Self.job(row)
            guard job.state == .held else { return nil }
            let why = "no decision within the route's hold_timeout"
            try Self.settleHold(job, approve: false, note: "hold expired: \(why)", outcome: "expired", at: time, in: db)
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .holdExpired,
                    route: job.route,
                    destination: job.destination,
                    crossing: job.crossing,
                    reason: why,
                    review: .init(card: review.card, needed: review.needed, approvals: review.approvals, deadline: review.deadline)
                ),
                in: db
            )
        }
    }

    public func escalate(
        _ review: HoldReview,
        card: String?,
        to recipients: [String],
        deadline: Date,
        at time: Date
    ) async throws
        -> AuditRecord?
    {
        try await store.write { db in
            guard try Self.isHeld(review.job, in: db) else { return nil }
            try db.run(
                sql: """
                    UPDATE review SET escalated = 1, reminded = 0, delivered = 0, first_card = card, card = ?, deadline = ?, recipients = ?
                    WHERE job = ? AND escalated = 0
                    """,
                arguments: [card, StoredDate(deadline), try Self.json(recipients), review.job]
            )
            guard db.changesCount == 1 else { return nil }
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .holdEscalated,
                    route: review.route,
                    destination: review.destination,
                    crossing: review.crossing,
                    reason: "no decision within the route's hold_timeout; handed to escalate_to",
                    review: .init(card: card, to: recipients, needed: review.needed, approvals: review.approvals, deadline: deadline)
                ),
                in: db
            )
        }
    }

    public func remind(_ review: HoldReview, at time: Date) async throws -> AuditRecord? {
        try await store.write { db in
            guard try Self.isHeld(review.job, in: db) else { return nil }
            try db.run(sql: "UPDATE review SET reminded = 1 WHERE job = ? AND reminded = 0", arguments: [review.job])
            guard db.changesCount == 1 else { return nil }
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .holdReminded,
                    route: review.route,
                    destination: review.destination,
                    crossing: review.crossing,
                    review: .init(card: review.card, needed: review.needed, approvals: review.approvals, deadline: review.deadline)
                ),
                in: db
            )
        }
    }

    public func claimNonce(platform: String, nonce: String, at time: Date) async throws -> Bool {
        try await store.write { db in
            // The dedup table, as push nonces are kept: pruned by age with the rest.
            try db.run(
                sql: "INSERT INTO inbound (platform, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [platform, "nonce:" + nonce, StoredDate(time)]
            )
            return db.changesCount == 1
        }
    }

    // MARK: Reading

    private func reviews(where condition: String, arguments: SQLArguments = [], order: String, limit: Int) async throws -> [HoldReview] {
        try await store.read { db in
            let rows = try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT review.*, outbox.crossing, outbox.destination, COALESCE(outbox.decided_at, outbox.created_at) AS held_since
                    FROM review JOIN outbox ON outbox.id = review.job
                    WHERE \(condition) ORDER BY \(order) LIMIT ?
                    """,
                arguments: arguments.appending(limit)
            )
            return try rows.map { row in
                let job: Int64 = row["job"]
                let votes = try SQLRow.fetchAll(db, sql: "SELECT * FROM review_vote WHERE job = ? ORDER BY at, person", arguments: [job]).map {
                    vote in
                    Vote(
                        reviewer: try JSONDecoder().decode(ReviewerIdentity.self, from: Data((vote["identity"] as String).utf8)),
                        approve: vote["approve"],
                        reason: vote["reason"],
                        time: vote["at"]
                    )
                }
                return HoldReview(
                    job: job,
                    crossing: row["crossing"],
                    route: row["route"],
                    destination: row["destination"],
                    card: row["card"],
                    firstCard: row["first_card"],
                    needed: row["needed"],
                    deadline: row["deadline"],
                    escalated: row["escalated"],
                    reminded: row["reminded"],
                    delivered: row["delivered"],
                    recipients: try JSONDecoder().decode([String].self, from: Data((row["recipients"] as String).utf8)),
                    heldSince: row["held_since"],
                    openedAt: row["opened_at"],
                    decidedAt: row["decided_at"],
                    outcome: row["outcome"],
                    votes: votes
                )
            }
        }
    }

    private static func isHeld(_ job: Int64, in db: any SQLSession) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE id = ?", arguments: [job]) == OutboxJob.State.held.rawValue
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
