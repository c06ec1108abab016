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
