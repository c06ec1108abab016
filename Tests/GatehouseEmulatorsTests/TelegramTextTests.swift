import Testing

@testable import GatehouseEmulators

@Suite("Telegram text parsing")
struct TelegramTextTests {
    typealias Entity = TelegramEmulator.MessageEntity

    struct Case: Sendable, CustomStringConvertible {
        var mode: String
        var input: String
        var text: String
        var entities: [Entity]
        var description: String { "\(mode): \(input)" }
    }

    static let cases: [Case] = [
        Case(mode: "HTML", input: "<b>bold</b> plain", text: "bold plain", entities: [Entity(type: "bold", offset: 0, length: 4)]),
        Case(
            mode: "HTML",
            input: "a &lt;b&gt; &amp; &quot;c&quot; &#128512; &copy;",
            text: "a <b> & \"c\" 😀 &copy;",
            entities: []
        ),
        Case(
            mode: "HTML",
            input: "😀<i>x</i>",
            text: "😀x",
            entities: [Entity(type: "italic", offset: 2, length: 1)]
        ),
        Case(
            mode: "HTML",
            input: "<pre><code class=\"language-swift\">let x</code></pre>",
            text: "let x",
            entities: [Entity(type: "pre", offset: 0, length: 5, language: "swift")]
        ),
        Case(
            mode: "HTML",
            input: "<b>a<i>b</i></b>",
            text: "ab",
            entities: [Entity(type: "bold", offset: 0, length: 2), Entity(type: "italic", offset: 1, length: 1)]
        ),
        Case(
            mode: "HTML",
            input: "<span class=\"tg-spoiler\">s</span><blockquote expandable>q</blockquote>",
            text: "sq",
            entities: [Entity(type: "spoiler", offset: 0, length: 1), Entity(type: "expandable_blockquote", offset: 1, length: 1)]
        ),
        Case(
            mode: "MarkdownV2",
            input: "*bold* _it_ __u__ ~s~ ||sp|| `c` 1\\.5\\!",
            text: "bold it u s sp c 1.5!",
            entities: [
                Entity(type: "bold", offset: 0, length: 4), Entity(type: "italic", offset: 5, length: 2),
                Entity(type: "underline", offset: 8, length: 1), Entity(type: "strikethrough", offset: 10, length: 1),
                Entity(type: "spoiler", offset: 12, length: 2), Entity(type: "code", offset: 15, length: 1),
            ]
        ),
        Case(
            mode: "MarkdownV2",
            input: "[site](https://acme.example/a\\)b)",
            text: "site",
            entities: [Entity(type: "text_link", offset: 0, length: 4, url: "https://acme.example/a)b")]
        ),
        Case(
            mode: "MarkdownV2",
            input: "```swift\nlet a = 1.0\n```",
            text: "let a = 1.0\n",
            entities: [Entity(type: "pre", offset: 0, length: 12, language: "swift")]
        ),
        Case(
            mode: "MarkdownV2",
            input: ">quoted\n>more\nafter",
            text: "quoted\nmore\nafter",
            entities: [Entity(type: "blockquote", offset: 0, length: 11)]
        ),
        Case(
            mode: "Markdown",
            input: "*b* _i_ [l](http://x.org) `c` 1.5!",
            text: "b i l c 1.5!",
            entities: [
                Entity(type: "bold", offset: 0, length: 1), Entity(type: "italic", offset: 2, length: 1),
                Entity(type: "text_link", offset: 4, length: 1, url: "http://x.org"),
                Entity(type: "code", offset: 6, length: 1),
            ]
        ),
    ]

    @Test("markup is parsed into text and UTF-16 entities", arguments: cases)
    func parses(_ example: Case) throws {
        let parsed = try TelegramText.parse(example.input, parseMode: example.mode, entities: nil)
        #expect(parsed.text == example.text)
        #expect(parsed.entities == example.entities)
    }

    static let failures: [(mode: String, input: String, description: String)] = [
        ("HTML", "1 < 2", "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2"),
        ("HTML", "<b>x</i>", "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""),
        ("HTML", "<b>x", "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("HTML", "<marquee>x</marquee>", "Bad Request: can't parse entities: Unsupported start tag \"marquee\" at byte offset 0"),
        ("HTML", "<span>x</span>", "Bad Request: can't parse entities: Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"),
        ("MarkdownV2", "Version 1.5", "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("MarkdownV2", "*bold", "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"),
        ("MarkdownV2", "a-b", "Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("Markdown", "_open", "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0"),
        ("Textile", "x", "Bad Request: unsupported parse_mode"),
    ]

    @Test("malformed markup is refused with the Bot API's description")
    func failures() {
        for failure in Self.failures {
            let error = #expect(throws: TelegramAPIError.self) {
                _ = try TelegramText.parse(failure.input, parseMode: failure.mode, entities: nil)
            }
            #expect(error?.description == failure.description)
        }
    }

    @Test("explicit entities must stay inside the text and off surrogate halves; parse_mode is then ignored")
    func explicitEntities() throws {
        let text = "a😀b"  // UTF-16: a, high, low, b
        let valid = try TelegramText.parse(text, parseMode: "HTML", entities: [Entity(type: "bold", offset: 1, length: 2)])
        #expect(valid.entities == [Entity(type: "bold", offset: 1, length: 2)])
        for bad in [
            Entity(type: "bold", offset: 2, length: 1), Entity(type: "bold", offset: 0, length: 2),
            Entity(type: "bold", offset: 3, length: 2), Entity(type: "bold", offset: -1, length: 1),
            Entity(type: "bold", offset: 0, length: 0), Entity(type: "blink", offset: 0, length: 1),
            Entity(type: "text_link", offset: 0, length: 1),
        ] {
            #expect(throws: TelegramAPIError.self) { try TelegramText.parse(text, parseMode: nil, entities: [bad]) }
        }
    }

    @Test("message length counts characters and refuses whitespace-only text")
    func lengths() throws {
        try TelegramText(text: String(repeating: "😀", count: 4096), entities: []).checkMessageLength()
        #expect(throws: TelegramAPIError.self) {
            try TelegramText(text: String(repeating: "a", count: 4097), entities: []).checkMessageLength()
        }
        #expect(throws: TelegramAPIError.self) { try TelegramText(text: " \n ", entities: []).checkMessageLength() }
    }
}
