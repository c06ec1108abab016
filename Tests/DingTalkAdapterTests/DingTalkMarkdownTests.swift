import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseTesting
import Logging
import Testing

@testable import DingTalkAdapter
@testable import TelegramAdapter

/// DingTalk Markdown both ways, against reviewed golden files, and Telegram ↔ DingTalk round trips.
@Suite struct DingTalkMarkdownTests {
    /// `text` with each style on the first occurrence of its substring.
    static func rich(_ text: String, _ marks: [(String, Span.Style)] = []) -> RichText {
        RichText(
            text: text,
            spans: marks.map { covered, style in
                guard let range = text.range(of: covered) else { preconditionFailure("'\(covered)' is not in the text") }
                let offset = text.unicodeScalars.distance(from: text.startIndex, to: range.lowerBound)
                return Span(offset: offset, length: covered.unicodeScalars.count, style: style)
            }
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: RichText
        var testDescription: String { name }
    }

    // MARK: - Writing

    static let writing: [Case] = [
        Case(
            name: "styles",
            body: rich(
                "Q3 results are out: revenue up, costs down. Read the report.",
                [
                    ("Q3 results", .bold), ("revenue up", .italic), ("the report", .link("https://acme.example/q3")),
                ]
            )
        ),
        // A link and an italic inside a bold: one inside the other, no closing in between.
        Case(
            name: "nested",
            body: rich(
                "Read the whole report now",
                [
                    ("Read the whole report", .bold), ("whole", .italic), ("report", .link("https://acme.example/r")),
                ]
            )
        ),
        // Crossing spans close and reopen where one ends.
        Case(name: "overlapping", body: rich("alpha beta gamma", [("alpha beta", .bold), ("beta gamma", .italic)])),
        // No spaces between differently styled runs, as Chinese is written; white space at a
        // span's ends stays outside its markup.
        Case(
            name: "adjacent-cjk",
            body: rich(
                "重要注意事项 请看 好",
                [
                    ("重要", .italic), ("注意", .bold), ("事项", .link("https://acme.example/x")), (" 请看 ", .bold),
                ]
            )
        ),
        // What a person typed that looks like Markdown stays what it was.
        Case(
            name: "escaping",
            body: rich(
                """
                # not a heading
                > not a quote
                *not italic* and _not_ either: 2*3*4 = 24, snake_case_name
                [not a link](https://example.com) and `not code` and ~~not struck~~
                <b>no tag</b> &amp; no entity, a\\b backslash, !image, 100% <3
                ---
                ===
                * * *
                #hashtag
                """,
                [("either", .bold)]
            )
        ),
        // Lists stay lists: the person meant them.
        Case(
            name: "lists",
            body: rich(
                """
                Agenda:
                - item one
                - item two
                1. first
                2) second
                * star item
                + plus item
                  - indented item
                - # heading-like item
                2024. A year, kept as written
                """,
                [("two", .bold), ("first", .italic)]
            )
        ),
        Case(
            name: "quotes",
            body: rich(
                "Li wrote:\nfirst line with *stars*\n\nsecond line\nmy answer",
                [
                    ("first line with *stars*\n\nsecond line", .quote), ("second", .bold),
                ]
            )
        ),
        // Markdown quotes whole lines: a quote that starts inside a line quotes all of it.
        Case(name: "quote-inside-a-line", body: rich("He said: this is quoted\nand this\nafter", [("this is quoted\nand", .quote)])),
        Case(
            name: "code-and-pre",
            body: rich(
                """
                Run swift build, then:
                func main() {
                    print("*hi* [x]")
                }
                Done.
                """,
                [("swift build", .code), ("func main() {\n    print(\"*hi* [x]\")\n}", .pre(language: "swift"))]
            )
        ),
        Case(
            name: "degraded",
            body: rich(
                "under struck hidden chat mail",
                [
                    ("under", .underline), ("struck", .strikethrough), ("hidden", .spoiler),
                    ("chat", .link("tg://resolve?domain=acme")), ("mail", .link("mailto:x@acme.example")),
                ]
            )
        ),
        Case(
            name: "links",
            body: rich(
                "Docs: the guide, the app page, the wiki, [brackets] inside.",
                [
                    ("the guide", .link("https://docs.acme.example/guide?a=1&b=2")),
                    ("the app page", .link("dingtalk://dingtalkclient/page/link?url=x")),
                    ("the wiki", .link("https://en.wikipedia.org/wiki/Foo_(bar) baz")),
                    ("[brackets] inside", .link("https://acme.example/b")), ("brackets", .bold),
                ]
            )
        ),
        // Offsets are Unicode scalars: an emoji sequence is several.
        Case(
            name: "cjk-emoji",
            body: rich(
                "🚀 发布会今天下午 👨‍👩‍👧 家庭日 🎉 详情",
                [
                    ("发布会", .bold), ("👨‍👩‍👧 家庭日", .italic), ("详情", .link("https://acme.example/d")),
                ]
            )
        ),
        Case(name: "line-breaks", body: rich("first\nsecond\n\n\nafter three\r\nwindows\n    indented four\n  two\n\ttab\n", [("first", .bold)])),
        // Addresses are written as they are; markup is never put inside one.
        Case(
            name: "bare-urls",
            body: rich(
                "see https://acme.example/a_b_(c)*x* and https://x.example/_y_. or (https://acme.example/p) ok",
                [
                    ("acme.example/a_b", .bold)
                ]
            )
        ),
    ]

    @Test(arguments: writing)
    func writingMatchesItsGoldenFile(_ test: Case) throws {
        try GoldenFile(name: "write-\(test.name).md").expect(DingTalkMarkdown.markdown(for: test.body) + "\n")
    }

    @Test(arguments: writing)
    func whatIsWrittenReadsBackAsTheSameText(_ test: Case) {
        let back = DingTalkMarkdown.richText(fromMarkdown: DingTalkMarkdown.markdown(for: test.body))
        // Carriage returns are line ends; tabs of indentation come back as four spaces.
        let expected = test.body.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\t", with: "    ")
        #expect(back.text == expected)
    }

    @Test(arguments: [
        ("  \n\n  First line here  \nsecond", "First line here"),
        (String(repeating: "長", count: 64), String(repeating: "長", count: 64)),
        (String(repeating: "a", count: 65), String(repeating: "a", count: 63) + "…"),
        // The cut falls on a character: the family emoji is one, of five scalars.
        (String(repeating: "a", count: 62) + "👨‍👩‍👧" + "bbb", String(repeating: "a", count: 62) + "👨‍👩‍👧" + "…"),
        (" \n ", "…"),
    ])
    func theTitleIsTheFirstLineCutOnACharacter(text: String, title: String) {
        #expect(DingTalkMarkdown.title(for: RichText(text: text)) == title)
        #expect(title.count <= DingTalkMarkdown.titleLimit)
    }

    // MARK: - Reading

    static let reading: [(name: String, markdown: String)] = [
        // The documentation's own example (a custom robot's markdown message), as it is written there.
        (
            "dingtalk-example",
            "#### 杭州天气 @150XXXXXXXX \n> 9度，西北风1级，空气良89，相对温度73%\n"
                + "> ![screenshot](https://img.alicdn.com/tfs/TB1NwmBEL9TBuNjy1zbXXXpepXa-2400-1218.png)\n"
                + "> ###### 10点20分发布 [天气](https://www.dingalk.com) \n"
        ),
        ("headings", "# 一级标题\n## Two **bold** ##\n###### six\n####### seven is text\n#hashtag\n#"),
        (
            "emphasis",
            """
            **bold** *italic* _italic_ ***both*** __strong__
            snake_case_name 2*3*4 a * b **unclosed
            中**「通知」**中 **bold *nested* bold** *a**b*
            """
        ),
        (
            "links-images",
            """
            [link](https://acme.example/a) [**bold link**](https://acme.example/b "title") ![alt text](https://img.example/p.png)
            ![](https://img.example/q.png)<https://auto.example/x> https://bare.example/a_b_ [not a link] [empty]() [rel](/docs)
            """
        ),
        ("quotes-lists", "> quoted **one**\n> > nested two\n\nafter\n- item\n* star\n1. first\n2) second\n---"),
        (
            "escapes-code",
            """
            \\*not italic\\* \\# \\[x\\] back\\\\slash \\q `code *here*` ``a ` b``
            ```swift
            func main() {
                print("*hi*")
            }
            ```
            after
            """
        ),
        ("line-breaks", "first  \n  second\nthird\\\nfourth\n\n\nfifth  \n  \u{A0}\u{A0}indented\r\nlast"),
        ("cjk-emoji", "**重要**：🚀 *发布会* [详情](https://acme.example/d) 👨‍👩‍👧 _家庭_"),
    ]

    @Test(arguments: reading.map(\.name))
    func readingMatchesItsGoldenFile(_ name: String) throws {
        let markdown = try #require(Self.reading.first { $0.name == name }).markdown
        let body = DingTalkMarkdown.richText(fromMarkdown: markdown)
        try GoldenFile(name: "read-\(name).json").expect(try GoldenFile.encode(GoldenFile.json(body)))
    }

    // MARK: - Round trips

    /// Random texts full of Markdown's characters, with random spans (crossing, touching, over
    /// punctuation): whatever is written reads back as the same text, and no formatting appears
    /// that was not there (some may be lost where Markdown cannot write it unambiguously).
    @Test(arguments: 0..<8)
    func randomTextsSurviveTheRoundTrip(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet = [
            "a", "b", "中", "🚀", " ", " ", "\n", "*", "**", "_", "#", "> ", "- ", "1. ", "[", "]", "(", ")", "`",
            "~", "\\", "<b", "&x", "!", ":", "https://x.io/a_b*c", "  ", "=",
        ]
        for _ in 0..<100 {
            var text = (0..<random.next(upTo: 40)).map { _ in alphabet[random.next(upTo: alphabet.count)] }.joined()
            // Spaces at a line's end are not Markdown's to keep.
            text = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
            let count = text.unicodeScalars.count
            guard count > 0 else { continue }
            let styles: [Span.Style] = [.bold, .italic, .link("https://acme.example/l"), .quote, .code, .underline]
            let spans = (0..<random.next(upTo: 5)).map { _ in
                let offset = random.next(upTo: count)
                return Span(offset: offset, length: 1 + random.next(upTo: count - offset), style: styles[random.next(upTo: styles.count)])
            }
            let markdown = DingTalkMarkdown.markdown(for: RichText(text: text, spans: spans))
            let back = DingTalkMarkdown.richText(fromMarkdown: markdown)
            #expect(back.text == text, "\(text.debugDescription) \(spans) → \(markdown.debugDescription)")
            guard back.text == text else { continue }
            let urls = BareURL.ranges(in: Array(text.unicodeScalars))
            for style in [Span.Style.bold, .italic, .link("https://acme.example/l")] {
                // Formatting next to an address covers the whole address.
                let gained = Self.covered(by: back.spans, style).subtracting(Self.covered(by: spans, style))
                    .filter { index in !urls.contains { $0.contains(index) } }
                #expect(gained.isEmpty, "\(style.name) gained in \(text.debugDescription) → \(markdown.debugDescription)")
            }
        }
    }

    /// Formatting as people (and Telegram) make it — on whole words, one span inside another —
    /// over words that look like Markdown: all of it is kept, and the text is the same.
    @Test(arguments: 0..<8)
    func formattingOnWordsIsAlwaysKept(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let words = [
            "alpha", "中文", "🚀", "*", "**x**", "_y_", "#", "> q", "[a](b)", "1.", "-", "`c`", "~~d~~", "\\", "a_b",
            "https://x.io/a_b*c", "(e)", "f!", "<g>", "&h;", "👨‍👩‍👧",
        ]
        for _ in 0..<100 {
            var text = ""
            var starts: [Int] = []
            var ends: [Int] = []
            for index in 0..<(1 + random.next(upTo: 12)) {
                if index > 0 { text += random.next(upTo: 5) == 0 ? "\n" : " " }
                starts.append(text.unicodeScalars.count)
                text += words[random.next(upTo: words.count)]
                ends.append(text.unicodeScalars.count)
            }
            // Nested ranges of whole words on one line: each inside the one before.
            var spans: [Span] = []
            var range = 0..<starts.count
            let styles: [Span.Style] = [.bold, .italic, .link("https://acme.example/l")]
            for style in styles.shuffled(using: &random) where random.next(upTo: 3) > 0 {
                let first = range.lowerBound + random.next(upTo: range.count)
                let last = first + random.next(upTo: range.upperBound - first)
                let covered = text.unicodeScalars.dropFirst(starts[first]).prefix(ends[last] - starts[first])
                guard !covered.contains("\n") else { continue }
                spans.append(Span(offset: starts[first], length: ends[last] - starts[first], style: style))
                range = first..<(last + 1)
            }
            let markdown = DingTalkMarkdown.markdown(for: RichText(text: text, spans: spans))
            let back = DingTalkMarkdown.richText(fromMarkdown: markdown)
            #expect(back.text == text, "\(text.debugDescription) → \(markdown.debugDescription)")
            let urls = BareURL.ranges(in: Array(text.unicodeScalars))
            for style in styles {
                let meant = Self.covered(by: spans, style)
                let read = Self.covered(by: back.spans, style)
                #expect(meant.isSubset(of: read), "\(style.name) lost in \(text.debugDescription) \(spans) → \(markdown.debugDescription)")
                #expect(
                    read.subtracting(meant).allSatisfy { index in urls.contains { $0.contains(index) } },
                    "\(style.name) gained in \(text.debugDescription) → \(markdown.debugDescription)"
                )
            }
        }
    }

