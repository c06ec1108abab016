import GatehouseCore
@testable import TelegramAdapter
import Testing

@Suite struct SendBudgetTests {
    let start = ContinuousClock.now

    /// Takes the earliest slot for a send to `chat`, as of `now`, and returns how long after `now` it is.
    func reserve(_ budget: inout SendBudget, _ chat: String, at now: ContinuousClock.Instant? = nil, id: UInt64 = 0) -> Duration {
        let now = now ?? start
        let time = budget.earliest(chat, now: now)
        budget.spend(chat, id: id, at: time)
        return time - now
    }

    @Test func aChatGetsOneMessageASecond() {
        var budget = SendBudget(limits: .init())
        let times = (0..<3).map { _ in reserve(&budget, "42") }
        #expect(times == [.zero, .seconds(1), .seconds(2)])
    }

    @Test func aGroupGetsTwentyAMinuteAndThenWaitsForTheWindow() {
        var budget = SendBudget(limits: .init())
        let times = (0..<22).map { _ in reserve(&budget, "-100123") }
        #expect(times[19] == .seconds(19))
        // The 21st waits until the 1st has left the minute, the 22nd one second more.
        #expect(times[20] == .seconds(60))
        #expect(times[21] == times[20] + .seconds(1))
    }

    @Test func theBotAsAWholeGetsThirtyASecondAcrossChats() {
        var budget = SendBudget(limits: .init())
        let times = (0..<31).map { reserve(&budget, "\($0)") }
        #expect(times.prefix(30).allSatisfy { $0 == .zero })
        #expect(times[30] == .seconds(1))
    }

    @Test func aSendIsCountedWhenItsAnswerCameSoALateArrivalCannotCrowdTheWindow() {
        var budget = SendBudget(limits: .init(group: Rate(2, per: .seconds(10))))
        _ = reserve(&budget, "-1", id: 1)
        // The first request took 3 s to be answered: the server may have counted it that late.
        budget.answered("-1", id: 1, at: start + .seconds(3))
        _ = reserve(&budget, "-1", at: start + .seconds(3), id: 2)
        let third = reserve(&budget, "-1", at: start + .seconds(3), id: 3)
        #expect(third == .seconds(10))
    }

    @Test func a429PausesThatChatOrTheWholeBotForExactlyRetryAfter() {
        var budget = SendBudget(limits: .init())
        budget.pause(chat: "42", for: .seconds(7), at: start)
        let paused = reserve(&budget, "42"), other = reserve(&budget, "43")
        #expect(paused == .seconds(7) && other == .zero)
        budget.pause(chat: nil, for: .seconds(3), at: start)
        let anyone = reserve(&budget, "44")
        #expect(anyone == .seconds(3))
    }

    @Test func a429InASecondChatWhileAnotherWaitsPausesTheWholeBot() {
        var budget = SendBudget(limits: .init())
        // One chat limited: only it waits.
        let first = budget.rateLimited(chat: "42", for: .seconds(5), at: start)
        #expect(!first)
        let unaffected = reserve(&budget, "43")
        #expect(unaffected == .zero)
        // A second chat limited while the first still waits: the bot's own limit; everyone waits.
        let second = budget.rateLimited(chat: "43", for: .seconds(4), at: start + .seconds(1))
        #expect(second)
        let everyone = reserve(&budget, "44", at: start + .seconds(1))
        #expect(everyone == .seconds(4))
        // Once the pauses are over, a lone 429 is a chat's again.
        let later = budget.rateLimited(chat: "45", for: .seconds(1), at: start + .seconds(10))
        #expect(!later)
    }

    @Test func groupsAreTheNegativeIDsAndChannelNames() {
        #expect(SendBudget.isGroup("-1001234") && SendBudget.isGroup("@acme_news"))
        #expect(!SendBudget.isGroup("42"))
    }
}
