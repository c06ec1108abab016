import GatehouseConfig
import GatehouseCore
import Testing

/// An operator's announcement, decided for each destination by the routes that send there.
@Suite struct AnnouncementGateTests {
    let config: GatewayConfig

    init() throws {
        config = try ConfigLoader(environment: [:]).load(
            yaml: """
                platforms:
                  corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
                  tg: { type: telegram, side: external, token: "1:x" }
                channels:
                  all-hands: { platform: corp, conversation: cidA }
                  board: { platform: corp, announcements: true }
                  desk: { platform: corp, conversation: cidD }
                  news: { platform: tg, chat: -1001 }
                  partners: { platform: tg, chat: -1002 }
                  lonely: { platform: tg, chat: -1003 }
                checks:
                  secret-words: { keywords: [机密] }
                  pii: { detect: [email] }
                routes:
                  - { name: announcements, from: all-hands, to: [news, partners], on: { pii: redact }, template: "📢 {text}" }
                  - { name: partner-desk, from: desk, to: [partners], on: { secret-words: hold } }
                """,
            file: "g.yaml"
        )
    }

    func envelope(_ text: String) -> Envelope {
        Envelope(
            origin: .init(platform: Gate.announcePlatform, conversation: Gate.announceSource, messageID: "a1", eventID: "a1"),
            sender: .init(id: "uid 1000 (ops)", name: "uid 1000 (ops)"),
            body: .init(text: text),
            time: .now,
            labels: ["announcement"]
        )
    }

    @Test func everyRouteToADestinationAppliesAndTheGreatestVerdictWins() throws {
        let crossings = try config.gate.announcement(envelope("机密 roadmap, write to a@acme.example"), to: ["news", "partners"])
        let byDestination = Dictionary(uniqueKeysWithValues: crossings.map { ($0.destination, $0) })
        // news: only the announcements route: the address is masked, the secret word is no rule there.
        #expect(byDestination["news"]?.verdict == .redact && byDestination["news"]?.route == "announcements")
        #expect(byDestination["news"]?.text == "机密 roadmap, write to [REDACTED:email]")
        // partners: both routes; the desk route holds, and the other's mask still applies.
        #expect(byDestination["partners"]?.verdict == .hold && byDestination["partners"]?.route == "partner-desk")
        #expect(byDestination["partners"]?.text == "机密 roadmap, write to [REDACTED:email]")
        #expect(crossings.allSatisfy { $0.direction == .outbound && $0.source == Gate.announceSource })
    }

    @Test func theTextGoesAsWrittenWithoutARoutesTemplate() throws {
        let crossings = try config.gate.announcement(envelope("Office closed on Friday"), to: ["news"])
        #expect(crossings.map(\.text) == ["Office closed on Friday"] && crossings.map(\.verdict) == [.forward])
    }

    @Test func aDestinationWithoutARouteOrThatIsNoPlaceToPublishIsRefused() {
        #expect(throws: Gate.AnnouncementError.self) { try config.gate.announcement(envelope("x"), to: ["lonely"]) }
        #expect(throws: Gate.AnnouncementError.self) { try config.gate.announcement(envelope("x"), to: ["board"]) }
        #expect(throws: Gate.AnnouncementError.self) { try config.gate.announcement(envelope("x"), to: ["nope"]) }
        #expect(throws: Gate.AnnouncementError.self) { try config.gate.announcement(envelope("x"), to: []) }
    }
}
