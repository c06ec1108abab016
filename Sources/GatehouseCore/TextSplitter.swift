/// Splits a text into parts that each fit a platform's limit, never inside a grapheme cluster
/// (so never inside a surrogate pair or an emoji sequence), preferring a paragraph break,
/// then a line break, then a space near the end of each part.
public struct TextSplitter: Sendable {
    /// How a platform measures a text against its limit.
    public enum Measure: Sendable {
        /// UTF-16 code units (Telegram's 4096).
        case utf16
        /// UTF-8 bytes (DingTalk's msgParam).
        case utf8
    }

    public var limit: Int
    public var measure: Measure

    public init(limit: Int, measure: Measure) {
        precondition(limit >= 8, "a limit below a few characters cannot hold a grapheme cluster")
        self.limit = limit
        self.measure = measure
    }

    public func split(_ text: String) -> [String] {
        split(RichText(text: text)).map(\.text)
    }

    /// Splits a rich text the same way, and never inside a span either, unless the span itself is
    /// longer than a part can be; each part carries its share of the spans.
    public func split(_ body: RichText) -> [RichText] {
        guard size(of: body.text) > limit else { return [body] }
        // Spans a part can hold whole are kept whole: a cut may not fall strictly inside one.
        let whole = body.spans.filter { span in
            span.length > 1 && size(ofScalars: body.text, span.offset..<span.end) <= limit
        }.map { $0.offset..<$0.end }
        var parts: [RichText] = []
        var rest = Substring(body.text)
        // Scalar offset of `rest` in the whole text.
        var restOffset = 0
        while size(of: rest) > limit {
            var end = rest.startIndex
            var endOffset = restOffset
            var hardEnd: (index: String.Index, offset: Int)?
            var used = 0
            var lastBreak: (index: String.Index, offset: Int, rank: Int)?
            var scalarOffset = restOffset
            for index in rest.indices {
                let character = rest[index]
                let width = size(of: character)
                if used + width > limit { break }
                used += width
                scalarOffset += character.unicodeScalars.count
                let next = rest.index(after: index)
                hardEnd = (next, scalarOffset)
                // A cut inside a span that fits a part would break its formatting.
                guard !whole.contains(where: { $0.lowerBound < scalarOffset && scalarOffset < $0.upperBound }) else { continue }
                end = next
                endOffset = scalarOffset
                let rank =
                    character == "\n" && index > rest.startIndex && rest[rest.index(before: index)] == "\n"
                    ? 3
                    : character == "\n" ? 2 : character == " " ? 1 : 0
                // A break is taken only in the last third of the part, so parts stay reasonably full.
                if rank > 0, used * 3 >= limit * 2, rank >= (lastBreak?.rank ?? 0) {
                    lastBreak = (end, endOffset, rank)
                }
            }
            if end == rest.startIndex {
                // No cut outside a span fits (a span runs from the part's start past its end), or
                // a single grapheme cluster is larger than the limit: cut where the part is full,
                // or after that one cluster, which is sent on its own and the platform decides.
                if let hardEnd, hardEnd.index > rest.startIndex {
                    (end, endOffset) = hardEnd
                } else {
                    end = rest.index(after: rest.startIndex)
                    endOffset = restOffset + rest[rest.startIndex].unicodeScalars.count
                }
            }
            let cut = lastBreak.map { ($0.index, $0.offset) } ?? (end, endOffset)
            parts.append(RichText(text: String(rest[..<cut.0]), spans: body.spans.slice(restOffset..<cut.1)))
            rest = rest[cut.0...]
            restOffset = cut.1
        }
        if !rest.isEmpty {
            parts.append(RichText(text: String(rest), spans: body.spans.slice(restOffset..<Int.max)))
        }
        return parts
    }

    /// The size of the scalars in `range` of `text`.
    private func size(ofScalars text: String, _ range: Range<Int>) -> Int {
        let scalars = text.unicodeScalars
        guard let start = scalars.index(scalars.startIndex, offsetBy: range.lowerBound, limitedBy: scalars.endIndex) else { return 0 }
        let end = scalars.index(start, offsetBy: range.count, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let slice = scalars[start..<end]
        switch measure {
        case .utf16: return slice.reduce(0) { $0 + $1.utf16.count }
        case .utf8: return slice.reduce(0) { $0 + $1.utf8.count }
        }
    }

    private func size(of text: some StringProtocol) -> Int {
        switch measure {
        case .utf16: text.utf16.count
        case .utf8: text.utf8.count
        }
    }

    private func size(of character: Character) -> Int {
        switch measure {
        case .utf16: character.utf16.count
        case .utf8: character.utf8.count
        }
    }
}
