import GatehouseCore
@testable import TelegramAdapter
import Testing

@Suite struct SendPacerTests {
    let start = ContinuousClock.now

    /// Offsets from `start` of `count` sends to `chat`, each sent as soon as its slot comes.
    func slots(_ pacer: SendPacer, chat: String, count: Int) -> [Duration] {
        (0..<count).map { _ in pacer.reserve(chat: chat, at: start).wait }
    }

    @Test func aChatGetsOneMessageASecond() {
        let pacer = SendPacer(limits: .init())
        #expect(slots(pacer, chat: "42", count: 3) == [.zero, .seconds(1), .seconds(2)])
    }

    @Test func aGroupGetsTwentyAMinuteAndThenWaitsForTheWindow() {
        let pacer = SendPacer(limits: .init())
        let times = slots(pacer, chat: "-100123", count: 22)
        #expect(times[19] == .seconds(19))
        // The 21st waits until the 1st has left the minute (plus the margin), the 22nd one second more.
        #expect(times[20] == .seconds(60))
        #expect(times[21] == times[20] + .seconds(1))
    }

    @Test func theBotAsAWholeGetsThirtyASecondAcrossChats() {
        let pacer = SendPacer(limits: .init())
        let times = (0..<31).map { pacer.reserve(chat: "\($0)", at: start).wait }
        #expect(times.prefix(30).allSatisfy { $0 == .zero })
        #expect(times[30] == .seconds(1))
    }

    @Test func aSendIsCountedWhenItsAnswerCameSoALateArrivalCannotCrowdTheWindow() {
        let pacer = SendPacer(limits: .init(group: Rate(2, per: .seconds(10))))
        let first = pacer.reserve(chat: "-1", at: start)
        // The first request took 3 s to be answered: the server may have counted it that late.
        pacer.complete(first, at: start + .seconds(3))
        _ = pacer.reserve(chat: "-1", at: start + .seconds(3))
        #expect(pacer.reserve(chat: "-1", at: start + .seconds(3)).wait == .seconds(10))
    }

    @Test func a429PausesThatChatOrTheWholeBotForExactlyRetryAfter() {
        let pacer = SendPacer(limits: .init())
        pacer.pause(chat: "42", for: .seconds(7), at: start)
        #expect(pacer.reserve(chat: "42", at: start).wait == .seconds(7))
        #expect(pacer.reserve(chat: "43", at: start).wait == .zero)
        pacer.pause(chat: nil, for: .seconds(3), at: start)
        #expect(pacer.reserve(chat: "44", at: start).wait == .seconds(3))
    }

    @Test func a429InASecondChatWhileAnotherWaitsPausesTheWholeBot() {
        let pacer = SendPacer(limits: .init())
        // One chat limited: only it waits.
        #expect(!pacer.rateLimited(chat: "42", for: .seconds(5), at: start))
        #expect(pacer.reserve(chat: "43", at: start).wait == .zero)
        // A second chat limited while the first still waits: the bot's own limit; everyone waits.
        #expect(pacer.rateLimited(chat: "43", for: .seconds(4), at: start + .seconds(1)))
        #expect(pacer.reserve(chat: "44", at: start + .seconds(1)).wait == .seconds(4))
        // Once the pauses are over, a lone 429 is a chat's again.
        #expect(!pacer.rateLimited(chat: "45", for: .seconds(1), at: start + .seconds(10)))
    }

    @Test func groupsAreTheNegativeIDsAndChannelNames() {
        #expect(SendPacer.isGroup("-1001234") && SendPacer.isGroup("@acme_news"))
        #expect(!SendPacer.isGroup("42"))
    }
}
