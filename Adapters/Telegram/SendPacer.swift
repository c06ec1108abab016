import GatehouseCore
import Synchronization

/// Hands out turns to send so that Telegram never has to answer 429 (``SendBudget``), and decides
/// who goes first when more sends wait than the limits let through: interactive before bulk
/// (``DeliveryPriority``), and within one priority in the order they asked. A send held back by its
/// own chat or group is passed over, so the others keep the bot at its ceiling meanwhile.
///
/// Turns are given at the moment they come, not booked ahead: a customer's reply that arrives
/// while hundreds of announcement copies wait takes the very next turn, instead of one behind
/// every copy booked before it.
final class SendPacer: Sendable {
    typealias Limits = TelegramAdapter.Limits

    /// A turn taken, to be ``complete(_:at:)``d when its request has been answered.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
        fileprivate let chat: String
        /// The order in which turns were given (1 for the first).
        let number: UInt64
    }

    /// What a waiting send is woken for.
    private enum Wake {
        /// Its turn (the how-manieth): it was spent at grant time.
        case go(UInt64)
        /// Nobody may go yet: sleep until then, and look again for everyone.
        case keepTime(ContinuousClock.Instant)
    }

    private struct Waiter {
        var id: UInt64
        var chat: String
        var rank: Int
        /// Set while it waits to be woken; nil while it keeps time.
        var continuation: CheckedContinuation<Wake, any Error>?
        /// Given its turn (this number) while it kept time: it takes it when it wakes.
        var granted: UInt64?
    }

    private struct State {
        var budget: SendBudget
        var nextID: UInt64 = 0
        /// Turns given so far.
        var turns: UInt64 = 0
        /// In the order they asked.
        var waiters: [Waiter] = []
        /// The waiter asleep until the next turn comes, and when it wakes.
        var timekeeper: (id: UInt64, until: ContinuousClock.Instant)?
    }

    private let state: Mutex<State>

    init(limits: Limits = Limits()) {
        state = Mutex(State(budget: SendBudget(limits: limits)))
    }

    var limits: Limits { state.withLock { $0.budget.limits } }

    /// How many sends wait for a turn now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// The longest a send waits here for its own chat's or group's limit: longer, and it is handed
    /// back to the dispatcher (``DeliveryError/paced(retryAfter:_:)``), so that a delivery does
    /// not hold one of the dispatcher's places for a minute while others could use it.
    static let longestOwnWait: Duration = .seconds(5)

    /// Waits for a turn to send to `chat`, at `priority`; throws
    /// ``DeliveryError/paced(retryAfter:_:)`` when the chat's own limits hold it back longer than
    /// ``longestOwnWait``.
    func turn(chat: String, priority: DeliveryPriority) async throws -> Ticket {
        let (waiter, ownWait) = state.withLock { state in
            state.nextID += 1
            return (Waiter(id: state.nextID, chat: chat, rank: priority.rank), state.budget.ownWait(chat, now: .now))
        }
        if ownWait > Self.longestOwnWait {
            throw DeliveryError.paced(
                retryAfter: ownWait,
                "chat \(chat) is at its own limit for another \(ownWait.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))"
            )
        }
        while true {
            switch try await wait(waiter) {
            case .go(let number):
                return Ticket(id: waiter.id, chat: chat, number: number)
            case .keepTime(let until):
                do {
                    try await Task.sleep(until: until, clock: .continuous)
                } catch {
                    let woken = state.withLock { state in
                        state.waiters.removeAll { $0.id == waiter.id }
                        if state.timekeeper?.id == waiter.id { state.timekeeper = nil }
                        return Self.grant(&state, now: .now)
                    }
                    for (continuation, wake) in woken { continuation.resume(returning: wake) }
                    throw error
                }
                state.withLock { state in
                    if state.timekeeper?.id == waiter.id { state.timekeeper = nil }
                }
            }
        }
    }

    /// Records what `chat` is (``SendBudget/learn(_:is:)``).
    func learn(_ chat: String, is kind: SendBudget.ChatKind) {
        state.withLock { $0.budget.learn(chat, is: kind) }
    }

    /// The kind learnt for `chat`, if any.
    func kind(of chat: String) -> SendBudget.ChatKind? {
        state.withLock { $0.budget.kind(of: chat) }
    }

    /// Counts a send at the time its answer came (``SendBudget/answered(_:id:at:)``).
    func complete(_ ticket: Ticket, at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.budget.answered(ticket.chat, id: ticket.id, at: now) }
    }

    /// Pauses for a 429 answered to a send to `chat` (``SendBudget/rateLimited(chat:for:at:)``).
    /// Returns whether the whole bot was paused.
    @discardableResult
    func rateLimited(chat: String, for duration: Duration, at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { $0.budget.rateLimited(chat: chat, for: duration, at: now) }
    }

    /// Waits, as `waiter`, to be woken: for its turn, or to keep time for everyone. Joins the
    /// waiters (or rejoins them after keeping time) and looks for turns in one step, so that no
    /// turn is given while it is half way in.
    private func wait(_ waiter: Waiter) async throws -> Wake {
        let id = waiter.id
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Wake, any Error>) in
                let woken = state.withLock { state -> (cancelled: Bool, [(CheckedContinuation<Wake, any Error>, Wake)]) in
                    let index = state.waiters.firstIndex { $0.id == id }
                    // Cancelled before it waited (the handler found nothing to resume): it leaves,
                    // and since it may have been keeping time a moment ago, someone else looks.
                    guard !Task.isCancelled else {
                        if let index { state.waiters.remove(at: index) }
                        return (true, Self.grant(&state, now: .now))
                    }
                    guard let index else {
                        var joining = waiter
                        joining.continuation = continuation
                        state.waiters.append(joining)
                        return (false, Self.grant(&state, now: .now))
                    }
                    if let number = state.waiters[index].granted {
                        state.waiters.remove(at: index)
                        return (false, [(continuation, .go(number))])
                    }
                    state.waiters[index].continuation = continuation
                    return (false, Self.grant(&state, now: .now))
                }
                for (continuation, wake) in woken.1 { continuation.resume(returning: wake) }
                if woken.cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Wake, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }), let continuation = state.waiters[index].continuation else {
                    return nil
                }
                state.waiters.remove(at: index)
                return continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    /// Gives a turn to every waiter whose limits allow one now, best rank first and then in the
    /// order they asked; if some must wait, makes sure one of them keeps time until the first
    /// of them may go. Returns whom to wake (outside the lock), and for what.
    private static func grant(_ state: inout State, now: ContinuousClock.Instant) -> [(CheckedContinuation<Wake, any Error>, Wake)] {
        var woken: [(CheckedContinuation<Wake, any Error>, Wake)] = []
        var next: ContinuousClock.Instant?
        // The one keeping time is considered too: it may be the most urgent, and its sleep may
        // end a little after its turn came.
        let order = state.waiters.indices
            .filter { state.waiters[$0].granted == nil }
            .sorted { (state.waiters[$0].rank, state.waiters[$0].id) < (state.waiters[$1].rank, state.waiters[$1].id) }
        var leaving: Set<UInt64> = []
        for index in order {
            let waiter = state.waiters[index]
            let earliest = state.budget.earliest(waiter.chat, now: now)
            guard earliest <= now else {
                next = min(next ?? earliest, earliest)
                continue
            }
            state.budget.spend(waiter.chat, id: waiter.id, at: now)
            state.turns += 1
            if let continuation = waiter.continuation {
                woken.append((continuation, .go(state.turns)))
                leaving.insert(waiter.id)
            } else {
                state.waiters[index].granted = state.turns
                if state.timekeeper?.id == waiter.id { state.timekeeper = nil }
            }
        }
        if !leaving.isEmpty { state.waiters.removeAll { leaving.contains($0.id) } }
        // Someone must wake when the next turn comes; a timekeeper already asleep until then (or
        // earlier) will. Otherwise the first still waiting keeps time.
        if let next, state.timekeeper.map({ $0.until > next }) ?? true,
            let index = state.waiters.indices.first(where: { state.waiters[$0].continuation != nil }),
            let continuation = state.waiters[index].continuation
        {
            state.waiters[index].continuation = nil
            state.timekeeper = (state.waiters[index].id, next)
            woken.append((continuation, .keepTime(next)))
        }
        return woken
    }
}
