/// The queue states as the outbox table spells them: the one place SQL names a state (the
/// schema's migrations keep theirs as they were written).
extension OutboxJob.State {
    /// The states a destination's queue sends from, in the order of its jobs.
    static let sendable: [Self] = [.pending, .inflight, .deferred]
    /// The states a job is in before it is done with: queued, held or scheduled.
    static let open: [Self] = [.pending, .inflight, .deferred, .held, .scheduled]

    /// The state as an SQL literal: `'pending'`.
    var sql: String { "'\(rawValue)'" }
}

extension Array where Element == OutboxJob.State {
    /// The states as an SQL list, for `state IN (…)`: `'pending', 'inflight'`.
    var sql: String { map(\.sql).joined(separator: ", ") }
}
