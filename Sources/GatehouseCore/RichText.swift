/// A text with its formatting, in a form neither platform owns: each adapter reads its platform's
/// markup into it (Telegram entities, DingTalk markdown) and writes it back out in the destination's.
public struct RichText: Sendable, Hashable, Codable {
    /// The plain text: what people read and what detectors scan.
    public var text: String
    /// Formatting over ranges of `text`, in Unicode scalars (as findings are); sorted by offset.
    public var spans: [Span]

    public init(text: String, spans: [Span] = []) {
        self.text = text
        self.spans = spans
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        spans = try container.decodeIfPresent([Span].self, forKey: .spans) ?? []
    }

    /// The URLs of links whose target is not in the text itself: what a reader cannot see but a
    /// click reaches, so checks inspect them too.
    public var hiddenLinks: [(span: Span, url: String)] {
        spans.compactMap { span in
            guard case .link(let url) = span.style else { return nil }
            return (span, url)
        }
    }
}

/// How one range of a text looks (or where it leads).
public struct Span: Sendable, Hashable, Codable {
    /// Start, in Unicode scalars of the text.
    public var offset: Int
    /// Length, in Unicode scalars.
    public var length: Int
    public var style: Style

    public init(offset: Int, length: Int, style: Style) {
        self.offset = offset
        self.length = length
        self.style = style
    }

    public var end: Int { offset + length }

    /// The formatting both platforms can show (DingTalk's markdown lacks some: its writer degrades
    /// those to plain text).
    public enum Style: Sendable, Hashable, Codable {
        case bold, italic, underline, strikethrough, spoiler
        /// Inline monospace.
        case code
        /// A preformatted block, with the language of the code in it when known.
        case pre(language: String?)
        /// A link on the range's text to `url`.
        case link(String)
        /// A quoted block.
        case quote

        private enum CodingKeys: String, CodingKey {
            case type, language, url
        }

        /// The stable names stored in the ledger.
        public var name: String {
            switch self {
            case .bold: "bold"
            case .italic: "italic"
            case .underline: "underline"
            case .strikethrough: "strikethrough"
            case .spoiler: "spoiler"
            case .code: "code"
            case .pre: "pre"
            case .link: "link"
            case .quote: "quote"
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .type) {
            case "bold": self = .bold
            case "italic": self = .italic
            case "underline": self = .underline
            case "strikethrough": self = .strikethrough
            case "spoiler": self = .spoiler
            case "code": self = .code
            case "pre": self = .pre(language: try container.decodeIfPresent(String.self, forKey: .language))
            case "link": self = .link(try container.decode(String.self, forKey: .url))
            case "quote": self = .quote
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown style '\(other)'")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .type)
            switch self {
            case .pre(let language?): try container.encode(language, forKey: .language)
            case .link(let url): try container.encode(url, forKey: .url)
            default: break
            }
        }
    }
}

extension [Span] {
    /// These spans after the text's scalars in `start..<end` became `replacement` scalars long:
    /// spans after the edit move, spans across it stretch or shrink to its new bounds, and a link
    /// that touches the edit is dropped, since its target may be what the edit removed.
    func adjusted(forEditAt start: Int, end: Int, replacement: Int) -> [Span] {
        let delta = replacement - (end - start)
        func moved(_ position: Int, isEnd: Bool) -> Int {
            if position <= start { return position }
            if position >= end { return position + delta }
            return isEnd ? start + replacement : start
        }
        return compactMap { span in
            let touches = span.offset < end && span.end > start
            if touches, case .link = span.style { return nil }
            let offset = moved(span.offset, isEnd: false)
            let length = moved(span.end, isEnd: true) - offset
            return length > 0 ? Span(offset: offset, length: length, style: span.style) : nil
        }
    }

    /// The spans that fall in `range` of the text, clipped to it and counted from its start.
    func slice(_ range: Range<Int>) -> [Span] {
        compactMap { span in
            let start = Swift.max(span.offset, range.lowerBound)
            let end = Swift.min(span.end, range.upperBound)
            guard end > start else { return nil }
            return Span(offset: start - range.lowerBound, length: end - start, style: span.style)
        }
    }
}
