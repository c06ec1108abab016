import GatehouseCore

extension DingTalkMarkdown {
    /// What a line of Markdown is part of.
    private enum Block: Equatable {
        case paragraph
        case quote
        /// A fenced code block (DingTalk documents none, but people write them).
        case pre(language: String?)
    }

    /// The neutral rich text of DingTalk Markdown, line for line: a heading is its text in bold,
    /// quoted lines are a quote, list items stay lines that start with their marker (`- item`,
    /// `1. item`), an image is its description (the picture is not fetched), and the line breaks
    /// (`  \n`, a bare `\n`) are `\n`. Bold, italic and links inside a line are read as CommonMark
    /// reads them, except that `**` is taken for emphasis next to punctuation too (`中**「通知」**中`),
    /// as Chinese text needs.
    ///
    /// It reads what ``markdown(for:)`` writes back into the text that was written: indentation
    /// in no-break spaces is spaces again, and the blank line that ends a quote is dropped.
    static func richText(fromMarkdown markdown: String) -> RichText {
        let scalars = Array(markdown.unicodeScalars)
        var lines: [(content: RichText, block: Block)] = []
        var fence: (marker: Unicode.Scalar, count: Int, language: String?)?
        // Whether the line before was quoted.
        var afterQuote = false
        for range in Self.lines(of: scalars) {
            var line = scalars[range]
            if let open = fence {
                if let closing = Self.fence(in: line), closing.marker == open.marker, closing.count >= open.count, closing.info.isEmpty {
                    fence = nil
                } else {
                    lines.append((RichText(text: String(String.UnicodeScalarView(line))), .pre(language: open.language)))
                }
                afterQuote = false
                continue
            }
            line = line.trimmed(\.isMarkdownSpace)
            // A backslash at the end is a line break too.
            if line.reversed().prefix(while: { $0 == "\\" }).count % 2 == 1 { line = line.dropLast() }
            var quoted = false
            while line.first == ">" {
                quoted = true
                line = line.dropFirst().trimmed(\.isMarkdownSpace)
            }
            if !quoted, let opening = Self.fence(in: line) {
                fence = (opening.marker, opening.count, opening.info.split(separator: " ").first.map(String.init))
                afterQuote = false
                continue
            }
            defer { afterQuote = quoted }
            if line.isEmpty, !quoted, afterQuote {
                // The blank line that ends a quote: Markdown needs it, the text did not have it.
                continue
            }
            // Indentation written as no-break spaces.
            let indent = line.prefix { $0 == "\u{A0}" }.count
            let text = Array(line.dropFirst(indent))
            var content = RichTextBuilder()
            content.append(String(repeating: " ", count: indent))
            if let heading = Self.heading(in: text) {
                let start = content.count
                content.append(InlineReader(scalars: heading).read())
                content.mark(start..<content.count, .bold)
            } else if Self.isRule(text) {
                content.append(String(String.UnicodeScalarView(text)))
            } else {
                content.append(InlineReader(scalars: text).read())
            }
            lines.append((content.richText, quoted ? .quote : .paragraph))
        }
        return Self.joined(lines)
    }

    /// The lines joined by `\n`, each run of quoted or fenced lines one quote or pre span.
    private static func joined(_ lines: [(content: RichText, block: Block)]) -> RichText {
        var builder = RichTextBuilder()
        var blockStart = 0
        for (index, line) in lines.enumerated() {
            if index > 0 { builder.append("\n") }
            if index == 0 || lines[index - 1].block != line.block { blockStart = builder.count }
            builder.append(line.content)
            if index + 1 == lines.count || lines[index + 1].block != line.block {
                switch line.block {
                case .paragraph: break
                case .quote: builder.mark(blockStart..<builder.count, .quote)
                case .pre(let language): builder.mark(blockStart..<builder.count, .pre(language: language))
                }
            }
        }
        return builder.richText
    }

    /// The text of an ATX heading (`## Title ##`), if the line is one.
    private static func heading(in line: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        let level = line.prefix { $0 == "#" }.count
        guard (1...6).contains(level), level == line.count || line[level].isMarkdownSpace else { return nil }
        var text = line[level...].trimmed(\.isMarkdownSpace)
        // The optional closing run of `#`, when a space stands before it.
        let closing = text.reversed().prefix { $0 == "#" }.count
        if closing == text.count || text.dropLast(closing).last?.isMarkdownSpace == true {
            text = text.dropLast(closing).trimmed(\.isMarkdownSpace)
        }
        return Array(text)
    }

    /// A thematic break (`---`, `* * *`): kept as the characters it is written with.
    private static func isRule(_ line: [Unicode.Scalar]) -> Bool {
        let marks = line.filter { !$0.isMarkdownSpace }
        guard let first = marks.first, "-*_".unicodeScalars.contains(first) else { return false }
        return marks.count >= 3 && marks.allSatisfy { $0 == first }
    }

    /// The opening or closing line of a fenced code block: three or more backticks or tildes,
    /// then the info string.
    private static func fence(in line: ArraySlice<Unicode.Scalar>) -> (marker: Unicode.Scalar, count: Int, info: String)? {
        let line = line.trimmed(\.isMarkdownSpace)
        guard let marker = line.first, marker == "`" || marker == "~" else { return nil }
        let count = line.prefix { $0 == marker }.count
        guard count >= 3 else { return nil }
        let info = String(String.UnicodeScalarView(line.dropFirst(count).trimmed(\.isMarkdownSpace)))
        return (marker, count, info)
    }
}

extension Unicode.Scalar {
    /// The white space Markdown strips around lines: spaces and tabs (not no-break spaces).
    var isMarkdownSpace: Bool { self == " " || self == "\t" }

    /// Punctuation or a symbol, ASCII or not, as CommonMark's emphasis rules count them.
    var isPunctuation: Bool {
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }
}

extension ArraySlice where Element == Unicode.Scalar {
    /// Without the leading and trailing scalars that `isSpace` says are space.
    func trimmed(_ isSpace: (Unicode.Scalar) -> Bool) -> ArraySlice<Unicode.Scalar> {
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return [] }
        return self[first...last]
    }
}
