import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseRuntime

/// What reviewers are shown and how their clicks are judged, on a ledger in memory: a click
/// decides the hold of the card clicked whatever its parameters say, and what came from outside
/// cannot forge the card's markup or outgrow its variables.
@Suite struct ReviewsTests {
    static let yaml = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          ops: { type: dingtalk, side: internal, client_id: o, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          all-hands: { platform: corp, conversation: cidA }
          ops-room: { platform: ops, conversation: cidO }
          news: { platform: tg, chat: -1001 }
        review: { platform: corp, card_template: tpl }
        checks:
          secret: { keywords: [机密] }
        routes:
          - { name: press, from: all-hands, to: [news], on: { secret: hold }, reviewers: [staff:rev01, staff:rev02] }
          - { name: ops, from: ops-room, to: [news], on: { secret: hold }, reviewers: [staff:rev01, group:compliance], hold_timeout: 1h }
        """

    func reviews(_ ledger: SQLLedger) throws -> Reviews {
        let store = ConfigStore(try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "test.yaml"))
        let dispatcher = Dispatcher(store: store, ledger: ledger, adapters: [], logger: quietLogger("test"))
        return Reviews(
            store: store,
            ledger: ledger,
            dispatcher: dispatcher,
            scheduler: Scheduler(ledger: ledger, dispatcher: dispatcher, logger: quietLogger("test")),
            adapters: [],
            logger: quietLogger("test")
        )
    }

    func held(_ ledger: SQLLedger, _ id: String, sender: String = "m01", route: String = "press") async throws -> OutboxJob {
        let (platform, source) = route == "press" ? ("corp", "all-hands") : ("ops", "ops-room")
        var envelope = Fixtures.envelope(platform: platform, conversation: "cidA", messageID: id, text: id)
        envelope.sender = .init(id: sender, name: "")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: [
                    Crossing(route: route, source: source, destination: "news", direction: .outbound, verdict: .hold, findings: [], text: id)
                ],
                configRevision: "rev",
                receivedAt: Date()
            )
        )
        return try #require(try await ledger.jobs(in: .held, limit: 100).first { $0.originMessage == id })
    }

    @Test func aClickDecidesTheHoldOfItsCardWhateverItsParametersName() async throws {
        let ledger = try Fixtures.memoryLedger()
        let reviews = try reviews(ledger)
        let first = try await held(ledger, "m1")
        let second = try await held(ledger, "m2")
        _ = try await ledger.openReview(first, card: "card-a", to: ["staff:rev01"], needed: 1, deadline: nil, audited: true, at: Date())
        _ = try await ledger.openReview(second, card: "card-b", to: ["staff:rev01"], needed: 1, deadline: nil, audited: true, at: Date())
        let answer = await reviews.answer(
            CardAction(card: "card-a", person: "rev01", parameters: ["action": "approve", "hold": String(second.id)], platform: "corp")
        )
        #expect(answer.fields["decided"] == "true" && answer.notice?.contains("Approved") == true)
        #expect(try await ledger.jobs(in: .held, limit: 10).map(\.id) == [second.id])
        // A card Gatehouse never made decides nothing.
        let unknown = await reviews.answer(CardAction(card: "card-z", person: "rev01", parameters: ["action": "reject"], platform: "corp"))
        #expect(unknown.fields.isEmpty && unknown.notice?.contains("not one Gatehouse knows") == true)
        // A button without an action decides nothing either.
        let empty = await reviews.answer(CardAction(card: "card-b", person: "rev01", parameters: [:], platform: "corp"))
        #expect(empty.notice?.contains("no action") == true)
        #expect(try await ledger.jobs(in: .held, limit: 10).map(\.id) == [second.id])
    }

    @Test func theSenderAndStrangersAreRefusedAndRecorded() async throws {
        let ledger = try Fixtures.memoryLedger()
        let reviews = try reviews(ledger)
        let job = try await held(ledger, "m1", sender: "rev02")
        _ = try await ledger.openReview(job, card: "c", to: ["staff:rev01", "staff:rev02"], needed: 1, deadline: nil, audited: true, at: Date())
        let own = await reviews.answer(CardAction(card: "c", person: "rev02", parameters: ["action": "approve"], platform: "corp"))
        #expect(own.notice?.contains("sender") == true)
        let stranger = await reviews.answer(CardAction(card: "c", person: "x99", parameters: ["action": "approve"], platform: "corp"))
        #expect(stranger.notice?.contains("not a reviewer") == true)
        let refusals = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .decisionRefused }
        #expect(refusals.map(\.reviewer?.id) == ["rev02", "x99"])
        #expect(try await ledger.jobs(in: .held, limit: 10).count == 1)
    }

    @Test func whatCameFromOutsideCannotForgeTheCardOrOutgrowItsVariables() async throws {
        let ledger = try Fixtures.memoryLedger()
        let job = try await held(ledger, "m1", sender: "[click here](https://evil.example)*")
        var hostile = job
        hostile.text = String(repeating: "长文本 ", count: 600)
        hostile.payload.attachments = (0..<20).map {
            Envelope.Attachment(reference: "f\($0)", name: "[x](https://evil.example/\($0)).pdf", bytes: 10)
        }
        let crossing = try #require(try await ledger.records(from: job.crossing, limit: 1).first)
        let content = ReviewCardContent(
            job: hostile,
            crossing: crossing,
            links: (0..<50).map { "https://site\($0).example/" + String(repeating: "p", count: 100) },
            status: ["status": "Waiting"]
        )
        #expect(content.longText)
        for (name, value) in content.fields {
            #expect(value.utf8.count <= ReviewCard.valueLimit, "\(name) is \(value.utf8.count) bytes")
        }
        let summary = try #require(content.fields["summary"])
        #expect(!summary.contains("[click here]") && !summary.contains("[x]"))
        #expect(summary.contains("\\[click here\\]"))
        // Lists shrink to fit, but the counts stay.
        #expect(summary.contains("**Links** 50:") && summary.contains("**Attachments** 20:"))
        #expect(content.fields["text"]?.hasSuffix("the whole text is in the message just before this card)") == true)
        // A short text is the card's text exactly.
        let plain = ReviewCardContent(job: job, crossing: crossing, links: [], status: [:])
        #expect(!plain.longText && plain.fields["text"] == job.text)
    }

    @Test func theSenderIsKnownByTheirStaffIdWhicheverDingTalkAppTheyWroteThrough() async throws {
        let ledger = try Fixtures.memoryLedger()
        let reviews = try reviews(ledger)
        let job = try await held(ledger, "m1", sender: "rev01", route: "ops")
        _ = try await ledger.openReview(job, card: "c", to: ["staff:rev01"], needed: 1, deadline: nil, audited: true, at: Date())
        // Written through the `ops` app, clicked on a card of the `corp` app: the same person.
        let own = await reviews.answer(CardAction(card: "c", person: "rev01", parameters: ["action": "approve"], platform: "corp"))
        #expect(own.notice?.contains("sender") == true)
        #expect(try await ledger.jobs(in: .held, limit: 10).count == 1)
    }

    @Test func reviewersWithoutACardStillHaveTheirDeadlineAndARecordOfTheReview() async throws {
        let ledger = try Fixtures.memoryLedger()
        let reviews = try reviews(ledger)
        let job = try await held(ledger, "m1", route: "ops")
        try await reviews.round()
        // No review: section platform can carry a card here (no adapters): the review is opened
        // all the same, audited, with its deadline.
        let review = try #require(try await ledger.review(job: job.id))
        #expect(review.card == nil && review.deadline != nil)
        #expect(try await ledger.records(from: 1, limit: 10).map(\.kind) == [.crossing, .reviewOpened])
        // A click carried twice (its signed time replayed) counts once.
        _ = try await ledger.openReview(job, card: nil, to: [], needed: 1, deadline: nil, audited: true, at: Date())
        let press = try await held(ledger, "m2")
        _ = try await ledger.openReview(press, card: "p", to: ["staff:rev01"], needed: 1, deadline: nil, audited: true, at: Date())
        let first = await reviews.answer(CardAction(card: "p", person: "rev02", parameters: ["action": "reject"], platform: "corp", nonce: "n1"))
        #expect(first.notice?.contains("Rejected") == true)
        let replay = await reviews.answer(CardAction(card: "p", person: "rev01", parameters: ["action": "approve"], platform: "corp", nonce: "n1"))
        #expect(replay.notice?.contains("seen before") == true)
    }
}
