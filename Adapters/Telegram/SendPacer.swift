import Foundation
import GatehouseCore
import Synchronization

/// Spaces the bot's sends so that Telegram never has to answer 429: at most `chat` per chat, `group`
/// per group, supergroup or channel, and `bot` overall (the Bot FAQ's broadcasting limits). Each send
/// reserves the earliest slot that keeps every limit, so a burst to one group leaves in order at the
/// group's pace; a 429 that comes anyway pauses that chat, or the whole bot, for exactly the
/// `retry_after` the server named.
///
/// The server counts requests when they arrive, which is somewhere between the moment one was sent
/// and the moment its answer came. So a send, once answered, is counted in the windows at its
/// answer's time: the next send a window admits is then a full window after the server can
/// possibly have counted the one it replaces, however late that one arrived.
final class SendPacer: Sendable {
    typealias Limits = TelegramAdapter.Limits

    /// A reserved slot, to be ``complete(_:at:)``d when its request has been answered.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
        fileprivate let chat: String
        /// How long to wait before sending.
        let wait: Duration
    }

    private struct Slot {
        var id: UInt64
        var time: ContinuousClock.Instant
    }

    private struct State {
        var nextID: UInt64 = 0
        /// The next free slot of each chat.
        var chatNext: [String: ContinuousClock.Instant] = [:]
        /// The slots in each group's current window.
        var groupSlots: [String: [Slot]] = [:]
        var botSlots: [Slot] = []
        /// Until when a chat (or, under "", the whole bot) is paused by a 429.
        var pausedUntil: [String: ContinuousClock.Instant] = [:]
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether a chat id names a group, supergroup or channel (negative ids, @channel names)
    /// rather than a person.
    static func isGroup(_ chat: String) -> Bool {
        chat.hasPrefix("-") || chat.hasPrefix("@")
    }

    /// Reserves the next slot for a send to `chat`.
    func reserve(chat: String, at now: ContinuousClock.Instant = .now) -> Ticket {
        state.withLock { state in
            var slot = max(now, state.chatNext[chat] ?? now, state.pausedUntil[chat] ?? now, state.pausedUntil[""] ?? now)
            let isGroup = Self.isGroup(chat)
            var groupSlots = isGroup ? (state.groupSlots[chat] ?? []).filter { $0.time + limits.group.window > now } : []
            state.botSlots.removeAll { $0.time + limits.bot.window <= now }
            if isGroup, let free = Self.earliest(groupSlots, limits.group) { slot = max(slot, free) }
            if let free = Self.earliest(state.botSlots, limits.bot) { slot = max(slot, free) }
            state.nextID += 1
            let id = state.nextID
            state.chatNext[chat] = slot + limits.chat.interval
            if isGroup {
                groupSlots.append(Slot(id: id, time: slot))
                state.groupSlots[chat] = groupSlots
            }
            state.botSlots.append(Slot(id: id, time: slot))
            return Ticket(id: id, chat: chat, wait: slot - now)
        }
    }

    /// Counts a reserved send at the time its answer came (see the type's discussion).
    func complete(_ ticket: Ticket, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if var slots = state.groupSlots[ticket.chat], let index = slots.firstIndex(where: { $0.id == ticket.id }) {
                slots[index].time = max(slots[index].time, now)
                state.groupSlots[ticket.chat] = slots
            }
            if let index = state.botSlots.firstIndex(where: { $0.id == ticket.id }) {
                state.botSlots[index].time = max(state.botSlots[index].time, now)
            }
        }
    }

    /// Pauses sends to `chat` (nil: the whole bot) for `duration`, as a 429 demands.
    func pause(chat: String?, for duration: Duration, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let key = chat ?? ""
            state.pausedUntil[key] = max(state.pausedUntil[key] ?? now, now + duration)
        }
    }

    /// Pauses for a 429 answered to a send to `chat`. Telegram does not say whether it limited the
    /// chat or the whole bot; when another chat is already waiting out a 429 of its own, it is the
    /// bot: then every chat waits. Returns whether the whole bot was paused.
    @discardableResult
    func rateLimited(chat: String, for duration: Duration, at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            let others = state.pausedUntil.contains { $0.key != chat && $0.key != "" && $0.value > now }
            let key = others ? "" : chat
            state.pausedUntil[key] = max(state.pausedUntil[key] ?? now, now + duration)
            return others
        }
    }

    /// When a window with these slots admits one more: once the `count`-th latest has left it.
    private static func earliest(_ slots: [Slot], _ rate: Rate) -> ContinuousClock.Instant? {
        guard slots.count >= rate.count else { return nil }
        let times = slots.map(\.time).sorted()
        return times[times.count - rate.count] + rate.window
    }
}
