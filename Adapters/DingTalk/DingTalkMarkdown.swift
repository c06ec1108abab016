import Foundation
import GatehouseCore

/// DingTalk's Markdown, the subset `sampleMarkdown` and custom robots' `markdown` messages show
/// (headings, bold, italic, links, images, quotes, lists), to and from the neutral rich text.
///
/// Writing keeps every word and every line of the text: bold, italic, links and quotes become
/// their markup, the styles DingTalk lacks (underline, strikethrough, spoiler, code, pre) become
/// plain text, and everything else is escaped, so that nothing turns into formatting it did not have.
///
/// The choices, and why:
/// - Escaping is by backslash (CommonMark's way; DingTalk documents none). Always escaped: `\`
///   `*` `[` `]` `` ` `` `~`; `_` except inside a word (where no renderer takes it for emphasis,
///   and snake_case stays readable); `<` and `&` only where they would start a tag or an entity;
///   at a line's start `#` and `>`, and the first character of a line that would be a rule or a
///   heading's underline (`---`, `===`). Bare URLs are written as they are: an escape inside one
///   ends up in the address on clients that link URLs from the raw text.
/// - Lists stay lists: a line a person began with `- `, `* `, `+ `, `1. ` or `1) ` was meant as
///   a list item, and DingTalk shows one with the same marker and words.
/// - Line breaks: DingTalk joins lines that end in a bare newline, so every line break is written
///   the way its documentation suggests (two spaces before and after the `\n`). Leading spaces,
///   which Markdown drops (or turns into a code block), become no-break spaces.
/// - Code and pre are plain text, line by line: DingTalk documents no code markup, and a fence
///   or backticks that a client does not know show up as stray characters, while the code
///   inside would be read as Markdown (lines joined, `*` as emphasis). Escaped plain lines read
///   the same on every client, just not in a monospace font.
/// - Quotes: a line is quoted when any of it is inside a quote span (Markdown quotes whole lines),
///   and a blank line ends a quote, since Markdown would carry on the quote into the next line.
/// - Bold and italic close at the end of every line and open again on the next, and a span that
///   crosses another's end is cut in two there, so the markup always nests. Where two runs of
///   markers would touch (`**a*b***` then `*c*`), a zero-width space keeps them apart.
/// - Every formatted line is read back (by ``richText(fromMarkdown:)``, which reads as CommonMark
///   does) before it is taken; formatting that would be misread — markers wedged between
///   punctuation, as in `\*a\*` made bold — is dropped, so the words always arrive as written.
enum DingTalkMarkdown {
    /// The longest title, in characters: DingTalk shows it in notifications and chat lists.
    static let titleLimit = 64

    /// What stands between two lines: the documented line break, `\n` with two spaces either side.
    static let lineBreak = "  \n  "

    /// Link targets DingTalk clients open: the web and DingTalk's own `dingtalk://` pages. A link
    /// elsewhere (`tg://`, `mailto:`, a relative path) goes as its text alone.
    static func isLinkable(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return ["http://", "https://", "dingtalk://"].contains { lowered.hasPrefix($0) }
    }

    /// Whether any of `spans` has markup in DingTalk's Markdown (bold, italic, a quote, a link
    /// its clients open); the others are written as plain text.
    static func showsAny(of spans: [Span]) -> Bool {
        spans.contains { span in
            switch span.style {
            case .bold, .italic, .quote: true
            case .link(let url): isLinkable(url)
            default: false
            }
        }
    }

