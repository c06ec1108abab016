import GatehouseCore
import Synchronization
import Testing

@testable import TelegramAdapter

/// The order in which waiting sends get their turns. The assertions are about order, never about
/// time: each test fills a window first, so that everyone it starts waits for the same turns, and
/// the windows are long enough (seconds) for every waiter to have asked by then, however loaded
/// the machine.
@Suite(.timeLimit(.minutes(1))) struct SendPacerTests {
    /// Records who got which turn: the pacer numbers them as it gives them.
    final class Turns: Sendable {
        let taken = Mutex<[UInt64: String]>([:])
        func took(_ ticket: SendPacer.Ticket, _ name: String) { taken.withLock { $0[ticket.number] = name } }
        /// The names, in the order their turns were given.
        var names: [String] { taken.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }
    }

    struct NotWaiting: Error {}

    /// Waits (politely) until `count` sends wait in the pacer.
    func waitUntil(_ pacer: SendPacer, waiting count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while pacer.waiting < count {
            guard ContinuousClock.now < deadline else { throw NotWaiting() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func anInteractiveSendTakesTheNextTurnAheadOfEveryBulkSendWaiting() async throws {
        // One turn every 4 s: the first is taken now, and everyone below waits for the next.
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(1, per: .seconds(4))))
        _ = try await pacer.turn(chat: "1", priority: .bulk)
        let turns = Turns()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chat in 1...12 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "-\(chat)", priority: .bulk)
                    turns.took(ticket, "bulk")
                }
            }
            try await waitUntil(pacer, waiting: 12)
            // An interactive send asked last and takes the very next turn, the second.
            let ticket = try await pacer.turn(chat: "42", priority: .interactive)
            turns.took(ticket, "interactive")
            #expect(ticket.number == 2)
            group.cancelAll()
        }
        #expect(turns.names == ["interactive"])
        #expect(pacer.waiting == 0)
    }

    @Test func aChatHeldBackByItsOwnLimitDoesNotHoldUpTheOthers() async throws {
        // One message every 2 s per chat; the bot could take 50 a second.
        let pacer = SendPacer(limits: .init(chat: Rate(1, per: .seconds(2)), bot: Rate(50, per: .seconds(1))))
        let turns = Turns()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Chat 7 asks for three turns first; each after the first must wait 2 s.
            for _ in 1...3 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "7", priority: .bulk)
                    turns.took(ticket, "7")
                    pacer.complete(ticket)
                }
            }
            try await waitUntil(pacer, waiting: 2)
            for chat in 1...5 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "\(100 + chat)", priority: .bulk)
                    turns.took(ticket, "other")
                    pacer.complete(ticket)
                }
            }
            try await group.waitForAll()
        }
        // The five others, who asked later, are not queued behind chat 7's own limit.
        #expect(turns.names == ["7"] + Array(repeating: "other", count: 5) + ["7", "7"])
    }

    @Test func aCancelledWaiterLeavesAndTheRestStillGetTheirTurns() async throws {
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(1, per: .seconds(3))))
        let turns = Turns()
        _ = try await pacer.turn(chat: "1", priority: .bulk)
        let cancelled = Task {
            let ticket = try await pacer.turn(chat: "2", priority: .bulk)
            turns.took(ticket, "cancelled")
        }
        try await waitUntil(pacer, waiting: 1)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let ticket = try await pacer.turn(chat: "3", priority: .bulk)
        turns.took(ticket, "3")
        #expect(turns.names == ["3"])
        #expect(pacer.waiting == 0)
    }

    @Test func whenTheWaiterKeepingTimeIsCancelledAnotherTakesOver() async throws {
        // A window of seconds: the keeper must still be asleep when the other has asked.
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(1, per: .seconds(4))))
        _ = try await pacer.turn(chat: "0", priority: .bulk)
        // The first to wait keeps time for everyone; it is cancelled while it sleeps.
        let keeper = Task { try await pacer.turn(chat: "1", priority: .bulk) }
        try await waitUntil(pacer, waiting: 1)
        let other = Task { try await pacer.turn(chat: "2", priority: .bulk) }
        try await waitUntil(pacer, waiting: 2)
        keeper.cancel()
        await #expect(throws: CancellationError.self) { try await keeper.value }
        // No one else arrives: the other still gets its turn, the next one.
        #expect(try await other.value.number == 2)
    }

    @Test func aSendItsOwnGroupOr429HoldsBackLongIsHandedBackToTheDispatcher() async throws {
        let pacer = SendPacer(limits: .init(group: Rate(1, per: .seconds(60))))
        _ = try await pacer.turn(chat: "-1", priority: .bulk)
        // The group's minute is spent: waiting here would hold a dispatcher's place for a minute.
        await #expect {
            _ = try await pacer.turn(chat: "-1", priority: .bulk)
        } throws: { error in
            guard let error = error as? DeliveryError, case .transient(let retryAfter?) = error.disposition else { return false }
            return error.code == .paced && retryAfter > .seconds(55) && retryAfter <= .seconds(60)
        }
        // A chat answered 429 with a long retry_after: the same. Other chats go on meanwhile.
        pacer.rateLimited(chat: "42", for: .seconds(30))
        await #expect(throws: DeliveryError.self) { _ = try await pacer.turn(chat: "42", priority: .interactive) }
        _ = try await pacer.turn(chat: "43", priority: .interactive)
        #expect(pacer.waiting == 0)
    }
}
