import Foundation

/// Which instance is active on a shared PostgreSQL ledger: a lease with a fencing token, kept in
/// the ledger's own database and timed by the database's clock, so that no two machines' clocks
/// need agree.
///
/// The active instance renews it well before it runs out. A standby takes it once it has run out,
/// with the next token. Every write transaction of the holder first checks, under a share lock it
/// keeps until it commits, that the lease is still its own and unexpired (``check(_:)``): a
/// takeover waits for the writes in flight to end, and an instance that lost the lease — paused,
/// cut off, slow — writes nothing more.
public final class LedgerLease: Sendable {
    /// The lease as one instance holds it.
    public struct Held: Sendable, Hashable {
        public let token: Int64
    }

    /// Who holds the lease now, as a standby sees it.
    public struct Holder: Sendable, Hashable {
        public let holder: String
        public let token: Int64
        /// Whether it has run out (by the database's clock).
        public let expired: Bool
        /// How long until it runs out, by the database's clock (zero once it has).
        public let remaining: Duration
    }

    private let store: PostgresStore
    /// This instance's name in the lease (host and process).
    public let holder: String
    public let duration: Duration

    public init(store: PostgresStore, holder: String, duration: Duration) {
        self.store = store
        self.holder = holder
        self.duration = duration
    }

    /// The name an instance holds the lease under: its host and process, unique among the
    /// instances alive at once.
    public static func instanceName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    private var seconds: Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

    /// Takes the lease when it is free or has run out; the token it is held with, or nil when
    /// another instance holds it. Waits at most a second for the holder's writes in flight.
    public func acquire() async throws -> Held? {
        let holder = holder
        let seconds = seconds
        return try await store.writeUnfenced { db in
            try db.run(sql: "SET LOCAL lock_timeout = '1s'")
            let token = try Int64.fetchOne(
                db,
                sql: """
                    INSERT INTO lease (name, holder, token, expires_at, acquired_at)
                    VALUES ('active', ?, 1, now() + make_interval(secs => ?), now())
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = lease.token + 1,
                        expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
                    WHERE lease.expires_at <= now()
                    RETURNING token
                    """,
                arguments: [holder, seconds]
            )
            return token.map(Held.init)
        }
    }

    /// Extends the lease by its duration from now; false when it is no longer this instance's
    /// (run out and taken, or run out: an expired lease is not revived, a standby may be taking it).
    public func renew(_ held: Held) async throws -> Bool {
        let holder = holder
        let seconds = seconds
        return try await store.writeUnfenced { db in
            try db.run(
                sql: """
                    UPDATE lease SET expires_at = now() + make_interval(secs => ?)
                    WHERE name = 'active' AND holder = ? AND token = ? AND expires_at > now()
                    """,
                arguments: [seconds, holder, held.token]
            )
            return db.changesCount == 1
        }
    }

    /// Gives the lease up at once (a clean stop), so that a standby need not wait for it to run out.
    public func release(_ held: Held) async throws {
        let holder = holder
        try await store.writeUnfenced { db in
            try db.run(
                sql: "UPDATE lease SET expires_at = now() WHERE name = 'active' AND holder = ? AND token = ?",
                arguments: [holder, held.token]
            )
        }
    }

    /// Who holds the lease now, if anyone ever did.
    public func current() async throws -> Holder? {
        try await store.read { db in
            try SQLRow.fetchOne(
                db,
                sql: """
                    SELECT holder, token, expires_at <= now() AS expired,
                        GREATEST(EXTRACT(EPOCH FROM expires_at - now()), 0)::float8 AS remaining
                    FROM lease WHERE name = 'active'
                    """
            ).map {
                Holder(holder: $0["holder"], token: $0["token"], expired: $0["expired"], remaining: .seconds($0["remaining"] as Double))
            }
        }
    }

    /// The check every write transaction of the holder starts with.
    public func check(_ held: Held) -> @Sendable (any SQLSession) throws -> Void {
        let holder = holder
        return { db in
            let rows = try SQLRow.fetchAll(
                db,
                sql: "SELECT token FROM lease WHERE name = 'active' AND holder = ? AND token = ? AND expires_at > now() FOR SHARE",
                arguments: [holder, held.token]
            )
            guard !rows.isEmpty else {
                throw LedgerError.notLeader("this instance's lease (token \(held.token)) has run out or was taken over; it may not write")
            }
        }
    }

    /// Makes every write of `store` check the lease as `held`.
    public func fence(_ held: Held) {
        store.fence(check(held))
    }
}
