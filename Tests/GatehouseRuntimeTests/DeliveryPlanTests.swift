import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Testing

@testable import GatehouseRuntime

/// What the dispatcher does with the head of a queue, as a table: cancel, wait, or send at which
/// priority.
@Suite struct DeliveryPlanTests {
    /// The gateway tests' config, with a route that fans out (bulk by default).
    static let yaml =
        GatewayTests.yaml + """

              - { name: fan-out, from: all-hands, to: [news, support], template: "{text}" }
            """

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func job(
        route: String = "customers-in",
        destination: String = "desk",
        decided: TimeInterval = -60,
        notBefore: TimeInterval? = nil,
        origin: String = "tg"
    ) -> OutboxJob {
        OutboxJob(
            id: 1,
            crossing: 1,
            route: route,
            destination: destination,
            text: "t",
            state: notBefore == nil ? .pending : .deferred,
            notBefore: notBefore.map(now.addingTimeInterval),
            createdAt: now.addingTimeInterval(decided),
            originPlatform: origin,
            originConversation: "c",
            originMessage: "m"
        )
    }

    @Test(
        arguments: [
            // A customer's message to the desk: interactive (one destination).
            (job(), nil, DeliveryPlan.send(.interactive)),
            // A fan-out route: bulk by default.
            (job(route: "fan-out", destination: "news", origin: "corp"), nil, .send(.bulk)),
            // An operator's announcement: bulk, whichever route's rules decided it.
            (job(origin: Gate.announcePlatform), nil, .send(.bulk)),
            // A deferred retry not yet due: the head waits, and the queue with it.
            (job(notBefore: 30), nil, .wait(until: now.addingTimeInterval(30))),
            // Due (or past due): sent.
            (job(notBefore: 0), nil, .send(.interactive)),
            (job(notBefore: -5), nil, .send(.interactive)),
            // Its route or this destination of it left the config: cancelled, due or not.
            (job(route: "gone"), nil, .cancel(.routeRemoved)),
            (job(route: "customers-in", destination: "news", notBefore: 30), nil, .cancel(.routeRemoved)),
            // Decided before its channel moved: cancelled; decided after: sent.
            (job(decided: -60), -10, .cancel(.channelMoved(at: now.addingTimeInterval(-10)))),
            (job(decided: -5), -10, .send(.interactive)),
        ] as [(OutboxJob, TimeInterval?, DeliveryPlan)]
    )
    func theHeadOfAQueueHasOnePlan(job: OutboxJob, moved: TimeInterval?, expected: DeliveryPlan) throws {
        let snapshot = ConfigStore(try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "plan.yaml")).current
        #expect(DeliveryPlan.plan(job, in: snapshot, movedAt: moved.map(Self.now.addingTimeInterval), now: Self.now) == expected)
    }
}
