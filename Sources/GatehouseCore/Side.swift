/// Which side of the boundary a platform is on.
public enum Side: String, Sendable, Hashable, Codable, CaseIterable {
    /// The organisation's own workspace (DingTalk).
    case `internal`
    /// The outside world (Telegram).
    case external
}

/// The direction of a crossing, which follows from the sides of its source and destination.
public enum Direction: String, Sendable, Hashable, Codable {
    /// internal → external: what leaves the company.
    case outbound
    /// external → internal: what enters the company.
    case inbound
    /// Both ends on the same side.
    case lateral

    public init(from source: Side, to destination: Side) {
        switch (source, destination) {
        case (.internal, .external): self = .outbound
        case (.external, .internal): self = .inbound
        default: self = .lateral
        }
    }
}
