/// What a person signed in to the web console may do. Each role includes the ones before it.
public enum ConsoleRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Sees the pages (the traffic, the holds, the audit log, the config, the reports), and
    /// exports the audit log (each export audited).
    case viewer
    /// Also decides holds, of the routes whose `reviewers:` admit them (the route's rules decide,
    /// as for a review card).
    case reviewer
    /// Also acts on the outbox (retries and discards dead letters, cancels scheduled
    /// announcements).
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .reviewer: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
