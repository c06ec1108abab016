import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// The support desk over both emulators: customers write to the bot in private chats, each
/// conversation is a ticket posted to the desk's DingTalk group headed with its number, and staff
/// answer one customer with `#N …`, decided by the outbound rules like any crossing.
extension EndToEndTests {
    @Test func customersWriteInTicketsAndTheDeskAnswersEachCustomerAlone() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-desk-\(UUID().uuidString.prefix(8)).sock").path
        // The demo's desk, with staff answering from their one-to-one chats too.
        let yaml =
            try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
            .replacingOccurrences(of: "channels:\n", with: "channels:\n  staff: { platform: corp, conversation: private }\n")
            .replacingOccurrences(of: "  - name: desk-out\n    from: desk\n", with: "  - name: desk-out\n    from: [desk, staff]\n")
            + "\nlisten: { admin: \"\(socket)\" }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                let customers = [(7001, "Li Wei"), (7002, "Wang Fang"), (7003, "Zhao Lei")].map { id, name in
                    (
                        chat: TelegramEmulator.Chat(id: Int64(id), type: .private, firstName: name),
                        user: TelegramEmulator.User(id: Int64(id), firstName: name)
                    )
                }
                var asked: [Int64] = []
                for (index, customer) in customers.enumerated() {
                    let posted = try await telegram.inject(.init(chat: customer.chat, from: customer.user, text: "question \(index + 1)"))
                    asked.append(posted.messageID)
                }
                #expect(await eventually { await dingtalk.sent(conversation: "cidServiceDesk0==").count == 3 })
                let desk = await dingtalk.sent(conversation: "cidServiceDesk0==").compactMap(\.content)
                #expect(desk == ["[#1001 Li Wei] question 1", "[#1002 Wang Fang] question 2", "[#1003 Zhao Lei] question 3"])

                // The desk answers Wang Fang alone, as a reply, with the phone number masked by
                // the outbound rules; chatter at the desk and a ticket that does not exist reach no one.
                for text in ["#1002 please call us on 13812345678", "lunch anyone?", "#9999 hello?"] {
                    _ = try await dingtalk.inject(.init(conversationId: "cidServiceDesk0==", senderStaffId: "s01", senderNick: "客服小王", text: text))
                }
                // Each new ticket's customer was greeted, as a reply to their first message.
                #expect(await eventually { await telegram.sent(chatID: "7002").count == 2 })
                let greeting = try #require(await telegram.sent(chatID: "7002").first)
                #expect(greeting.text == "Hello Wang Fang, this is Acme support: your ticket is #1002.")
                #expect(greeting.replyToMessageID == asked[1])
                let answer = try #require(await telegram.sent(chatID: "7002").last)
                #expect(answer.text == "please call us on [REDACTED:cn_mobile]")
                #expect(answer.replyToMessageID == asked[1])
                // The desk is told that #9999 does not exist.
                #expect(
                    await eventually {
                        await dingtalk.sent(conversation: "cidServiceDesk0==").contains {
                            $0.content == "There is no ticket #9999: nothing was sent."
                        }
                    }
                )

                // Zhao Lei is answered by quoting their message at the desk (the quoted-reply shape
                // DingTalk's callbacks show, which its documentation does not describe).
                _ = try await dingtalk.inject(
                    .init(
                        conversationId: "cidServiceDesk0==",
                        senderStaffId: "s02",
                        senderNick: "客服小李",
                        text: "we are on it",
                        quote: .init(msgId: "msgQ1", senderId: "robot", content: "[#1003 Zhao Lei] question 3")
                    )
                )
                #expect(await eventually { await telegram.sent(chatID: "7003").count == 2 })
                #expect(await telegram.sent(chatID: "7003").last?.text == "we are on it")
                #expect(await telegram.sent(chatID: "7003").last?.replyToMessageID == asked[2])
                #expect(await telegram.sent(chatID: "7001").compactMap(\.text) == ["Hello Li Wei, this is Acme support: your ticket is #1001."])

                // A staff member takes Li Wei's ticket in their one-to-one chat with the robot and
                // answers from there; after /release, what they write goes to no one.
                func direct(_ text: String) async throws {
                    _ = try await dingtalk.inject(
                        .init(conversationId: "cidStaff03==", conversationType: "1", senderStaffId: "s03", senderNick: "客服小赵", text: text)
                    )
                }
                try await direct("/take 1001")
                // The desk's group sees who has which ticket.
                #expect(
                    await eventually {
                        await dingtalk.sent(conversation: "cidServiceDesk0==").last?.content
                            == "客服小赵 has ticket #1001 (Li Wei): what they write in their one-to-one chat goes to them, until /release."
                    }
                )
                try await direct("your parcel left the warehouse today")
                #expect(await eventually { await telegram.sent(chatID: "7001").count == 2 })
                #expect(await telegram.sent(chatID: "7001").last?.text == "your parcel left the warehouse today")
                #expect(await telegram.sent(chatID: "7001").last?.replyToMessageID == asked[0])
                try await direct("/release")
                #expect(
                    await eventually {
                        await dingtalk.sent(conversation: "cidServiceDesk0==").last?.content == "客服小赵 released ticket #1001 (Li Wei)."
                    }
                )
                try await direct("talking to myself")
                try await Task.sleep(for: .milliseconds(300))
                #expect(await telegram.sent(chatID: "7001").count == 2)
                // Taking claimed it for them.
                #expect(try await ledger.ticket(1001)?.claimedBy == "客服小赵")

                // The desk's commands: claim, list, close; an answer to a closed ticket is not sent.
                func command(_ text: String) async throws -> String? {
                    let before = await dingtalk.sent(conversation: "cidServiceDesk0==").count
                    _ = try await dingtalk.inject(.init(conversationId: "cidServiceDesk0==", senderStaffId: "s01", senderNick: "客服小王", text: text))
                    guard await eventually({ await dingtalk.sent(conversation: "cidServiceDesk0==").count > before }) else { return nil }
                    return await dingtalk.sent(conversation: "cidServiceDesk0==").last?.content
                }
                #expect(try await command("/claim 1002") == "Ticket #1002 (Wang Fang) is claimed by 客服小王.")
                let listed = try await command("/tickets")
                #expect(listed == "Open tickets, oldest first:\n#1001 Li Wei (claimed by 客服小赵)\n#1002 Wang Fang (claimed by 客服小王)\n#1003 Zhao Lei")
                #expect(try await command("/close 1003") == "Ticket #1003 (Zhao Lei) is closed by 客服小王.")
                #expect(try await command("#1003 one more thing") == "Ticket #1003 is closed: nothing was sent. It opens again when Zhao Lei writes.")
                #expect(await telegram.sent(chatID: "7003").count == 2)
                // Zhao Lei writes again: the same ticket, open again, and they are told so.
                _ = try await telegram.inject(.init(chat: customers[2].chat, from: customers[2].user, text: "still broken"))
                #expect(
                    await eventually { await dingtalk.sent(conversation: "cidServiceDesk0==").last?.content == "[#1003 Zhao Lei] still broken" }
                )
                #expect(try await ledger.ticket(1003)?.state == .open)
                #expect(await eventually { await telegram.sent(chatID: "7003").last?.text == "Welcome back: ticket #1003 is open again." })

                // Wang Fang blocks the bot: the answer cannot reach them (403), and their ticket closes.
                await telegram.block(by: 7002)
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidServiceDesk0==", senderStaffId: "s01", senderNick: "客服小王", text: "#1002 anything else?")
                )
                #expect(await eventually { try await ledger.ticket(1002)?.state == .closed })
                let refused = try await ledger.records(from: 1, limit: 200).last { $0.kind == .delivery && $0.outcome == .dead }
                #expect(refused?.reason?.contains("blocked") == true)
                // The others are closed at the desk: every ticket ends closed.
                #expect(try await command("/close 1001") == "Ticket #1001 (Li Wei) is closed by 客服小王.")
                #expect(try await command("/close 1003") == "Ticket #1003 (Zhao Lei) is closed by 客服小王.")
                #expect(try await ledger.tickets(in: .closed, limit: 10).map(\.number).sorted() == [1001, 1002, 1003])
                #expect(try await command("/tickets") == "No open tickets.")

                // Zhao Lei's rights: their conversation exported, then erased, and the log still verifies.
                let zhao = Subject(platforms: ["outreach"], person: "7003")
                let exported = try AuditSubject.export(LedgerReader(directory: config.state), zhao)
                #expect(exported.joined().contains("still broken") && exported.joined().contains("we are on it"))
                #expect(!exported.joined().contains("question 1"))
                let erase = try #require(
                    try GatehouseCommand.parseAsRoot([
                        "audit", "erase", "--subject", "telegram:7003", "--reason", "asked by the customer", "--socket", socket,
                    ])
                        as? AuditErase
                )
                try await erase.run()
                let erased = try AuditSubject.export(LedgerReader(directory: config.state), zhao).joined()
                #expect(!erased.contains("still broken") && !erased.contains("we are on it") && !erased.contains("Zhao Lei"))
                #expect(try LedgerReader(directory: config.state).verify().intact)

                // Every crossing of the conversation carries its ticket.
                let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
                #expect(crossings.filter { $0.route == "desk-in" }.compactMap(\.ticket) == [1001, 1002, 1003, 1003])
                // (The greetings, the desk's own words, are crossings of the route to the customers too.)
                #expect(
                    crossings.filter { $0.route == "desk-out" && $0.origin?.channel != "(desk)" && $0.ticket != nil }.map(\.ticket) == [
                        1002, 1003, 1001, 1002,
                    ]
                )
                #expect(
                    crossings.filter { $0.route == "desk-out" && $0.origin?.channel == "(desk)" }.compactMap(\.ticket) == [1001, 1002, 1003, 1003]
                )
                #expect(crossings.first { $0.route == "desk-out" && $0.ticket == 1002 && $0.origin?.channel != "(desk)" }?.verdict == .redact)
                // The customer's profile is the ticket's.
                let ticket = try #require(try await ledger.ticket(1002))
                #expect(ticket.chat == "7002" && ticket.name == "Wang Fang")
            }
        }
    }
}