    static func covered(by spans: [Span], _ style: Span.Style) -> Set<Int> {
        Set(spans.filter { $0.style == style }.flatMap { $0.offset..<$0.end })
    }

    struct TelegramCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var entities: [MessageEntity]
        /// The entities that come back: those DingTalk can show.
        var kept: [MessageEntity]
        var testDescription: String { name }
    }

    static let telegram: [TelegramCase] = {
        let bold = MessageEntity(type: "bold", offset: 0, length: 10)
        let italic = MessageEntity(type: "italic", offset: 20, length: 10)
        let link = MessageEntity(type: "text_link", offset: 37, length: 10, url: "https://acme.example/q3")
        let nestedBold = MessageEntity(type: "bold", offset: 0, length: 21)
        let nestedItalic = MessageEntity(type: "italic", offset: 9, length: 5)
        let nestedLink = MessageEntity(type: "text_link", offset: 15, length: 6, url: "https://acme.example/r")
        let quote = MessageEntity(type: "blockquote", offset: 10, length: 22)
        // "🚀 发布会今天 👨‍👩‍👧 家庭日": the rocket is 2 UTF-16 units, the family 8.
        let cjkBold = MessageEntity(type: "bold", offset: 3, length: 3)
        let cjkItalic = MessageEntity(type: "italic", offset: 9, length: 12)
        let literal = MessageEntity(type: "bold", offset: 50, length: 4)
        return [
            TelegramCase(
                name: "styles",
                text: "Q3 results are out: revenue up. Read the report.",
                entities: [bold, italic, link],
                kept: [bold, italic, link]
            ),
            TelegramCase(
                name: "nested",
                text: "Read the whole report now",
                entities: [nestedBold, nestedItalic, nestedLink],
                kept: [nestedBold, nestedItalic, nestedLink]
            ),
            TelegramCase(name: "quote", text: "Li wrote:\nfirst line\nsecond line\nmy answer", entities: [quote], kept: [quote]),
            TelegramCase(
                name: "degraded",
                text: "under struck hidden code\nlet x = 1",
                entities: [
                    MessageEntity(type: "underline", offset: 0, length: 5), MessageEntity(type: "strikethrough", offset: 6, length: 6),
                    MessageEntity(type: "spoiler", offset: 13, length: 6), MessageEntity(type: "code", offset: 20, length: 4),
                    MessageEntity(type: "pre", offset: 25, length: 9, language: "swift"),
                ],
                kept: []
            ),
            TelegramCase(name: "cjk-emoji", text: "🚀 发布会今天 👨‍👩‍👧 家庭日", entities: [cjkBold, cjkItalic], kept: [cjkBold, cjkItalic]),
            TelegramCase(
                name: "literal-markdown",
                text: "*stars* and _underscores_ # [brackets](x) `ticks` stay",
                entities: [literal],
                kept: [literal]
            ),
        ]
    }()

    /// Telegram entities → spans → DingTalk Markdown → spans → Telegram entities: the words
    /// arrive intact, bold, italic, links and quotes as they were, and the styles DingTalk lacks
    /// as plain text.
    @Test(arguments: telegram)
    func telegramFormattingCrossesToDingTalkAndBack(_ test: TelegramCase) throws {
        let spans = EntityMapping.spans(from: test.entities, in: test.text)
        let markdown = DingTalkMarkdown.markdown(for: RichText(text: test.text, spans: spans))
        let back = DingTalkMarkdown.richText(fromMarkdown: markdown)
        #expect(back.text == test.text)
        let entities = EntityMapping.entities(from: back.spans, in: back.text) ?? []
        #expect(Set(entities) == Set(test.kept))
        try GoldenFile(name: "round-trip-\(test.name).md").expect(markdown + "\n")
    }

    // MARK: - Inbound richText

    static let inbound: [(name: String, json: String)] = [
        ("inbound-rich-text", #"{"msgtype":"richText","content":{"richText":[{"text":"你好"},{"downloadCode":"mIofN681YE3f","type":"picture"}]}}"#),
        (
            "inbound-rich-text-between-pictures",
            #"""
            {"msgtype":"richText","content":{"richText":[{"text":" 看这个"},{"type":"picture","downloadCode":"dc1"},
             {"text":"和这个"},{"type":"picture","downloadCode":"dc2"},{"text":"\n结束 "}]}}
            """#
        ),
        ("inbound-rich-text-pictures-only", #"{"msgtype":"richText","content":{"richText":[{"type":"picture","downloadCode":"dc1"}]}}"#),
        ("inbound-picture", #"{"msgtype":"picture","content":{"downloadCode":"dc9"}}"#),
    ]

    static let adapter = DingTalkAdapter(
        configuration: .init(platform: "corp", clientID: "dingabc", clientSecret: Secret("s"), robotCode: "dingabc"),
        httpClient: HTTPClient.shared,
        logger: Logger(label: "test")
    )

    static func robotMessage(_ json: String) throws -> RobotMessage {
        // The fields every robot message has, around the content under test.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        object.merge(["msgId": "msgR", "conversationId": "cidAAA==", "conversationType": "2", "senderStaffId": "m01", "senderNick": "王经理"]) { $1 }
        return try JSONDecoder().decode(RobotMessage.self, from: try JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: inbound.map(\.name))
    func inboundPicturesAreAttachmentsAndTextsAreJoined(_ name: String) throws {
        let json = try #require(Self.inbound.first { $0.name == name }).json
        let envelope = try #require(Self.adapter.envelope(from: try Self.robotMessage(json)))
        var golden = GoldenFile.json(envelope.body)
        golden["attachments"] = envelope.attachments.map { ["reference": $0.reference, "isPhoto": $0.isPhoto as Any] }
        try GoldenFile(name: "\(name).json").expect(try GoldenFile.encode(golden))
    }

    @Test func messagesWithNothingToReadAreRecordedAsIgnoredAndStillDecode() throws {
        // audio's content has a number in it, and a text message may carry a string there: neither
        // must make the message unreadable. A voice message is an envelope of its own kind.
        let voice = try Self.robotMessage(#"{"msgtype":"audio","content":{"duration":4000,"downloadCode":"a1","recognition":"钉钉"}}"#)
        #expect(Self.adapter.envelope(from: voice)?.contentKind == .voice)
        // Nothing to read: an envelope intake records as ignored, by its type from a fixed set.
        for (json, what) in [
            (#"{"msgtype":"text","text":{"content":"  "},"content":"stray"}"#, "msgtype:text"),
            (#"{"msgtype":"richText","content":{"richText":[{"text":" "}]}}"#, "msgtype:richText"),
            (#"{"msgtype":"💥 any string at all","content":{}}"#, "msgtype:other"),
        ] {
            let envelope = Self.adapter.envelope(from: try Self.robotMessage(json))
            #expect(envelope?.contentKind == .service && envelope?.body.text == what)
        }
    }

    // MARK: - Sending

    @Test func aLongFormattedSendIsSampleMarkdownWithinTheLimit() throws {
        // Markup, escapes and line breaks make the Markdown much longer than the text.
        var builder = RichTextBuilder()
        for number in 1...400 {
            let start = builder.count
            builder.append("**item \(number)**: _see_ [the notes] 2*3 ")
            builder.mark(start..<(start + 6), .bold)
            let link = builder.count
            builder.append("report")
            builder.mark(link..<builder.count, .link("https://acme.example/report/\(number)"))
            builder.append("\n")
        }
        let body = builder.richText
        let params = try Self.adapter.msgParams(for: body)
        #expect(params.count > 1)
        // Split again by as much as a part came out too large, not into slivers: each part but
        // the last fills more than half of what the platform takes.
        #expect(params.dropLast().allSatisfy { $0.param.utf8.count > DingTalkAdapter.msgParamLimit / 2 })
        #expect(params.allSatisfy { $0.msgKey == "sampleMarkdown" })
        var text = ""
        for (_, param) in params {
            #expect(param.utf8.count <= DingTalkAdapter.msgParamLimit)
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(param.utf8))
            #expect(decoded["title"] == "**item 1**: _see_ [the notes] 2*3 report")
            text += DingTalkMarkdown.richText(fromMarkdown: try #require(decoded["text"])).text
        }
        #expect(text == body.text)
    }

    @Test func plainTextGoesAsSampleTextUnescaped() throws {
        let text = "2*3*4 is _not_ # Markdown [x](y)"
        for spans in [[], [Span(offset: 0, length: 5, style: .code)], [Span(offset: 0, length: 5, style: .link("tg://x"))]] {
            let params = try Self.adapter.msgParams(for: RichText(text: text, spans: spans))
            #expect(params.map(\.msgKey) == ["sampleText"])
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(try #require(params.first).param.utf8))
            #expect(decoded == ["content": text])
        }
    }

    @Test func aCustomRobotGetsFormattedTextAsMarkdown() throws {
        let content = RichText(text: "Q3 *is* out", spans: [Span(offset: 0, length: 2, style: .bold)])
        let title = try #require(DingTalkAdapter.markdownTitle(of: content, format: .plain))
        let parts = try DingTalkAdapter.parts(of: content, format: .plain, limit: 1000) { $0.utf8.count }
        let body = DingTalkAdapter.robotMessage(try #require(parts.first), title: title, uuid: "u")
        #expect(body.msgtype == "markdown")
        #expect(body.markdown?.title == "Q3 *is* out")
        #expect(body.markdown?.text == #"**Q3** \*is\* out"#)
    }
}

extension SplitMix64 {
    /// A number in `0..<bound` (0 when the bound is not positive).
    mutating func next(upTo bound: Int) -> Int {
        Int(next(upperBound: UInt64(max(bound, 1))))
    }
}
