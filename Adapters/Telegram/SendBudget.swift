import GatehouseCore

/// The Bot FAQ's broadcasting limits as bookkeeping: when a send to a chat may go without the
/// server having to answer 429, and what a send spends. At most `chat` per chat, `group` per group
/// or supergroup (not per channel: a channel is paced as any chat), and `bot` overall; a 429 that
/// comes anyway pauses that chat, or the whole bot, for exactly the `retry_after` the server named.
///
/// The server counts requests when they arrive, which is somewhere between the moment one was sent
/// and the moment its answer came. So a send, once answered, is counted in the windows at its
/// answer's time: the next send a window admits is then a full window after the server can
/// possibly have counted the one it replaces, however late that one arrived.
///
/// The bot's sends are also spread evenly, one every `bot.interval` (33 ms at 30 a second), rather
/// than a window's worth at once: the same rate, but a send that must go first (a customer's
/// reply in the middle of a fan-out) never finds the window spent for up to a second.
struct SendBudget: Sendable {
    typealias Limits = TelegramAdapter.Limits

    private struct Slot {
        var id: UInt64
        var time: ContinuousClock.Instant
    }

    let limits: Limits
    /// The next free slot of each chat.
    private var chatNext: [String: ContinuousClock.Instant] = [:]
    /// The slots in each group's current window.
    private var groupSlots: [String: [Slot]] = [:]
    private var botSlots: [Slot] = []
    /// The bot's next free slot, one `bot.interval` after its last send.
    private var botNext: ContinuousClock.Instant?
    /// Until when a chat (or, under "", the whole bot) is paused by a 429.
    private var pausedUntil: [String: ContinuousClock.Instant] = [:]

    init(limits: Limits) {
        self.limits = limits
    }

    /// What a chat is, for its limits: a group or supergroup has the FAQ's 20 a minute on top of
    /// the 1 a second every chat has; a channel and a person do not.
    enum ChatKind: Sendable, Equatable {
        case person, group, channel

        /// From the Bot API's `Chat.type`.
        init(type: String) {
            switch type {
            case "private": self = .person
            case "channel": self = .channel
            default: self = .group
            }
        }
    }

    /// The kinds learnt (from getChat, or the updates seen), by chat id or @username.
    private var kinds: [String: ChatKind] = [:]

    /// The kind learnt for `chat`, if any.
    func kind(of chat: String) -> ChatKind? { kinds[chat] }

    /// Records what `chat` is. A bounded table: past 65,536 chats it starts again (an unknown
    /// chat is only paced cautiously, see ``isGroup(_:)``).
    mutating func learn(_ chat: String, is kind: ChatKind) {
        if kinds.count >= 65_536, kinds[chat] == nil { kinds.removeAll() }
        kinds[chat] = kind
    }

    /// Whether sends to `chat` count in a group's window: what was learnt of it, or, until then,
    /// the cautious guess that every negative id and @name is a group.
    func isGroup(_ chat: String) -> Bool {
        if let kind = kinds[chat] { return kind == .group }
        return Self.mayBeGroup(chat)
    }

    /// Whether a chat id may name a group (negative ids, @names) rather than a person.
    static func mayBeGroup(_ chat: String) -> Bool {
        chat.hasPrefix("-") || chat.hasPrefix("@")
    }

    /// The earliest time a send to `chat` keeps every limit.
    func earliest(_ chat: String, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var time = max(now, chatNext[chat] ?? now, botNext ?? now, pausedUntil[chat] ?? now, pausedUntil[""] ?? now)
        if isGroup(chat), let free = Self.earliest(groupSlots[chat] ?? [], limits.group) { time = max(time, free) }
        if let free = Self.earliest(botSlots, limits.bot) { time = max(time, free) }
        return time
    }

    /// How long the chat's own limits (its pace, its group's window, a 429 it was answered) hold a
    /// send to it back as of `now`, whatever the bot as a whole allows.
    func ownWait(_ chat: String, now: ContinuousClock.Instant) -> Duration {
        var time = max(now, chatNext[chat] ?? now, pausedUntil[chat] ?? now)
        if isGroup(chat), let free = Self.earliest(groupSlots[chat] ?? [], limits.group) { time = max(time, free) }
        return time - now
    }

    /// Spends a send to `chat` at `time` (its ``earliest(_:now:)`` or later), as `id`.
    mutating func spend(_ chat: String, id: UInt64, at time: ContinuousClock.Instant) {
        chatNext[chat] = time + limits.chat.interval
        botNext = max(botNext ?? time, time + limits.bot.interval)
        let groupWindow = limits.group.window
        let botWindow = limits.bot.window
        if isGroup(chat) {
            groupSlots[chat, default: []].removeAll { $0.time + groupWindow <= time }
            groupSlots[chat, default: []].append(Slot(id: id, time: time))
        }
        botSlots.removeAll { $0.time + botWindow <= time }
        botSlots.append(Slot(id: id, time: time))
        // Chats that have been quiet for a while need no entry: keep the maps as small as the traffic.
        if chatNext.count > 4096 { chatNext = chatNext.filter { $0.value > time } }
        if groupSlots.count > 4096 { groupSlots = groupSlots.filter { $0.value.contains { $0.time + groupWindow > time } } }
        if pausedUntil.count > 4096 { pausedUntil = pausedUntil.filter { $0.value > time } }
    }

    /// Counts the send `id` to `chat` at the time its answer came (see the type's discussion).
    mutating func answered(_ chat: String, id: UInt64, at time: ContinuousClock.Instant) {
        if var slots = groupSlots[chat], let index = slots.firstIndex(where: { $0.id == id }) {
            slots[index].time = max(slots[index].time, time)
            groupSlots[chat] = slots
        }
        if let index = botSlots.firstIndex(where: { $0.id == id }) {
            botSlots[index].time = max(botSlots[index].time, time)
        }
    }

    /// Pauses sends to `chat` (nil: the whole bot) for `duration`, as a 429 demands.
    mutating func pause(chat: String?, for duration: Duration, at now: ContinuousClock.Instant) {
        let key = chat ?? ""
        pausedUntil[key] = max(pausedUntil[key] ?? now, now + duration)
    }

    /// Pauses for a 429 answered to a send to `chat`. Telegram does not say whether it limited the
    /// chat or the whole bot. One chat's 429 now and then is that chat's (its own flood limit, or
    /// a hiccup): it alone waits, and the rest keep the pace. When two other chats are already
    /// waiting out 429s of their own, it is the bot (another client on the same token, or a
    /// limit lowered for it): then every chat waits. Returns whether the whole bot was paused.
    mutating func rateLimited(chat: String, for duration: Duration, at now: ContinuousClock.Instant) -> Bool {
        let others = pausedUntil.filter { $0.key != chat && $0.key != "" && $0.value > now }.count
        let wholeBot = others >= Self.chatsLimitedMeaningTheBot - 1
        pause(chat: wholeBot ? nil : chat, for: duration, at: now)
        return wholeBot
    }

    /// How many chats waiting out 429s at once mean the bot as a whole is limited.
    static let chatsLimitedMeaningTheBot = 3

    /// When a window with these slots admits one more: once the `count`-th latest has left it.
    private static func earliest(_ slots: [Slot], _ rate: Rate) -> ContinuousClock.Instant? {
        guard slots.count >= rate.count else { return nil }
        let times = slots.map(\.time).sorted()
        return times[times.count - rate.count] + rate.window
    }
}
