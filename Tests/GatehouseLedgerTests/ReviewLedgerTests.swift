import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// A hold's review in the ledger: one vote per person, four eyes counted, one rejection enough,
/// deadlines and escalations each audited, and every decision readable afterwards.
@Suite struct ReviewLedgerTests {
    let wang = ReviewerIdentity(via: .dingtalk, id: "rev01", name: "王审", departments: ["合规部"], platform: "corp")
    let li = ReviewerIdentity(via: .dingtalk, id: "rev02", name: "李审", platform: "corp")
    let alice = ReviewerIdentity(via: .unix, id: "1000", name: "alice", groups: ["compliance"])

    func held(_ ledger: SQLLedger, _ id: String = "m1") async throws -> OutboxJob {
        try await HoldDecisionTests().held(ledger, id)
    }

    @Test(arguments: LedgerBackend.available) func aReviewIsOpenedOnceWithItsCardAndAudited(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        #expect(try await ledger.unopenedHolds(limit: 10).map(\.id) == [job.id])
        let deadline = Date(timeIntervalSince1970: 1_800_000_000)
        let record = try #require(
            try await ledger.openReview(
                job,
                card: "card-1",
                to: ["staff:rev01", "staff:rev02"],
                needed: 2,
                deadline: deadline,
                audited: true,
                at: Date()
            )
        )
        #expect(record.kind == .reviewOpened && record.crossing == job.crossing)
        #expect(record.review == .init(card: "card-1", to: ["staff:rev01", "staff:rev02"], needed: 2, deadline: deadline))
        #expect(try await ledger.openReview(job, card: "card-2", to: [], needed: 1, deadline: nil, audited: true, at: Date()) == nil)
        #expect(try await ledger.unopenedHolds(limit: 10).isEmpty)
        let review = try #require(try await ledger.review(card: "card-1"))
        #expect(review.job == job.id && review.needed == 2 && review.deadline == deadline && !review.delivered)
        try await ledger.cardDelivered(job: job.id)
        #expect(try await ledger.review(job: job.id)?.delivered == true)
        #expect(try await ledger.openReviews(after: 0, limit: 10).map(\.job) == [job.id])
    }

    @Test(arguments: LedgerBackend.available) func fourEyesAreTwoPeopleAndTheSecondApprovalReleasesIt(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        _ = try await ledger.openReview(job, card: "c", to: [], needed: 2, deadline: nil, audited: true, at: Date())
        guard case .counted(let first, 1, 2) = try await ledger.vote(job, by: wang, approve: true, reason: "ok", needed: 2, at: Date()) else {
            Issue.record("the first approval should be counted")
            return
        }
        #expect(first.kind == .holdVote && first.reviewer == wang && first.approver == "王审 (rev01, 合规部)")
        #expect(try await ledger.head(of: "news") == nil)
        // The same person again is not a second pair of eyes.
        #expect(try await ledger.vote(job, by: wang, approve: true, reason: "ok", needed: 2, at: Date()) == .alreadyDecided(approve: true))
        guard case .approved(let record) = try await ledger.vote(job, by: li, approve: true, reason: "fine", needed: 2, at: Date()) else {
            Issue.record("the second approval should release it")
            return
        }
        #expect(record.kind == .holdApproved && record.review?.approvals == 2 && record.reviewer == li)
        #expect(try await ledger.head(of: "news")?.id == job.id)
        let history = try #require(try await ledger.decidedHolds(limit: 10).first)
        #expect(history.outcome == "approved" && history.votes.map(\.reviewer.id) == ["rev01", "rev02"])
        #expect(try await ledger.vote(job, by: alice, approve: false, reason: "late", needed: 2, at: Date()) == .notHeld)
    }

    @Test(arguments: LedgerBackend.available) func oneRejectionRejectsEvenAfterAnApproval(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        _ = try await ledger.vote(job, by: wang, approve: true, reason: "ok", needed: 2, at: Date())
        guard case .rejected(let record) = try await ledger.vote(job, by: alice, approve: false, reason: "client name", needed: 2, at: Date()) else {
            Issue.record("a rejection should reject")
            return
        }
        #expect(record.kind == .holdRejected && record.reviewer?.via == .unix && record.approver == "uid 1000 (alice)")
        #expect(try await ledger.jobs(in: .cancelled, limit: 10).map(\.id) == [job.id])
        #expect(try await ledger.decidedHolds(limit: 10).first?.outcome == "rejected")
    }

    @Test(arguments: LedgerBackend.available) func aStricterRuleInForceWhenTheReviewOpenedStillStands(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        _ = try await ledger.openReview(job, card: nil, to: [], needed: 2, deadline: nil, audited: true, at: Date())
        // A reload lowered approvals to 1: the hold opened under 2 still needs 2.
        guard case .counted = try await ledger.vote(job, by: wang, approve: true, reason: "ok", needed: 1, at: Date()) else {
            Issue.record("one approval should not release a hold opened under approvals: 2")
            return
        }
    }

    @Test(arguments: LedgerBackend.available) func refusalsExpiriesEscalationsAndRemindersAreAudited(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        _ = try await ledger.openReview(job, card: "c", to: ["staff:rev01"], needed: 1, deadline: Date(), audited: true, at: Date())
        let refused = try await ledger.refuseDecision(job, by: li, because: "not a reviewer", card: "c", at: Date())
        #expect(refused.kind == .decisionRefused && refused.reviewer == li && refused.review?.card == "c")
        var review = try #require(try await ledger.review(job: job.id))
        let reminded = try #require(try await ledger.remind(review, at: Date()))
        #expect(reminded.kind == .holdReminded)
        #expect(try await ledger.remind(review, at: Date()) == nil)
        let later = Date(timeIntervalSince1970: 1_900_000_000)
        let escalated = try #require(try await ledger.escalate(review, card: "c2", to: ["staff:cfo"], deadline: later, at: Date()))
        #expect(escalated.kind == .holdEscalated && escalated.review?.to == ["staff:cfo"] && escalated.review?.card == "c2")
        #expect(try await ledger.escalate(review, card: "c3", to: ["staff:cfo"], deadline: later, at: Date()) == nil)
        review = try #require(try await ledger.review(job: job.id))
        #expect(review.escalated && !review.reminded && review.deadline == later && review.recipients == ["staff:cfo"])
        // Both cards name the hold: the second list's, and the first one's.
        #expect(review.card == "c2" && review.firstCard == "c")
        #expect(try await ledger.review(card: "c")?.job == job.id)
        #expect(try await ledger.review(card: "c2")?.job == job.id)
        let expired = try #require(try await ledger.expire(review, at: Date()))
        #expect(expired.kind == .holdExpired)
        #expect(try await ledger.expire(review, at: Date()) == nil)
        #expect(try await ledger.jobs(in: .cancelled, limit: 10).map(\.id) == [job.id])
        #expect(try await ledger.openReviews(after: 0, limit: 10).isEmpty)
        #expect(try await ledger.decidedHolds(limit: 10).first?.outcome == "expired")
        // Every step is in the log, and the log verifies.
        let kinds = try await ledger.records(from: 1, limit: 100).map(\.kind)
        #expect(kinds == [.crossing, .reviewOpened, .decisionRefused, .holdReminded, .holdEscalated, .holdExpired])
    }

    @Test(arguments: LedgerBackend.available) func theCLIsDecisionOnAHoldWithoutAReviewClosesTheReviewItMakes(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let other = try await held(ledger, "m2")
        guard case .approved = try await ledger.vote(other, by: alice, approve: true, reason: "fine", needed: 1, at: Date()) else {
            Issue.record("one approval of a route without reviewers releases it")
            return
        }
        #expect(try await ledger.decidedHolds(limit: 10).map(\.job) == [other.id])
    }

    @Test(arguments: LedgerBackend.available) func aDecisionBeforeTheReviewOpenedKeepsItsVoteAndTheReviewStillOpens(
        _ backend: LedgerBackend
    ) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        guard case .counted = try await ledger.vote(job, by: alice, approve: true, reason: "early", needed: 2, at: Date()) else {
            Issue.record("an early approval should be counted")
            return
        }
        // Still to be opened: its card and its deadline come next.
        #expect(try await ledger.unopenedHolds(limit: 10).map(\.id) == [job.id])
        let deadline = Date(timeIntervalSince1970: 1_900_000_000)
        let opened = try await ledger.openReview(job, card: "c", to: ["staff:rev01"], needed: 1, deadline: deadline, audited: true, at: Date())
        #expect(opened?.kind == .reviewOpened)
        #expect(try await ledger.unopenedHolds(limit: 10).isEmpty)
        let review = try #require(try await ledger.review(job: job.id))
        // The count it was decided with (2) stands over the rule's (1); the early vote counts.
        #expect(review.card == "c" && review.deadline == deadline && review.needed == 2 && review.approvals == 1)
    }

    @Test(arguments: LedgerBackend.available) func aVotePastTheDeadlineIsNotCounted(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger)
        let deadline = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await ledger.openReview(job, card: "c", to: [], needed: 1, deadline: deadline, audited: true, at: deadline.addingTimeInterval(-60))
        #expect(try await ledger.vote(job, by: wang, approve: true, reason: "late", needed: 1, at: deadline.addingTimeInterval(1)) == .pastDeadline)
        #expect(try await ledger.jobs(in: .held, limit: 10).map(\.id) == [job.id])
        guard case .approved = try await ledger.vote(job, by: wang, approve: true, reason: "in time", needed: 1, at: deadline.addingTimeInterval(-1))
        else {
            Issue.record("a vote in time should count")
            return
        }
    }

    @Test(arguments: LedgerBackend.available) func aSignedClicksNonceIsTakenOnce(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        #expect(try await ledger.claimNonce(platform: "corp", nonce: "card-timestamp:1:sig", at: Date()))
        #expect(try await !ledger.claimNonce(platform: "corp", nonce: "card-timestamp:1:sig", at: Date()))
        #expect(try await ledger.claimNonce(platform: "other", nonce: "card-timestamp:1:sig", at: Date()))
    }
}