    /// The title of a message: its first line that is not blank, cut to ``titleLimit`` characters
    /// (with an ellipsis, never inside a character); the text is the neutral one, so it has no markup.
    static func title(for body: RichText) -> String {
        let line =
            body.text.split(whereSeparator: \.isNewline)
            .lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty } ?? ""
        guard line.count > titleLimit else { return line.isEmpty ? "…" : line }
        return line.prefix(titleLimit - 1) + "…"
    }

    /// The Markdown that shows `body` on DingTalk.
    static func markdown(for body: RichText) -> String {
        let scalars = Array(body.text.unicodeScalars)
        let urls = BareURL.ranges(in: scalars)
        let inline = body.spans.filter { $0.style != .quote && showsAny(of: [$0]) }.coalesced()
        let quotes = body.spans.filter { $0.style == .quote }
        var lines: [String] = []
        var quoting = false
        for line in Self.lines(of: scalars) {
            let quoted = quotes.contains { quote in
                line.isEmpty
                    ? quote.offset <= line.lowerBound && line.lowerBound < quote.end
                    : quote.offset < line.upperBound && quote.end > line.lowerBound
            }
            if quoting && !quoted { lines.append("") }
            quoting = quoted
            lines.append((quoted ? "> " : "") + Self.markdown(line: line, of: scalars, spans: inline, urls: urls))
        }
        return lines.joined(separator: lineBreak)
    }

    /// One line, read back before it is taken: where Markdown would read its markers otherwise
    /// than meant, the formatting it misreads is dropped, the shortest emphasis first, then links.
    private static func markdown(line: Range<Int>, of scalars: [Unicode.Scalar], spans: [Span], urls: [Range<Int>]) -> String {
        var spans = spans.filter { $0.offset < line.upperBound && $0.end > line.lowerBound }
        let urls = urls.filter { $0.lowerBound < line.upperBound && $0.upperBound > line.lowerBound }
        while true {
            var writer = LineWriter(scalars: scalars, line: line, urls: urls)
            let (markdown, meant) = writer.write(spans)
            // Escaped plain text reads back as written (the tests try it on every kind of text).
            if spans.isEmpty { return markdown }
            let weakest = spans.indices.min { lhs, rhs in
                (spans[lhs].style.isLink ? 1 : 0, spans[lhs].length) < (spans[rhs].style.isLink ? 1 : 0, spans[rhs].length)
            }
            guard let weakest, richText(fromMarkdown: markdown) != meant else { return markdown }
            spans.remove(at: weakest)
        }
    }

    /// A letter or a digit, of any script: `_` between two is part of a word, not emphasis.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The ranges of the lines of a text, in scalars, without their line ends (`\n`, `\r\n` or `\r`).
    static func lines(of scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "\n":
                lines.append(start..<index)
                start = index + 1
            case "\r":
                lines.append(start..<index)
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                start = index + 1
            default: break
            }
            index += 1
        }
        lines.append(start..<scalars.count)
        return lines
    }
}

extension DingTalkMarkdown {
    /// Writes one line: its characters escaped, with the markup of the inline spans over it.
    struct LineWriter {
        let scalars: [Unicode.Scalar]
        let line: Range<Int>
        /// The bare URLs on the line.
        let urls: [Range<Int>]
        /// Where the line's text starts after its indentation.
        let content: Int
        /// Where a list item's text starts after its marker (`- `, `1. `): Markdown reads a heading
        /// or a quote there as it does at the line's start.
        let item: Int?
        /// Where markup goes: no `_` next to one is left unescaped.
        private var boundaries: Set<Int> = []
        private var output = ""

        init(scalars: [Unicode.Scalar], line: Range<Int>, urls: [Range<Int>]) {
            self.scalars = scalars
            self.line = line
            self.urls = urls
            content = scalars[line].firstIndex { $0 != " " && $0 != "\t" } ?? line.upperBound
            item = Self.itemStart(in: scalars, from: content, to: line.upperBound)
        }

        /// Where the text of a list item starting at `start` begins, if a list item starts there.
        static func itemStart(in scalars: [Unicode.Scalar], from start: Int, to end: Int) -> Int? {
            var index = start
            if index < end, "-*+".unicodeScalars.contains(scalars[index]) {
                index += 1
            } else {
                while index < end, index - start < 9, ("0"..."9").contains(scalars[index]) { index += 1 }
                guard index > start, index < end, scalars[index] == "." || scalars[index] == ")" else { return nil }
                index += 1
            }
            guard index < end, scalars[index] == " " || scalars[index] == "\t" else { return nil }
            while index < end, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            return index
        }

