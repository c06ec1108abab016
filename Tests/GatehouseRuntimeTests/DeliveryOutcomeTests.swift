import Foundation
import GatehouseCore
import GatehouseLedger
import Testing

@testable import GatehouseRuntime

/// The retry and dead-letter rules as a table: what becomes of a delivery for each answer.
@Suite struct DeliveryOutcomeTests {
    static let decided = Date(timeIntervalSince1970: 1_800_000_000)
    static let retry = Backoff(minimum: .seconds(1), maximum: .seconds(300))
    static let maxAge: Duration = .seconds(24 * 3600)

    struct Unexpected: Error {}

    enum Expected: Equatable {
        case delivered
        case deferred(Duration)
        case dead
    }

    static func job(attempts: Int) -> OutboxJob {
        OutboxJob(
            id: 7,
            crossing: 3,
            route: "news",
            destination: "tg-news",
            text: "hello",
            attempts: attempts,
            createdAt: decided,
            originPlatform: "corp",
            originConversation: "cid",
            originMessage: "m1"
        )
    }

    @Test(
        arguments: [
            // No failure: delivered.
            (nil, 0, Duration.seconds(1), Expected.delivered),
            // Permanent: dead at once, whatever its age or attempts.
            (DeliveryError.rejected("message is too long"), 0, .seconds(1), .dead),
            (DeliveryError(.tooOld, "message can't be edited"), 5, .seconds(1), .dead),
            (DeliveryError.chatMigrated(to: "-1002", "upgraded"), 0, .seconds(1), .dead),
            // Transient: the backoff after this many failures (1 s doubling, up to 300 s)…
            (DeliveryError.network("connection refused"), 0, .seconds(1), .deferred(.seconds(1))),
            (DeliveryError.unavailable("502"), 3, .seconds(1), .deferred(.seconds(8))),
            (DeliveryError.unavailable("502"), 30, .seconds(1), .deferred(.seconds(300))),
            // …or exactly the retry_after the platform named, never less than 100 ms.
            (DeliveryError.rateLimited(retryAfter: .seconds(17), "429"), 0, .seconds(1), .deferred(.seconds(17))),
            (DeliveryError.rateLimited(retryAfter: .zero, "429"), 0, .seconds(1), .deferred(.milliseconds(100))),
            (DeliveryError.paced(retryAfter: .seconds(42), "group minute"), 9, .seconds(1), .deferred(.seconds(42))),
            // An error that is not the platform's answer (the ledger, a bug): retried like a transient one.
            (Unexpected(), 1, .seconds(1), .deferred(.seconds(2))),
            // Failing for longer than max_age: dead, transient or not.
            (DeliveryError.network("connection refused"), 2, .seconds(24 * 3600), .dead),
            (Unexpected(), 2, .seconds(24 * 3600 + 1), .dead),
        ] as [((any Error)?, Int, Duration, Expected)]
    )
    func eachAnswerHasOneOutcome(failure: (any Error)?, attempts: Int, age: Duration, expected: Expected) {
        let now = Self.decided.addingTimeInterval(age.timeInterval)
        let outcome = DeliveryOutcome.classify(failure, job: Self.job(attempts: attempts), now: now, retry: Self.retry, maxAge: Self.maxAge)
        switch (outcome, expected) {
        case (.delivered, .delivered), (.dead, .dead):
            break
        case (.deferred(let retryAt, let delay, _), .deferred(let expectedDelay)):
            #expect(delay == expectedDelay)
            #expect(retryAt == now.addingTimeInterval(expectedDelay.timeInterval))
        default:
            Issue.record("\(String(describing: failure)) after \(attempts) attempts, \(age) old: \(outcome), expected \(expected)")
        }
    }

    @Test func theReasonSaysWhatTheAuditLogShows() {
        let now = Self.decided.addingTimeInterval(60)
        let dead = DeliveryOutcome.classify(
            DeliveryError.rejected("chat not found"),
            job: Self.job(attempts: 0),
            now: now,
            retry: Self.retry,
            maxAge: Self.maxAge
        )
        #expect(dead == .dead(reason: "rejected: chat not found"))
        let old = Self.decided.addingTimeInterval(Self.maxAge.timeInterval)
        let expired = DeliveryOutcome.classify(
            DeliveryError.network("timeout"),
            job: Self.job(attempts: 9),
            now: old,
            retry: Self.retry,
            maxAge: Self.maxAge
        )
        #expect(expired == .dead(reason: "undeliverable for longer than \(Self.maxAge): network: timeout"))
    }
}
