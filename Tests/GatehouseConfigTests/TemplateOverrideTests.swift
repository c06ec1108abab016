import GatehouseConfig
import GatehouseCore
import Testing

/// A route's text per destination.
@Suite struct TemplateOverrideTests {
    func load(_ route: String) throws -> GatewayConfig {
        try ConfigLoader(environment: [:]).load(
            yaml: """
                platforms:
                  corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
                  tg: { type: telegram, side: external, token: "1:x" }
                channels:
                  all-hands: { platform: corp, conversation: cidA }
                  news: { platform: tg, chat: -1001 }
                  partners: { platform: tg, chat: -1002 }
                routes:
                  - \(route)
                """,
            file: "g.yaml"
        )
    }

    @Test func aDestinationWithItsOwnTemplateGetsItsOwnTextFromTheSameDecision() throws {
        let config = try load(
            #"{ name: r, from: all-hands, to: [news, partners], template: "📢 {text}", templates: { partners: "{text}\n— Acme, {sender.name}" } }"#
        )
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
            sender: .init(id: "u", name: "Wang"),
            body: .init(text: "Q3 is out"),
            time: .now
        )
        let texts = Dictionary(uniqueKeysWithValues: config.gate.crossings(for: envelope).map { ($0.destination, $0.text) })
        #expect(texts == ["news": "📢 Q3 is out", "partners": "Q3 is out\n— Acme, Wang"])
    }

    @Test func aTemplateForAChannelTheRouteDoesNotSendToIsAnError() {
        #expect(throws: ConfigError.self) {
            try load(#"{ name: r, from: all-hands, to: [news], templates: { partners: "{text}" } }"#)
        }
        #expect(throws: ConfigError.self) {
            try load(#"{ name: r, from: all-hands, to: [news], templates: { news: "{nope}" } }"#)
        }
    }
}

/// Which routes' deliveries go first at the platform's limits.
@Suite struct RoutePriorityTests {
    func route(_ text: String) throws -> Route {
        let config = try ConfigLoader(environment: [:]).load(
            yaml: """
                platforms:
                  corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
                  tg: { type: telegram, side: external, token: "1:x" }
                channels:
                  all-hands: { platform: corp, conversation: cidA }
                  board: { platform: corp, announcements: true }
                  news: { platform: tg, chat: -1001 }
                  partners: { platform: tg, chat: -1002 }
                routes:
                  - \(text)
                """,
            file: "g.yaml"
        )
        return try #require(config.routes.first)
    }

    @Test func aRouteThatFansOutOrCarriesAnnouncementsIsBulkAndOneToOnePlaceIsInteractive() throws {
        #expect(try route("{ name: r, from: all-hands, to: [news, partners] }").priority == .bulk)
        #expect(try route("{ name: r, from: board, to: [news] }").priority == .bulk)
        #expect(try route("{ name: r, from: all-hands, to: [news] }").priority == .interactive)
        #expect(try route("{ name: r, from: all-hands, to: [news, partners], priority: interactive }").priority == .interactive)
    }

    @Test func anUnknownPriorityIsNamedWhereItIs() {
        #expect {
            try route("{ name: r, from: all-hands, to: [news], priority: urgent }")
        } throws: { error in
            "\(error)".contains("g.yaml:10:") && "\(error)".contains("priority must be one of interactive, bulk, found 'urgent'")
        }
    }
}
