import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// Announcements (公告): the `blackboard_sent` EVENT, the announcement fetched, an envelope, and
/// the ACK's status only after it was taken.
extension DingTalkAdapterLiveTests {
    @Test func anAnnouncementArrivesAsAnEnvelopeWithItsTitleInBold() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                let published = await emulator.publish(
                    .init(
                        title: "Holiday notice",
                        content: "The office is closed on 1 January.",
                        senderStaffId: "hr0007",
                        categoryName: "行政",
                        attachments: [.init(fileName: "日程", fileType: "pdf")]
                    )
                )
                #expect(await eventually { seen.values.count == 1 })
                let envelope = try #require(seen.values.first)
                #expect(envelope.body.text == "Holiday notice\nThe office is closed on 1 January.")
                #expect(envelope.body.spans == [Span(offset: 0, length: 14, style: .bold)])
                #expect(envelope.origin.conversation == Channel.announcementConversation)
                #expect(envelope.origin.messageID == published.blackboardId)
                #expect(envelope.origin.eventID == published.eventId)
                #expect(envelope.labels == ["announcement"])
                #expect(envelope.sender.id == "hr0007")
                // The attachment is named with its type, so that type checks see it.
                #expect(envelope.attachments.map(\.name) == ["日程.pdf"])
                #expect(await eventually { await emulator.streamStats().eventsAcknowledged == 1 })
                // Well past the ACK timeout: acknowledged SUCCESS, so not pushed again. (On a
                // loaded machine the first ACK may come after the timeout; a push made before
                // it is handed over again, which inbound dedup absorbs, but none after it.)
                let pushed = await emulator.streamStats().eventsPushed
                try await Task.sleep(for: .milliseconds(800))
                #expect(await emulator.streamStats().eventsPushed == pushed)
                #expect(await eventually { seen.values.count == pushed })
                #expect(Set(seen.values.map(\.origin.eventID)).count == 1)
            }
        }
    }

    @Test func aConfidentialAnnouncementIsLabelledSo() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                await emulator.publish(.init(title: "Reorg", content: "Do not share.", senderStaffId: "ceo", privateLevel: 20))
                #expect(await eventually { seen.values.first?.labels == ["announcement", "confidential"] })
            }
        }
    }

    @Test func anAnnouncementNotCommittedIsAnsweredLaterAndPushedAgain() async throws {
        try await withAdapter { adapter, emulator in
            let attempts = Recorder<Int>()
            // The first commit fails (the ledger is busy): the ACK says LATER, and the platform
            // pushes the event again; the second is taken.
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await adapter.receive { events in
                        if attempts.append(1) == 1 { throw CancellationError() }
                        for event in events { try await event.acknowledgement() }
                    }
                }
                defer { group.cancelAll() }
                let published = await emulator.publish(.init(title: "Notice", content: "Twice offered.", senderStaffId: "hr0007"))
                #expect(await eventually { await emulator.streamStats().eventsAcknowledged == 1 })
                let stats = await emulator.streamStats()
                #expect(stats.eventsDeferred == 1)
                #expect(stats.redeliveries >= 1)
                #expect(attempts.values.count == 2)
                _ = published
            }
        }
    }

    @Test func anAnnouncementThatCannotBeReadIsNotOfferedAndNotPushedForever() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                // Deleted before the gateway could read it: get_blackboard says badRequest.
                #expect(await eventually { await emulator.openConnections() == 1 })
                let published = await emulator.publish(.init(title: "Oops", content: "Wrong.", senderStaffId: "hr0007"))
                await emulator.deleteAnnouncement(published.blackboardId)
                #expect(await eventually { await emulator.streamStats().eventsAcknowledged == 1 })
                #expect(seen.values.isEmpty)
            }
        }
    }

    @Test func otherEventsAreConfirmedWithoutAnEnvelope() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                await emulator.pushEvent(eventType: "user_add_org", data: #"{"userId":["015"]}"#)
                #expect(await eventually { await emulator.streamStats().eventsAcknowledged == 1 })
                #expect(seen.values.isEmpty)
            }
        }
    }

    @Test func theEventAckDataFollowsTheProtocolPage() throws {
        let success = try JSONSerialization.jsonObject(with: Data(DingTalkAdapter.EventStatus.success.data.utf8)) as? [String: String]
        #expect(success == ["status": "SUCCESS", "message": "success"])
        let later = try JSONSerialization.jsonObject(with: Data(DingTalkAdapter.EventStatus.later("busy \"now\"").data.utf8)) as? [String: String]
        #expect(later == ["status": "LATER", "message": "busy \"now\""])
    }

    @Test func bothShapesOfTheBlackboardEventAreRead() throws {
        let bare = #"{"blackboardId":"bb1","categoryName":"规则制度","receivers":{"deptIds":"[1]"}}"#
        let wrapped = #"{"eventType":"blackboard_sent","eventId":"e1","data":{"blackboardId":"bb2"}}"#
        #expect(try JSONDecoder().decode(BlackboardSentEvent.self, from: Data(bare.utf8)).blackboardId == "bb1")
        #expect(try JSONDecoder().decode(BlackboardSentEvent.self, from: Data(wrapped.utf8)).blackboardId == "bb2")
    }
}
