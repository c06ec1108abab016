import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// A `kinds:` check: a route blocks, holds or allows a message by what it is.
@Suite struct KindsCheckTests {
    static let yaml =
        RulesConfigTests.base + """
            checks:
              no-stickers: { kinds: [sticker, dice] }
              review-contacts: { kinds: [contact, location] }
            routes:
              - name: out
                from: all-hands
                to: news
                on: { no-stickers: block, review-contacts: hold }
            """

    func verdict(_ kind: ContentKind?, text: String) throws -> Verdict? {
        let config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "g.yaml")
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
            sender: .init(id: "u1", name: "Ada"),
            body: .init(text: text),
            time: Date(timeIntervalSince1970: 1_790_000_000),
            contentKind: kind
        )
        return config.gate.crossings(for: envelope).first?.verdict
    }

    /// A message of a kind, and the verdict the route gives it.
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: ContentKind?
        var text: String
        var expected: Verdict?
        var testDescription: String { "\(kind?.rawValue ?? "text") → \(expected?.rawValue ?? "none")" }
    }

    static let cases = [
        Case(kind: .sticker, text: "[sticker 😀]", expected: .block),
        Case(kind: .dice, text: "[dice 🎲 4]", expected: .block),
        Case(kind: .contact, text: "[contact: Li Wei, 13812345678]", expected: .hold),
        Case(kind: .location, text: "[location: 31.23, 121.47]", expected: .hold),
        Case(kind: .poll, text: "[poll: lunch? — yes / no]", expected: .forward),
        Case(kind: nil, text: "plain words", expected: .forward),
    ]

    @Test(arguments: cases)
    func eachKindIsDecidedByTheChecksThatNameIt(_ test: Case) throws {
        #expect(try verdict(test.kind, text: test.text) == test.expected)
    }

    @Test func dingTalksMsgtypesNameTheKindsTheyAre() throws {
        let yaml =
            RulesConfigTests.base + """
                checks:
                  no-files: { kinds: [picture, file] }
                routes:
                  - { name: out, from: all-hands, to: news, on: { no-files: block } }
                """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml")
        for (kind, expected) in [(ContentKind.photo, Verdict.block), (.document, .block), (.voice, .forward)] {
            let envelope = Envelope(
                origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
                sender: .init(id: "u1", name: "Ada"),
                body: .init(text: ""),
                time: Date(timeIntervalSince1970: 1_790_000_000),
                contentKind: kind
            )
            #expect(config.gate.crossings(for: envelope).first?.verdict == expected, "\(kind)")
        }
    }

    @Test func aKindsCheckCannotRedactForItHasNothingToMask() {
        let yaml = Self.yaml.replacingOccurrences(of: "no-stickers: block", with: "no-stickers: redact")
        #expect(throws: (any Error).self) { try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml") }
    }
}

/// A mirror no source can trigger loads, with a warning that says why.
@Suite struct MirrorWarningTests {
    func warnings(_ from: String, _ mirror: String) throws -> [String] {
        let yaml =
            RulesConfigTests.base + """
                  support: { platform: tg, chat: -1002 }
                routes:
                  - { name: r, from: \(from), to: [news], mirror: \(mirror) }
                """
        return try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml").warnings.map(\.message)
    }

    @Test func aDeleteMirrorNeverFiresFromAnySource() throws {
        #expect(
            try warnings("support", "[edit, delete]") == [
                "route 'r': mirror: delete never fires: neither Telegram's Bot API nor DingTalk's robot messages tell a bot that a message was deleted"
            ]
        )
    }

    @Test func anEditMirrorFiresOnlyFromTelegram() throws {
        #expect(try warnings("support", "[edit]").isEmpty)
        #expect(
            try warnings("all-hands", "[edit]") == [
                "route 'r': mirror: edit never fires: the route reads only DingTalk, which does not tell a robot that a message was edited"
            ]
        )
    }
}

