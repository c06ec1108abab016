import GatehouseCore
import Testing

/// A desk message addressed to a ticket: `#1042 text`.
@Suite struct AddresseeTests {
    @Test func aLeadingTicketNumberAddressesTheRestOfTheText() throws {
        let body = RichText(text: "  #1042 Please **call** us", spans: [Span(offset: 15, length: 4, style: .bold)])
        let (ticket, rest) = try #require(Addressee.ticketReference(in: body))
        #expect(ticket == 1042)
        #expect(rest.text == "Please **call** us")
        // The formatting moves with the text.
        #expect(rest.spans == [Span(offset: 7, length: 4, style: .bold)])
        #expect(Addressee.ticketReference(in: RichText(text: "#7\nthanks"))?.rest.text == "thanks")
        #expect(Addressee.ticketReference(in: RichText(text: "#7"))?.ticket == 7)
    }

    @Test func anythingElseNamesNoTicket() {
        for text in ["lunch?", "see #1042 above", "#12a fix", "#", "# 12 hi", "#1234567890123 too long"] {
            #expect(Addressee.ticketReference(in: RichText(text: text)) == nil, "\(text)")
        }
    }
}

/// A quoted desk message names its ticket in its heading.
@Suite struct QuotedTicketTests {
    @Test func theFirstTicketNumberInAQuotesHeadingIsItsTicket() {
        #expect(Addressee.ticket(inQuote: "[#1003 Zhao Lei] question 3") == 1003)
        #expect(Addressee.ticket(inQuote: "#77 thanks") == 77)
        #expect(Addressee.ticket(inQuote: "no ticket here") == nil)
        #expect(Addressee.ticket(inQuote: "# 12") == nil)
        // Only the heading is read: a number far into a long quote is not a ticket.
        #expect(Addressee.ticket(inQuote: String(repeating: "x", count: 80) + " #1001") == nil)
    }
}
