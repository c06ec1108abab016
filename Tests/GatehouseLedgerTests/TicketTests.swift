import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// The support desk's tickets in the ledger: one per customer conversation, numbered from 1001,
/// opened again when a customer writes after it was closed.
@Suite struct TicketTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func customer(_ id: String, _ name: String, handle: String? = nil) -> Envelope.Sender {
        var sender = Envelope.Sender(id: id, name: name)
        sender.handle = handle
        sender.language = "zh-hans"
        return sender
    }

    @Test(arguments: LedgerBackend.available) func eachCustomerHasOneTicketNumberedFromTheFirstAndKeepsItWhileItIsOpen(
        _ backend: LedgerBackend
    ) async throws {
        let ledger = try await backend.ledger()
        let li = try await ledger.ticket(
            platform: "tg",
            chat: "7001",
            customer: customer("7001", "Li", handle: "liwei"),
            message: "1",
            connection: nil,
            at: start
        )
        let wang = try await ledger.ticket(platform: "tg", chat: "7002", customer: customer("7002", "Wang"), message: "1", connection: nil, at: start)
        #expect(li.ticket.number == Ticket.firstNumber && li.opened)
        #expect(wang.ticket.number == Ticket.firstNumber + 1 && wang.opened)
        // Li writes again: the same ticket, not opened again, the latest message and profile kept.
        let again = try await ledger.ticket(
            platform: "tg",
            chat: "7001",
            customer: customer("7001", "Li Wei", handle: "liwei"),
            message: "2",
            connection: "bc1",
            at: start.addingTimeInterval(60)
        )
        #expect(again.ticket.number == li.ticket.number && !again.opened)
        #expect(again.ticket.lastMessage == "2" && again.ticket.name == "Li Wei" && again.ticket.handle == "liwei")
        #expect(again.ticket.language == "zh-hans")
        #expect(again.ticket.openedAt == start)
        // They wrote through a Business connection this time: answers go back by it.
        #expect(again.ticket.connection == "bc1" && li.ticket.connection == nil)
        // The same chat id on another platform is another customer.
        let other = try await ledger.ticket(platform: "tg2", chat: "7001", customer: customer("7001", "Li"), message: "1", connection: nil, at: start)
        #expect(other.ticket.number == Ticket.firstNumber + 2)
    }

    @Test(arguments: LedgerBackend.available) func openTicketsAreListedOldestFirstAndFoundByNumber(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        for (index, chat) in ["9", "8", "7"].enumerated() {
            _ = try await ledger.ticket(
                platform: "tg",
                chat: chat,
                customer: customer(chat, "C\(chat)"),
                message: "1",
                connection: nil,
                at: start.addingTimeInterval(Double(index))
            )
        }
        #expect(try await ledger.tickets(in: .open, limit: 10).map(\.chat) == ["9", "8", "7"])
        #expect(try await ledger.tickets(in: .closed, limit: 10).isEmpty)
        #expect(try await ledger.openTicketCount() == 3)
        _ = try await ledger.move(Ticket.firstNumber + 2, to: .closed, by: "s01", at: start)
        _ = try await ledger.move(Ticket.firstNumber + 1, to: .claimed, by: "s01", at: start)
        #expect(try await ledger.openTicketCount() == 2)
        #expect(try await ledger.ticket(Ticket.firstNumber + 1)?.chat == "8")
        #expect(try await ledger.ticket(42) == nil)
        try await ledger.answered(Ticket.firstNumber, at: start.addingTimeInterval(30))
        try await ledger.answered(Ticket.firstNumber, at: start.addingTimeInterval(90))
        // The first answer's time is the one kept.
        #expect(try await ledger.ticket(Ticket.firstNumber)?.firstResponseAt == start.addingTimeInterval(30))
    }
}
