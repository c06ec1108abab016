import Testing

@testable import GatehouseRuntime

/// What staff can ask of the desk in its group.
@Suite struct DeskCommandTests {
    @Test func theCommandsAndTheirTickets() {
        #expect(DeskCommand("/tickets") == .tickets)
        #expect(DeskCommand("/claim 1042") == .claim(1042))
        #expect(DeskCommand("/CLAIM #1042") == .claim(1042))
        #expect(DeskCommand("/close 7 the customer is happy") == .close(7))
        for text in ["/claim", "/close abc", "/ticket", "tickets", "please /claim 1042", ""] {
            #expect(DeskCommand(text) == nil, "\(text)")
        }
    }
}