        /// The line's Markdown, and the rich text it means: the line's text as the reader gives it
        /// back (indentation in spaces, no trailing white space) with the formatting written.
        mutating func write(_ spans: [Span]) -> (markdown: String, meant: RichText) {
            // Clipping can make two spans of a style overlap (both widened to one address): merged
            // first, or their markers would double (`**` for two italics).
            let spans = Self.nested(spans.compactMap(clipped).coalesced()).compactMap(clipped).sorted(by: Self.outermostFirst)
            boundaries = Set(spans.flatMap { [$0.offset, $0.end] })
            var meant = RichTextBuilder()
            // Where each scalar of the line starts in `meant`, and where the line ends.
            var positions: [Int] = []
            let end = content + (scalars[content..<line.upperBound].lastIndex { $0 != " " && $0 != "\t" }.map { $0 + 1 - content } ?? 0)
            for index in line {
                positions.append(meant.count)
                if index < content {
                    meant.append(scalars[index] == "\t" ? "    " : " ")
                } else if index < end {
                    meant.append(String(scalars[index]))
                }
            }
            positions.append(meant.count)
            for span in spans {
                // A link means the target as written (percent-encoded where Markdown needs it).
                let style = if case .link(let url) = span.style { Span.Style.link(Self.destination(url)) } else { span.style }
                meant.mark(positions[span.offset - line.lowerBound]..<positions[span.end - line.lowerBound], style)
            }
            var open: [Span] = []
            for index in line {
                if boundaries.contains(index) {
                    // Close the spans that end here (innermost first), open those that start here.
                    let wanted = spans.filter { $0.offset <= index && index < $0.end }
                    let closing = open.filter { !wanted.contains($0) }
                    let opening = wanted.filter { !open.contains($0) }
                    let closers = closing.reversed().map { Self.closing($0.style) }.joined()
                    let openers = opening.map { Self.opening($0.style) }.joined()
                    // A style that ends and starts again here (a span cut in two) would run its
                    // markers together (`****`), which Markdown reads otherwise; a zero-width space
                    // keeps them apart, and the reader drops it.
                    let reopened = closing.contains { span in opening.contains { $0.style == span.style } }
                    let separator = reopened && closers.hasSuffix("*") && openers.hasPrefix("*") ? "\u{200B}" : ""
                    output += closers + separator + openers
                    open = wanted
                }
                output += escaped(at: index)
            }
            output += open.reversed().map { Self.closing($0.style) }.joined()
            return (output, meant.richText)
        }

        /// Earlier, then longer, then a link around its emphasis.
        static func outermostFirst(_ lhs: Span, _ rhs: Span) -> Bool {
            (lhs.offset, -lhs.length, rank(lhs.style)) < (rhs.offset, -rhs.length, rank(rhs.style))
        }

        /// The spans, each that crosses the end of another cut in two there, so that every two
        /// are one inside the other or apart: Markdown's markup can only nest.
        static func nested(_ spans: [Span]) -> [Span] {
            var spans = spans.sorted(by: outermostFirst)
            var index = 0
            while index < spans.count {
                let span = spans[index]
                if let outer = spans.first(where: { $0.offset < span.offset && span.offset < $0.end && $0.end < span.end }) {
                    spans[index].length = outer.end - span.offset
                    spans.append(Span(offset: outer.end, length: span.end - outer.end, style: span.style))
                    spans.sort(by: outermostFirst)
                    index = 0
                } else {
                    index += 1
                }
            }
            return spans
        }

        /// A span's part on this line, widened to whole bare URLs (markup inside one would be read
        /// as part of the address), without the white space at its ends (where Markdown does not
        /// take `*` for emphasis, and a link's spaces are not its text's).
        private func clipped(_ span: Span) -> Span? {
            // Indentation is never formatted: it is written as no-break spaces before any markup.
            var start = max(span.offset, content)
            var end = min(span.end, line.upperBound)
            for url in urls {
                if url.lowerBound < start && start < url.upperBound { start = url.lowerBound }
                if url.lowerBound < end && end < url.upperBound { end = url.upperBound }
            }
            while start < end, scalars[start].properties.isWhitespace { start += 1 }
            while start < end, scalars[end - 1].properties.isWhitespace { end -= 1 }
            return end > start ? Span(offset: start, length: end - start, style: span.style) : nil
        }

