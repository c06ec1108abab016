/// Which deliveries go first when the platform's limits cannot take every send at once: a
/// customer's reply (`interactive`) is not queued behind hundreds of copies of an announcement
/// (`bulk`).
///
/// The dispatcher gives each delivery its route's `priority` (``OutboundMessage/priority``, and a
/// parameter of delete and withdraw); adapters that pace their sends (Telegram's per-chat,
/// per-group and per-bot limits) order the sends that wait for a turn by it. Within one priority,
/// sends take turns in the order they asked.
public enum DeliveryPriority: String, Sendable, Hashable, CaseIterable {
    /// Conversations: served before any bulk send that waits.
    case interactive
    /// Fan-out (announcements, many destinations): takes the turns interactive sends leave.
    case bulk

    /// Lower goes first.
    public var rank: Int {
        switch self {
        case .interactive: 0
        case .bulk: 1
        }
    }
}
