import GatehouseCore
import Testing

@testable import TelegramAdapter

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

    @Test func theBotAsAWholeGetsThirtyASecondAcrossChatsSpreadEvenly() {
        var budget = SendBudget(limits: .init())
        let times = (0..<61).map { reserve(&budget, "\($0)") }
        // One every 1/30 s: no second holds more than 30, and none is spent at its start.
        let interval = Duration.seconds(1) / 30
        #expect(
            times.enumerated().allSatisfy {
                ($0.element - interval * $0.offset) < .microseconds(1) && (interval * $0.offset - $0.element) < .microseconds(1)
            }
        )
        #expect(times.indices.allSatisfy { first in times.filter { $0 >= times[first] && $0 < times[first] + .seconds(1) }.count <= 30 })
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
        #expect(budget.earliest("42", now: start) == start + .seconds(7))
        #expect(budget.earliest("43", now: start) == start)
        budget.pause(chat: nil, for: .seconds(3), at: start)
        #expect(budget.earliest("44", now: start) == start + .seconds(3))
    }

    @Test func a429InAThirdChatWhileTwoOthersWaitPausesTheWholeBot() {
        var budget = SendBudget(limits: .init())
        // One chat limited, then a second: only they wait (a chat's own limit, or a hiccup).
        let first = budget.rateLimited(chat: "42", for: .seconds(5), at: start)
        let second = budget.rateLimited(chat: "43", for: .seconds(5), at: start)
        #expect(!first && !second)
        #expect(budget.earliest("44", now: start) == start)
        // A third while both still wait: the bot's own limit; everyone waits.
        let third = budget.rateLimited(chat: "44", for: .seconds(4), at: start + .seconds(1))
        #expect(third)
        #expect(budget.earliest("45", now: start + .seconds(1)) == start + .seconds(5))
        // Once the pauses are over, a lone 429 is a chat's again.
        let later = budget.rateLimited(chat: "46", for: .seconds(1), at: start + .seconds(10))
        #expect(!later)
    }

    @Test func aChatNotYetKnownIsPacedAsAGroupIfItMayBeOne() {
        let budget = SendBudget(limits: .init())
        #expect(budget.isGroup("-1001234") && budget.isGroup("@acme_news"))
        #expect(!budget.isGroup("42"))
    }

    @Test func aChannelIsPacedAtItsOwnSecondNotAtAGroupsMinute() {
        // The FAQ's 20 a minute is for groups; a channel has the 1 a second of every chat.
        var budget = SendBudget(limits: .init())
        budget.learn("-1001234", is: .channel)
        budget.learn("-1005678", is: .group)
        func thirty(_ chat: String) -> Duration {
            var budget = budget
            var now = start
            for id in 1...30 {
                now = budget.earliest(chat, now: now)
                budget.spend(chat, id: UInt64(id), at: now)
                budget.answered(chat, id: UInt64(id), at: now)
            }
            return now - start
        }
        #expect(thirty("-1001234") == .seconds(29))
        // The group's 21st waits for the first to leave its minute.
        #expect(thirty("-1005678") >= .seconds(60))
        #expect(!budget.isGroup("-1001234") && budget.isGroup("-1005678"))
    }
}
