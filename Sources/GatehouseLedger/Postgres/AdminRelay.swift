import Foundation

/// Admin requests handed from a standby to the active instance through the shared database: a
/// standby's admin socket takes a request (who asks, as its kernel names them), stores it, and
/// waits for the answer; the active instance answers it as if it had come to its own socket, in
/// the caller's name. Only the active instance can answer (its answers are fenced writes).
public struct AdminRelay: Sendable {
    /// A request as the standby took it.
    public struct Request: Sendable, Hashable {
        public var id: Int64
        public var method: String
        public var path: String
        public var body: Data
        /// The caller, as JSON (a ``GatehouseCore/ReviewerIdentity``).
        public var caller: String
        /// The standby that took it.
        public var origin: String
    }

    /// How long a request waits for its answer; older ones are left unanswered.
    public static let patience: Duration = .seconds(15)

    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    /// Stores a request (no lease needed: standbys write here only); its id.
    public func submit(method: String, path: String, body: Data, caller: String, origin: String) async throws -> Int64 {
        try await store.writeUnfenced { db in
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: "INSERT INTO admin_request (method, path, body, caller, origin) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    arguments: [method, path, body, caller, origin]
                )
            else { throw LedgerError.corrupt("an admin request got no id") }
            return id
        }
    }

    /// The answer to a request, once there is one.
    public func answer(_ id: Int64) async throws -> (status: Int, body: Data)? {
        try await store.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT status, answer FROM admin_request WHERE id = ? AND answered_at IS NOT NULL", arguments: [id])
                .map { ($0["status"], $0["answer"] ?? Data()) }
        }
    }

    /// Waits for the answer, checking every `interval`, for at most ``patience``.
    public func waitForAnswer(_ id: Int64, interval: Duration = .milliseconds(100)) async throws -> (status: Int, body: Data)? {
        let deadline = ContinuousClock.now + Self.patience
        while ContinuousClock.now < deadline {
            if let answer = try await answer(id) { return answer }
            try await Task.sleep(for: interval)
        }
        return nil
    }

    /// The requests waiting for an answer, oldest first (those past their patience are left).
    public func pending() async throws -> [Request] {
        let seconds = Double(Self.patience.components.seconds)
        return try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT id, method, path, body, caller, origin FROM admin_request
                    WHERE answered_at IS NULL AND created_at > now() - make_interval(secs => ?) ORDER BY id LIMIT 100
                    """,
                arguments: [seconds]
            ).map {
                Request(id: $0["id"], method: $0["method"], path: $0["path"], body: $0["body"], caller: $0["caller"], origin: $0["origin"])
            }
        }
    }

    /// Answers a request (a fenced write: only the lease's holder answers).
    public func respond(_ id: Int64, status: Int, body: Data) async throws {
        try await store.write { db in
            try db.run(
                sql: "UPDATE admin_request SET status = ?, answer = ?, answered_at = now() WHERE id = ? AND answered_at IS NULL",
                arguments: [status, body, id]
            )
        }
    }
}
