import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct RichTextTests {
    /// The text a span covers.
    private func covered(_ body: RichText, _ span: Span) -> String {
        let scalars = Array(body.text.unicodeScalars)
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[span.offset..<span.end])
        return text
    }

    @Test func maskingMovesTheFormattingWithTheText() {
        // "call 13812345678 now, 👍 **bold**"
        let body = RichText(
            text: "call 13812345678 now 👍 bold",
            spans: [
                Span(offset: 0, length: 4, style: .italic),
                Span(offset: 23, length: 4, style: .bold),
            ]
        )
        let masked = Redactor.mask(body, [Finding(check: "pii", detector: "cn_mobile", offset: 5, length: 11)])
        #expect(masked.text == "call [REDACTED:cn_mobile] now 👍 bold")
        #expect(masked.spans.map { covered(masked, $0) } == ["call", "bold"])
    }

    @Test func aLinkTouchingAMaskedRangeLosesItsTarget() {
        let body = RichText(
            text: "see my card 6222021234567890123 here",
            spans: [
                Span(offset: 4, length: 27, style: .link("https://pay.example/6222021234567890123")),
                Span(offset: 0, length: 3, style: .bold),
            ]
        )
        let masked = Redactor.mask(body, [Finding(check: "pii", detector: "bank_card", offset: 12, length: 19)])
        #expect(masked.text == "see my card [REDACTED:bank_card] here")
        #expect(masked.spans == [Span(offset: 0, length: 3, style: .bold)])
    }

    @Test func aSpanAcrossAMaskStretchesOverTheLabel() {
        let body = RichText(text: "secret: abc123 end", spans: [Span(offset: 0, length: 18, style: .quote)])
        let masked = Redactor.mask(body, [Finding(check: "c", detector: "api_token", offset: 8, length: 6)])
        #expect(masked.spans == [Span(offset: 0, length: masked.text.unicodeScalars.count, style: .quote)])
    }

    @Test func aHiddenLinkTargetIsInspected() throws {
        let links = try LinkDetector(allow: ["acme.example", "*.acme.example"], deny: [])
        let check = Check(name: "links", detectors: [links])
        var envelope = Fixtures.envelope(platform: "p", conversation: "c", text: "read the docs or the FAQ")
        envelope.body.spans = [
            Span(offset: 9, length: 4, style: .link("https://docs.acme.example/x")),
            Span(offset: 21, length: 3, style: .link("https://evil.example/faq")),
        ]
        let findings = Policy(checks: ["links": check]).inspect(envelope, checks: ["links"]).findings["links"]
        #expect(findings == [Finding(check: "links", detector: "link", offset: 21, length: 3)])
    }

    @Test func theTemplateCarriesTheBodysFormattingToWhereTheTextLands() throws {
        let template = try Template(parsing: "📢 {sender.name}: {text} (via {platform})")
        var envelope = Fixtures.envelope(platform: "corp", conversation: "cid", text: "Hello world", senderName: "李雷")
        envelope.body.spans = [Span(offset: 6, length: 5, style: .bold)]
        let rendered = Renderer().render(
            template,
            body: envelope.body,
            envelope: envelope,
            context: .init(route: "r", channel: "c", platform: "corp")
        )
        #expect(rendered.text == "📢 李雷: Hello world (via corp)")
        #expect(rendered.spans.map { covered(rendered, $0) } == ["world"])
    }

    @Test func aSplitNeverCutsASpanThatFitsAPart() {
        // A link of 30 scalars placed across where a 100-unit part would end.
        let text = String(repeating: "a", count: 80) + String(repeating: "L", count: 30) + String(repeating: "b", count: 60)
        let body = RichText(text: text, spans: [Span(offset: 80, length: 30, style: .link("https://acme.example"))])
        let parts = TextSplitter(limit: 100, measure: .utf16).split(body)
        #expect(parts.map(\.text).joined() == text)
        #expect(parts[0].text == String(repeating: "a", count: 80))
        #expect(parts[0].spans.isEmpty)
        #expect(parts[1].spans == [Span(offset: 0, length: 30, style: .link("https://acme.example"))])
    }

    @Test func aSpanLongerThanAPartIsCutAndEachPartKeepsItsShare() {
        let text = String(repeating: "x", count: 250)
        let body = RichText(text: text, spans: [Span(offset: 10, length: 230, style: .pre(language: "swift"))])
        let parts = TextSplitter(limit: 100, measure: .utf16).split(body)
        #expect(parts.map(\.text.count) == [100, 100, 50])
        #expect(
            parts.map(\.spans) == [
                [Span(offset: 10, length: 90, style: .pre(language: "swift"))],
                [Span(offset: 0, length: 100, style: .pre(language: "swift"))],
                [Span(offset: 0, length: 40, style: .pre(language: "swift"))],
            ]
        )
    }

    @Test func spansOffsetsAreScalarsWhateverTheMeasure() {
        // Emoji are 2 UTF-16 units but one scalar: the second part's span must still land on "bold".
        let text = String(repeating: "😀", count: 60) + " bold"
        let body = RichText(text: text, spans: [Span(offset: 61, length: 4, style: .bold)])
        let parts = TextSplitter(limit: 100, measure: .utf16).split(body)
        #expect(parts.count == 2)
        let last = parts[1]
        #expect(last.spans.map { covered(last, $0) } == ["bold"])
    }

    @Test func stylesRoundTripThroughTheirStoredForm() throws {
        let spans: [Span] = [
            .init(offset: 0, length: 1, style: .bold), .init(offset: 1, length: 2, style: .pre(language: nil)),
            .init(offset: 3, length: 1, style: .pre(language: "swift")), .init(offset: 4, length: 1, style: .link("https://a.example")),
            .init(offset: 5, length: 1, style: .quote), .init(offset: 6, length: 1, style: .spoiler),
        ]
        let data = try JSONEncoder().encode(spans)
        #expect(try JSONDecoder().decode([Span].self, from: data) == spans)
        #expect(String(decoding: data, as: UTF8.self).contains(#""type":"link""#))
        // An envelope stored before bodies had spans still reads.
        let old = try JSONDecoder().decode(RichText.self, from: Data(#"{"text":"hi"}"#.utf8))
        #expect(old == RichText(text: "hi"))
    }
}
