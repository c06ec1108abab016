import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

/// What the support desk answers a customer by itself: a greeting on a new ticket, and, outside
/// the desk's hours, the out-of-hours answer, each to that customer alone.
@Suite(.timeLimit(.minutes(1))) struct DeskAnswerTests {
    static let yaml = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          customers: { platform: tg, chat: private }
          desk: { platform: corp, conversation: cidDesk }
        routes:
          - { name: desk-in, from: customers, to: [desk], template: "[{ticket} {sender.name}] {text}" }
          - { name: desk-out, from: desk, to: [customers] }
        desk:
          greeting: "Hi {sender.name}: ticket {ticket}."
          out_of_hours: { outside: { days: mon-fri, hours: "09:00-18:00", tz: Asia/Shanghai }, text: "We answer from 09:00 Beijing time." }
        """

    @Test func aCustomerWritingOutsideTheDesksHoursIsGreetedAndToldWhenTheDeskAnswers() async throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "desk.yaml")
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        let corp = FakeAdapter(platform: "corp")
        let tg = FakeAdapter(platform: "tg")
        let gateway = Gateway(config: config, ledger: ledger, adapters: [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            // Saturday 2026-12-05, 23:00 in Beijing: outside the desk's hours.
            var saturday = Fixtures.envelope(platform: "tg", conversation: "7001", messageID: "5", text: "hello?", sender: "7001", senderName: "Li")
            saturday.labels = [Channel.privateLabel]
            saturday.time = Date(timeIntervalSince1970: 1_796_482_800)
            tg.post(saturday)
            #expect(await eventually { tg.sent.count == 2 && corp.sent.count == 1 })
            // Within the hours: the greeting alone (a new customer), and no out-of-hours answer.
            var monday = Fixtures.envelope(platform: "tg", conversation: "7002", messageID: "9", text: "hi", sender: "7002", senderName: "Wang")
            monday.labels = [Channel.privateLabel]
            monday.time = Date(timeIntervalSince1970: 1_796_607_600)  // Monday 2026-12-07, 09:40 in Beijing
            tg.post(monday)
            #expect(await eventually { tg.sent.count == 3 && corp.sent.count == 2 })
        }
        let toLi = tg.sent.filter { $0.channel.address == .chat("7001", topic: nil) }
        #expect(toLi.map(\.text) == ["Hi Li: ticket #1001.", "We answer from 09:00 Beijing time."])
        #expect(toLi.allSatisfy { $0.replyTo == "5" })
        #expect(tg.sent.filter { $0.channel.address == .chat("7002", topic: nil) }.map(\.text) == ["Hi Wang: ticket #1002."])
        #expect(corp.sent.map(\.text) == ["[#1001 Li] hello?", "[#1002 Wang] hi"])
    }

    @Test func aCustomerFloodingTheBotIsHeldToTheirPaceAndTheExcessIsRecordedNotForwarded() async throws {
        let yaml = Self.yaml.replacingOccurrences(of: "\ndesk:\n", with: "\ndesk:\n  customer_rate: 3/min\n")
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "desk.yaml")
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        let corp = FakeAdapter(platform: "corp")
        let tg = FakeAdapter(platform: "tg")
        let gateway = Gateway(config: config, ledger: ledger, adapters: [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            func post(_ chat: String, _ number: Int) {
                var message = Fixtures.envelope(
                    platform: "tg",
                    conversation: chat,
                    messageID: "\(chat)-\(number)",
                    text: "spam \(number)",
                    sender: chat
                )
                message.labels = [Channel.privateLabel]
                tg.post(message)
            }
            for number in 1...6 { post("666", number) }
            post("7001", 1)
            #expect(await eventually { tg.acknowledged.count == 7 })
            #expect(await eventually { corp.sent.count == 4 })
        }
        // The flooder's first three reached the desk, and the other customer's one.
        #expect(corp.sent.map(\.text).filter { $0.contains("spam") }.count == 4)
        #expect(corp.sent.filter { $0.text.hasPrefix("[#1002") }.count == 1)
        // The excess was taken in (acknowledged) and recorded, in the summary of what was ignored.
        let ignored = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .ignored })
        #expect(ignored.ignored?.reasons == [.init(reason: "desk:over_rate", count: 3)])
        #expect(ignored.ignored?.sources == [.init(address: "666", count: 3)])
    }

    @Test func aRedeliveredDeskCommandIsNotCarriedOutAgain() async throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "desk.yaml")
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        let corp = FakeAdapter(platform: "corp")
        let tg = FakeAdapter(platform: "tg")
        let gateway = Gateway(config: config, ledger: ledger, adapters: [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            func customer(_ id: String) {
                var message = Fixtures.envelope(platform: "tg", conversation: "7001", messageID: id, text: "hello", sender: "7001", senderName: "Li")
                message.labels = [Channel.privateLabel]
                tg.post(message)
            }
            customer("c1")
            #expect(await eventually { try await ledger.ticket(1001) != nil })
            let close = Fixtures.envelope(
                platform: "corp",
                conversation: "cidDesk",
                messageID: "d1",
                text: "/close 1001",
                sender: "s01",
                senderName: "Wang"
            )
            corp.post(close)
            #expect(await eventually { try await ledger.ticket(1001)?.state == .closed })
            customer("c2")
            #expect(await eventually { try await ledger.ticket(1001)?.state == .open })
            // DingTalk pushes the old command again (its ACK was lost): it was committed, so it is
            // a duplicate, and the ticket the customer opened again stays open.
            corp.post(close)
            #expect(await eventually { corp.acknowledged.count == 2 })
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await ledger.ticket(1001)?.state == .open)
        }
    }
}