extension EndToEndTests {
    @Test func aCustomerWritingToAConnectedBusinessAccountIsAnsweredThroughIt() async throws {
        try await withEmulators(try ConfigLoader().load(file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                let owner = TelegramEmulator.User(id: 900, firstName: "Acme Shop")
                await telegram.connectBusiness(id: "bc-acme", user: owner, userChatID: 900)
                let chat = TelegramEmulator.Chat(id: 7777, type: .private, firstName: "Sun Mei")
                let customer = TelegramEmulator.User(id: 7777, firstName: "Sun Mei")
                let asked = try await telegram.inject(
                    .init(kind: .businessMessage, chat: chat, from: customer, text: "is the shop open today?", businessConnectionID: "bc-acme")
                )
                // The business account's own message in that chat is not the customer's.
                _ = try await telegram.inject(
                    .init(kind: .businessMessage, chat: chat, from: owner, text: "one moment", businessConnectionID: "bc-acme")
                )
                #expect(
                    await eventually {
                        await dingtalk.sent(conversation: "cidServiceDesk0==").contains { $0.content == "[#1001 Sun Mei] is the shop open today?" }
                    }
                )
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidServiceDesk0==", senderStaffId: "s01", senderNick: "客服小王", text: "#1001 yes, until 21:00")
                )
                // The greeting and the answer go back through the business connection, as replies.
                #expect(await eventually { await telegram.sent(chatID: "7777").count == 2 })
                let sent = await telegram.sent(chatID: "7777")
                #expect(sent.map(\.businessConnectionID) == ["bc-acme", "bc-acme"])
                #expect(sent.last?.text == "yes, until 21:00" && sent.last?.replyToMessageID == asked.messageID)
                #expect(try await ledger.ticket(1001)?.connection == "bc-acme")
                #expect(await !dingtalk.sent(conversation: "cidServiceDesk0==").contains { $0.content?.contains("one moment") == true })
            }
        }
    }
}