/// A route's `placeholders:` replace a kind's label in what crosses; the native form, which a
/// destination that has it sends instead of the label, crosses only when the label was untouched.
@Suite struct PlaceholderTests {
    func crossing(_ route: String, native: NativeContent, text: String) throws -> Crossing? {
        let yaml =
            RulesConfigTests.base + """
                checks:
                  phones: { detect: [cn_mobile] }
                routes:
                  - \(route)
                """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml")
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
            sender: .init(id: "u1", name: "Ada"),
            body: .init(text: text),
            time: Date(timeIntervalSince1970: 1_790_000_000),
            contentKind: native.kind,
            native: native
        )
        return config.gate.crossings(for: envelope).first
    }

    static let location = NativeContent(label: "[location: 31.23, 121.47]", shape: .location(latitude: 31.23, longitude: 121.47))
    static let contact = NativeContent(
        label: "[contact: Li, 13812345678]",
        shape: .contact(phoneNumber: "13812345678", firstName: "Li", lastName: nil)
    )

    @Test func theRoutesPlaceholderTakesTheLabelsPlaceAndTheNativeFormStillCrosses() throws {
        let sent = try #require(
            try crossing(
                #"{ name: out, from: all-hands, to: news, placeholders: { location: "📍 (a place)" } }"#,
                native: Self.location,
                text: "meet here\n[location: 31.23, 121.47]"
            )
        )
        #expect(sent.text == "meet here\n📍 (a place)")
        #expect(sent.native?.label == "📍 (a place)")
        #expect(sent.native?.shape == Self.location.shape)
    }

    @Test func anEmptyPlaceholderLeavesNothingOfTheLabel() throws {
        let sent = try #require(
            try crossing(
                #"{ name: out, from: all-hands, to: news, placeholders: { location: "" } }"#,
                native: Self.location,
                text: "meet here\n[location: 31.23, 121.47]"
            )
        )
        #expect(sent.text == "meet here")
    }

    @Test func aLabelTheRulesMaskedCrossesMaskedAndWithoutItsNativeForm() throws {
        let sent = try #require(
            try crossing("{ name: out, from: all-hands, to: news, on: { phones: redact } }", native: Self.contact, text: "[contact: Li, 13812345678]")
        )
        #expect(sent.verdict == .redact)
        #expect(!sent.text.contains("13812345678"))
        #expect(sent.native == nil)
        // Unmasked, the card crosses.
        let plain = try #require(try crossing("{ name: out, from: all-hands, to: news }", native: Self.contact, text: "[contact: Li, 13812345678]"))
        #expect(plain.native == Self.contact)
    }

    @Test func anUnknownKindInPlaceholdersIsNamedWithWhereItIs() {
        #expect(throws: (any Error).self) {
            try crossing(#"{ name: out, from: all-hands, to: news, placeholders: { stickr: "" } }"#, native: Self.location, text: "x")
        }
    }
}

/// `senders:` by department, as the directory names them.
@Suite struct SendersByDepartmentTests {
    func fires(_ senders: String, id: String, departments: [String]?) throws -> Bool {
        let yaml =
            RulesConfigTests.base + """
                checks:
                  who: { senders: \(senders) }
                routes:
                  - { name: out, from: all-hands, to: news, on: { who: block } }
                """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml")
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
            sender: .init(id: id, name: id, department: departments?.joined(separator: "、"), departments: departments),
            body: .init(text: "x"),
            time: Date(timeIntervalSince1970: 1_790_000_000)
        )
        return config.gate.crossings(for: envelope).first?.verdict == .block
    }

    @Test func anAllowListOfDepartmentsAndPeopleLetsInEitherAndDenyWins() throws {
        let senders = "{ allow: [ceo], allow_departments: [市场部], deny_departments: [外包] }"
        #expect(try !fires(senders, id: "m01", departments: ["市场部"]))
        #expect(try !fires(senders, id: "ceo", departments: nil))
        #expect(try fires(senders, id: "m02", departments: ["研发部"]))
        // Unknown to the directory: in no department.
        #expect(try fires(senders, id: "m03", departments: nil))
        #expect(try fires(senders, id: "m04", departments: ["市场部", "外包"]))
        #expect(try fires("{ deny_departments: [外包] }", id: "m05", departments: ["外包"]))
        #expect(try !fires("{ deny_departments: [外包] }", id: "m06", departments: nil))
    }
}

/// `chat: private`: every private chat with a Telegram bot, one channel (the support desk's customers).
@Suite struct PrivateChatsChannelTests {
    @Test func aChannelOfPrivateChatsTakesMessagesFromAnyPrivateChatAndNoGroup() throws {
        let yaml =
            RulesConfigTests.base.replacingOccurrences(of: "channels:\n", with: "channels:\n  customers: { platform: tg, chat: private }\n")
                + """
                routes:
                  - { name: desk-in, from: customers, to: all-hands, template: "[{ticket} {sender.name}] {text}" }
                """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml")
        #expect(config.channels["customers"]?.address == .privateChats)
        func envelope(chat: String, labels: Set<String>) -> Envelope {
            var envelope = Envelope(
                origin: .init(platform: "tg", conversation: chat, messageID: "1", eventID: "1"),
                sender: .init(id: chat, name: "Li"),
                body: .init(text: "hello"),
                time: Date(timeIntervalSince1970: 1_790_000_000),
                labels: labels
            )
            envelope.ticket = 1001
            return envelope
        }
        #expect(config.gate.crossings(for: envelope(chat: "7001", labels: [Channel.privateLabel])).map(\.text) == ["[#1001 Li] hello"])
        #expect(config.gate.crossings(for: envelope(chat: "-1001999", labels: [])).isEmpty)
    }

    @Test func privateChatsHaveNoTopics() {
        let yaml = RulesConfigTests.base.replacingOccurrences(
            of: "channels:\n",
            with: "channels:\n  customers: { platform: tg, chat: private, topic: 3 }\n"
        )
        #expect(throws: (any Error).self) { try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml") }
    }
}
