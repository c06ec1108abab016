/// The decision for one envelope on one route to one destination.
///
/// Ordered by precedence: when several checks fire, the greatest verdict wins
/// (block > hold > redact > forward).
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Send as rendered.
    case forward
    /// Send with every finding masked.
    case redact
    /// Quarantine until a person approves or rejects.
    case hold
    /// Never send.
    case block

    private var precedence: Int {
        switch self {
        case .forward: 0
        case .redact: 1
        case .hold: 2
        case .block: 3
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool {
        lhs.precedence < rhs.precedence
    }

    /// Whether a crossing with this verdict is queued for delivery now.
    public var delivers: Bool {
        self == .forward || self == .redact
    }
}
