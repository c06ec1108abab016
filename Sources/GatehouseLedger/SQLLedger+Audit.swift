import Foundation
import GatehouseCore

/// The audit role (``AuditLedger``): records that are not crossings or deliveries, checkpoints
/// aside (SQLLedger+Checkpoints.swift), and the erasure of content past its retention.
extension SQLLedger {
    public func recordRefusals(platform: String, _ refusals: Refusals, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            try Self.append(AuditRecord(sequence: 0, time: time, kind: .pushesRefused, platform: platform, refusals: refusals), in: db)
        }
    }

    public func recordIgnored(platform: String, _ ignored: Refusals, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            try Self.append(AuditRecord(sequence: 0, time: time, kind: .ignored, platform: platform, ignored: ignored), in: db)
        }
    }

    public func recordCopyRecalled(
        platform: String,
        conversation: String,
        nativeID: String,
        event: String,
        by person: String,
        at time: Date
    ) async throws -> AuditRecord {
        try await store.write { db in
            // Which copy it was: the message map names its destination and crossing.
            let copy = try SQLRow.fetchOne(
                db,
                sql: "SELECT destination, crossing FROM message_map WHERE native_id = ? LIMIT 1",
                arguments: [nativeID]
            )
            return try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .copyRecalled,
                    origin: .init(platform: platform, channel: "", conversation: conversation, messageID: nativeID, eventID: event, senderID: person),
                    destination: copy?["destination"],
                    crossing: copy?["crossing"],
                    nativeIDs: [nativeID],
                    approver: person.isEmpty ? nil : "\(platform):\(person)",
                    platform: platform
                ),
                in: db
            )
        }
    }

    public func recordConfigRefused(
        problems: [String],
        serving revision: String,
        by actor: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        // Bounded, whatever the file holds: the first problems, each cut short.
        let listed = problems.prefix(AuditRecord.refusedProblemLimit).map { String($0.prefix(300)) }
        let more = problems.count > listed.count ? ["and \(problems.count - listed.count) more"] : []
        return try await store.write { db in
            try Self.append(
                AuditRecord(
                    sequence: 0,
                    time: time,
                    kind: .configRefused,
                    configRevision: revision,
                    reason: (listed + more).joined(separator: "\n"),
                    approver: actor
                ),
                in: db
            )
        }
    }

    public func recordConfigLoaded(
        revision: String,
        file: String,
        sources: [ConfigSource],
        by actor: String?,
        at time: Date
    ) async throws
        -> AuditRecord
    {
        let text = sources.isEmpty ? nil : String(decoding: try JSONEncoder().encode(sources), as: UTF8.self)
        return try await store.write { db in
            if let text {
                // Once per revision: the files are the same every time it is loaded.
                try db.run(
                    sql: "INSERT INTO config_source (revision, sources, first_loaded) VALUES (?, ?, ?) ON CONFLICT (revision) DO NOTHING",
                    arguments: [revision, text, StoredDate(time)]
                )
            }
            return try Self.append(
                AuditRecord(sequence: 0, time: time, kind: .configLoaded, configRevision: revision, reason: file, approver: actor),
                in: db
            )
        }
    }

    public func recordConsoleAccess(_ what: String, by who: ReviewerIdentity?, at time: Date) async throws -> AuditRecord {
        try await store.write { db in
            try Self.append(
                AuditRecord(sequence: 0, time: time, kind: .consoleAccess, reason: what, approver: who?.display, reviewer: who),
                in: db
            )
        }
    }

    public func eraseContent(before cutoff: Date, reason: String, at time: Date, limit: Int) async throws -> [AuditRecord] {
        let erased = try await store.write { db in
            // A body still owed to a destination stays until its job ends: the job carries it.
            let expired = try Int64.fetchAll(
                db,
                sql: """
                    SELECT c.record FROM content c JOIN audit_record a ON a.sequence = c.record
                    WHERE a.time < ? AND NOT EXISTS (
                        SELECT 1 FROM outbox o WHERE o.crossing = c.record AND o.state IN (\(OutboxJob.State.open.sql)))
                    ORDER BY c.record LIMIT ?
                    """,
                arguments: [StoredDate(cutoff), limit]
            )
            return try expired.map { crossing in
                try db.run(sql: "DELETE FROM content WHERE record = ?", arguments: [crossing])
                // The finished jobs' copy of the text is the same body as sent.
                try db.run(sql: "UPDATE outbox SET text = '', payload = NULL WHERE crossing = ?", arguments: [crossing])
                return try Self.append(AuditRecord(sequence: 0, time: time, kind: .contentErased, crossing: crossing, reason: reason), in: db)
            }
        }
        // secure_delete zeroed the pages, but their old images are still in the WAL until a
        // checkpoint copies the new ones over and the log is truncated.
        if !erased.isEmpty { try await store.compact() }
        return erased
    }
}
