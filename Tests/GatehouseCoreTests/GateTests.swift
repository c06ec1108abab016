import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct GateTests {
    let channels: [String: Channel] = [
        "all-hands": Channel(name: "all-hands", platform: "corp", address: .conversation("cidA")),
        "desk": Channel(name: "desk", platform: "corp", address: .conversation("cidB")),
        "news": Channel(name: "news", platform: "tg", address: .chat("@acme_news", topic: nil)),
        "support": Channel(name: "support", platform: "tg", address: .chat("-1009", topic: nil)),
        "support-billing": Channel(name: "support-billing", platform: "tg", address: .chat("-1009", topic: 42)),
    ]

    func gate(_ routes: [Route]) -> Gate {
        Gate(router: Router(channels: channels, routes: routes), sides: ["corp": .internal, "tg": .external])
    }

    @Test func anAnnouncementCrossesOutboundToEveryDestination() throws {
        let gate = gate([Route(name: "out", from: ["all-hands"], to: ["news", "support"], template: try Template(parsing: "📢 {text}"))])
        let crossings = gate.crossings(for: Fixtures.envelope(platform: "corp", conversation: "cidA", text: "Q3"))
        #expect(crossings.map(\.destination) == ["news", "support"])
        #expect(crossings.allSatisfy { $0.direction == .outbound && $0.verdict == .forward && $0.text == "📢 Q3" && $0.source == "all-hands" })
    }

    @Test func aMessageInAnUnroutedChannelCrossesNowhere() {
        let gate = gate([Route(name: "out", from: ["all-hands"], to: ["news"])])
        #expect(gate.crossings(for: Fixtures.envelope(platform: "corp", conversation: "cidB", text: "x")).isEmpty)
        // Same conversation id on another platform is another channel.
        #expect(gate.crossings(for: Fixtures.envelope(platform: "tg", conversation: "cidA", text: "x")).isEmpty)
    }

    @Test func aRouteNeverEchoesIntoItsSource() {
        let gate = gate([Route(name: "loop", from: ["all-hands", "desk"], to: ["all-hands", "desk"])])
        let crossings = gate.crossings(for: Fixtures.envelope(platform: "corp", conversation: "cidA", text: "x"))
        #expect(crossings.map(\.destination) == ["desk"])
        #expect(crossings.first?.direction == .lateral)
    }

    @Test func topicChannelsAreMoreSpecificAndDestinationsAreDecidedOncePerRoute() {
        let gate = gate([
            Route(name: "in", from: ["support", "support-billing"], to: ["desk"]),
            Route(name: "billing", from: ["support-billing"], to: ["desk"]),
        ])
        let inTopic = gate.crossings(for: Fixtures.envelope(platform: "tg", conversation: "-1009", text: "x", topic: 42))
        #expect(inTopic.map(\.route) == ["in", "billing"])
        #expect(inTopic.allSatisfy { $0.source == "support-billing" && $0.direction == .inbound })
        let elsewhere = gate.crossings(for: Fixtures.envelope(platform: "tg", conversation: "-1009", text: "x", topic: 7))
        #expect(elsewhere.map(\.route) == ["in"])
    }

    @Test func usernameChannelsMatchTheChatHandleCaseInsensitively() {
        let news = channels["news"]!
        var origin = Envelope.Origin(platform: "tg", conversation: "-100555", handle: "Acme_News", messageID: "1", eventID: "1")
        #expect(news.contains(origin))
        origin.handle = nil
        #expect(!news.contains(origin))
    }

    @Test func verdictPrecedenceIsBlockHoldRedactForward() {
        #expect([Verdict.redact, .forward, .block, .hold].max() == .block)
        #expect([Verdict.redact, .forward, .hold].max() == .hold)
        #expect([Verdict.redact, .forward].max() == .redact)
        #expect(Verdict.allCases.filter(\.delivers) == [.forward, .redact])
    }
}
