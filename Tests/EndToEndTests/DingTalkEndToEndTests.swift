import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// Confirms each event, the first time it is handed over, only after a delay: what a slow
/// network or a busy host does to an ACK. (Later deliveries of the same event are confirmed at
/// once, so that the platform's pushes do not pile up behind the delays.)
private struct LateAcknowledging: Adapter {
    let wrapped: any Adapter
    let delay: Duration
    /// Event ids handed over so far (intake hands events over one batch at a time).
    let seen = Recorder<String>()

    var platform: String { wrapped.platform }

    func receive(_ handler: @escaping InboundHandler) async throws {
        try await wrapped.receive { [delay, seen] events in
            try await handler(
                events.map { event in
                    let id = event.envelope.origin.eventID
                    let first = !seen.values.contains(id)
                    if first { seen.append(id) }
                    return InboundEvent(
                        envelope: event.envelope,
                        acknowledgement: Acknowledgement {
                            if first { try await Task.sleep(for: delay) }
                            try await event.acknowledgement()
                        }
                    )
                }
            )
        }
    }

    func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        try await wrapped.send(message, progress: progress)
    }

    func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        try await wrapped.edit(nativeIDs, with: message, progress: progress)
    }

    func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {
        try await wrapped.delete(nativeIDs, in: channel, priority: priority)
    }
}

extension EndToEndTests {
    @Test func aLateAckDoesNotMakeASecondCrossing() async throws {
        // The platform pushes an event again when it is not confirmed within 300 ms; the gateway
        // confirms each message 700 ms after committing it. Every announcement is pushed again,
        // decided once. Robot messages are pushed once whatever the ACK (DingTalk's "fire-forgot").
        let settings: (inout DingTalkEmulator.Configuration) -> Void = { $0.ackTimeout = .milliseconds(300) }
        try await withEmulators(try ConfigLoader().load(file: Self.demoConfig), dingtalkSettings: settings) {
            telegram,
            dingtalk,
            config,
            httpClient in
            let late: ([any Adapter]) -> [any Adapter] = { adapters in
                adapters.map { $0.platform == "corp" ? LateAcknowledging(wrapped: $0, delay: .milliseconds(700)) : $0 }
            }
            try await runGateway(config, httpClient, wrap: late) { ledger in
                for number in 1...3 {
                    _ = try await dingtalk.inject(
                        .init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "late \(number)")
                    )
                }
                #expect(await eventually { await dingtalk.streamStats().callbacksAcknowledged == 3 })
                for number in 1...3 {
                    await dingtalk.publish(.init(title: "Late \(number)", content: "Acknowledged late.", senderStaffId: "hr0007"))
                }
                #expect(await eventually { await dingtalk.streamStats().eventsAcknowledged == 3 })
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").count == 6 })
                // Long enough for any second decision to have been delivered too.
                try await Task.sleep(for: .milliseconds(1500))
                let stats = await dingtalk.streamStats()
                #expect(stats.redeliveries >= 3 && stats.eventsPushed >= 6 && stats.callbacksPushed == 3)
                let log = try await ledger.records(from: 1, limit: 100)
                #expect(log.filter { $0.kind == .crossing }.count == 6)
                let texts = await telegram.sent(chatID: "-1001234567890").compactMap(\.text)
                #expect(Array(texts.prefix(3)) == (1...3).map { "📢 late \($0)\n— 王经理" })
                #expect(Set(texts.dropFirst(3)) == Set((1...3).map { "📣 Late \($0)\nAcknowledged late." }))
            }
        }
    }

    @Test func anAnnouncementCrossesOnceAndAConfidentialOneCanBeHeldByARule() async throws {
        // The demo, plus a check on DingTalk's confidential mark that holds such announcements.
        let yaml = try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(of: "    template: \"📣 {text}\"\n", with: "    template: \"📣 {text}\"\n    on: { confidential: hold }\n")
            .replacingOccurrences(of: "checks:\n", with: "checks:\n  confidential: { labels: [confidential] }\n")
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                await dingtalk.publish(.init(title: "Holiday notice", content: "Closed on 1 January.", senderStaffId: "hr0007"))
                await dingtalk.publish(.init(title: "Reorg", content: "Not yet public.", senderStaffId: "ceo", privateLevel: 20))
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").count == 1 })
                let sent = await telegram.sent(chatID: "-1001234567890")
                #expect(sent.first?.text == "📣 Holiday notice\nClosed on 1 January.")
                #expect(sent.first?.entities?.map(\.type) == ["bold"])
                #expect(
                    await eventually {
                        try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }.compactMap(\.verdict) == [.forward, .hold]
                    }
                )
                // Acknowledged once committed: the ACK may follow the record by a moment.
                #expect(await eventually { await dingtalk.streamStats().eventsAcknowledged == 2 })
            }
        }
    }
}