        private func escaped(at index: Int) -> String {
            let scalar = scalars[index]
            if index < content {
                // Indentation: no-break spaces, which Markdown neither drops nor reads as code.
                return scalar == "\t" ? String(repeating: "\u{A0}", count: 4) : "\u{A0}"
            }
            if urls.contains(where: { $0.contains(index) }) { return String(scalar) }
            let next = index + 1 < line.upperBound ? scalars[index + 1] : nil
            if index == content, isRule { return "\\" + String(scalar) }
            // `!` before a link's `[` would make it an image.
            if scalar == "!", boundaries.contains(index + 1) { return "\\!" }
            if (index == content || index == item) && (scalar == "#" || scalar == ">") { return "\\" + String(scalar) }
            // The line's list marker, kept: the person meant a list (unless markup comes first). A
            // second one after it (`- * x`) is escaped, since markup there would run into it.
            if index == content, scalar == "*", next == " " || next == "\t", !boundaries.contains(index) { return "*" }
            switch scalar {
            case "\\", "*", "[", "]", "`", "~":
                return "\\" + String(scalar)
            case "_":
                let inWord =
                    index > line.lowerBound && next.map(DingTalkMarkdown.isWordCharacter) == true
                    && DingTalkMarkdown.isWordCharacter(scalars[index - 1]) && !boundaries.contains(index) && !boundaries.contains(index + 1)
                return inWord ? "_" : "\\_"
            case "<":
                return next.map { $0.isASCII && ($0.properties.isAlphabetic || "/!?".unicodeScalars.contains($0)) } == true ? "\\<" : "<"
            case "&":
                return next.map { $0.isASCII && ($0.properties.isAlphabetic || $0 == "#") } == true ? "\\&" : "&"
            default:
                return String(scalar)
            }
        }

        /// The line is only `-`, `=`, `*` or `_` (and spaces): a rule, or the underline that makes
        /// the line above a heading.
        private var isRule: Bool {
            let text = scalars[content..<line.upperBound].filter { $0 != " " && $0 != "\t" }
            return !text.isEmpty && text.allSatisfy { "-=*_".unicodeScalars.contains($0) }
        }

        /// How far out a style's markup goes among spans over the same range.
        static func rank(_ style: Span.Style) -> Int {
            switch style {
            case .link: 0
            case .bold: 1
            default: 2
            }
        }

        /// The markup that opens a style (none for those written as plain text).
        static func opening(_ style: Span.Style) -> String {
            switch style {
            case .bold: "**"
            case .italic: "*"
            case .link: "["
            default: ""
            }
        }

        /// The markup that closes a style.
        static func closing(_ style: Span.Style) -> String {
            switch style {
            case .bold: "**"
            case .italic: "*"
            case .link(let url): "](\(Self.destination(url)))"
            default: ""
            }
        }

        /// A link target as Markdown reads it whole: white space, parentheses, angle brackets and
        /// backslashes percent-encoded (the same address to a browser).
        static func destination(_ url: String) -> String {
            var written = ""
            for scalar in url.unicodeScalars {
                switch scalar {
                case "(": written += "%28"
                case ")": written += "%29"
                case "<": written += "%3C"
                case ">": written += "%3E"
                case "\\": written += "%5C"
                default:
                    if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                        written += String(scalar).utf8.map { byte in
                            let hex = String(byte, radix: 16, uppercase: true)
                            return hex.count < 2 ? "%0" + hex : "%" + hex
                        }.joined()
                    } else {
                        written.unicodeScalars.append(scalar)
                    }
                }
            }
            return written
        }
    }
}

extension Span.Style {
    /// A link, whatever its target.
    var isLink: Bool {
        if case .link = self { return true }
        return false
    }
}
