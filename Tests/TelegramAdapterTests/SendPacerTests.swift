import GatehouseCore
import Synchronization
@testable import TelegramAdapter
import Testing

/// The order in which waiting sends get their turns; the limits are small so that turns come fast,
/// and the assertions are about order, never about time.
@Suite(.timeLimit(.minutes(1))) struct SendPacerTests {
    /// Records the order of the turns given.
    final class Turns: Sendable {
        let order = Mutex<[String]>([])
        func taken(_ name: String) { order.withLock { $0.append(name) } }
        var names: [String] { order.withLock { $0 } }
    }

    /// Waits (politely) until `count` sends wait in the pacer.
    func waitUntil(_ pacer: SendPacer, waiting count: Int) async throws {
        while pacer.waiting < count { try await Task.sleep(for: .milliseconds(2)) }
    }

    @Test func anInteractiveSendTakesTheNextTurnAheadOfEveryBulkSendWaiting() async throws {
        // Two turns a 100 ms: the bulk copies queue up behind the bot's limit.
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(2, per: .milliseconds(100))))
        let turns = Turns()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chat in 1...12 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "-\(chat)", priority: .bulk)
                    turns.taken("bulk")
                    pacer.complete(ticket)
                }
            }
            // Two of them go at once; the other ten wait for the window.
            try await waitUntil(pacer, waiting: 10)
            group.addTask {
                let ticket = try await pacer.turn(chat: "42", priority: .interactive)
                turns.taken("interactive")
                pacer.complete(ticket)
            }
            try await group.waitForAll()
        }
        let names = turns.names
        #expect(names.count == 13)
        // At most the two turns already handed out, and those of the window it arrived in, go before it.
        let position = try #require(names.firstIndex(of: "interactive"))
        #expect(position <= 4, "the interactive send took turn \(position + 1) of 13: \(names)")
    }

    @Test func aChatHeldBackByItsOwnLimitDoesNotHoldUpTheOthers() async throws {
        // One message a second per chat; the bot could take 50 a second.
        let pacer = SendPacer(limits: .init(chat: Rate(1, per: .seconds(1)), bot: Rate(50, per: .seconds(1))))
        let turns = Turns()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Chat 7 asks for three turns first; each after the first must wait a second.
            for _ in 1...3 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "7", priority: .bulk)
                    turns.taken("7")
                    pacer.complete(ticket)
                }
            }
            try await waitUntil(pacer, waiting: 2)
            for chat in 1...5 {
                group.addTask {
                    let ticket = try await pacer.turn(chat: "\(100 + chat)", priority: .bulk)
                    turns.taken("other")
                    pacer.complete(ticket)
                }
            }
            try await group.waitForAll()
        }
        // The five others, who asked later, are not queued behind chat 7's own limit.
        #expect(turns.names == ["7"] + Array(repeating: "other", count: 5) + ["7", "7"])
    }

    @Test func aCancelledWaiterLeavesAndTheRestStillGetTheirTurns() async throws {
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(1, per: .milliseconds(50))))
        let turns = Turns()
        _ = try await pacer.turn(chat: "1", priority: .bulk)
        let cancelled = Task {
            _ = try await pacer.turn(chat: "2", priority: .bulk)
            turns.taken("cancelled")
        }
        try await waitUntil(pacer, waiting: 1)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        _ = try await pacer.turn(chat: "3", priority: .bulk)
        turns.taken("3")
        #expect(turns.names == ["3"])
        #expect(pacer.waiting == 0)
    }

    @Test func theTaskPriorityIsTheDispatchersUnlessGiven() async throws {
        let pacer = SendPacer(limits: .init(chat: Rate(100, per: .seconds(1)), bot: Rate(1, per: .milliseconds(100))))
        let turns = Turns()
        _ = try await pacer.turn(chat: "0")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await DeliveryPriority.$current.withValue(.bulk) {
                    _ = try await pacer.turn(chat: "1")
                    turns.taken("bulk")
                }
            }
            try await waitUntil(pacer, waiting: 1)
            group.addTask {
                _ = try await pacer.turn(chat: "2")
                turns.taken("interactive")
            }
            try await group.waitForAll()
        }
        #expect(turns.names == ["interactive", "bulk"])
    }
}
