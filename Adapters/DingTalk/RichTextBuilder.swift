import GatehouseCore

/// Builds a rich text piece by piece, counting offsets in Unicode scalars as it goes.
struct RichTextBuilder {
    private(set) var text = ""
    /// The length so far, in Unicode scalars: where the next piece starts.
    private(set) var count = 0
    private var spans: [Span] = []

    mutating func append(_ piece: String) {
        text += piece
        count += piece.unicodeScalars.count
    }

    /// Appends a piece with its formatting.
    mutating func append(_ piece: RichText) {
        spans += piece.spans.map { Span(offset: $0.offset + count, length: $0.length, style: $0.style) }
        append(piece.text)
    }

    /// Formats `range` of what was appended; an empty range formats nothing.
    mutating func mark(_ range: Range<Int>, _ style: Span.Style) {
        guard !range.isEmpty else { return }
        spans.append(Span(offset: range.lowerBound, length: range.count, style: style))
    }

    var richText: RichText { RichText(text: text, spans: spans.coalesced()) }
}

extension [Span] {
    /// These spans in order (by offset, the longer first), with spans of one style that overlap or
    /// touch made one: one span says the same, and Markdown cannot write two touching ones apart
    /// (`*a**b*` reads as bold).
    func coalesced() -> [Span] {
        var merged: [Span] = []
        for span in filter({ $0.length > 0 }).sorted(by: Self.order) {
            if let index = merged.lastIndex(where: { $0.style == span.style }), merged[index].end >= span.offset {
                merged[index].length = Swift.max(merged[index].end, span.end) - merged[index].offset
            } else {
                merged.append(span)
            }
        }
        return merged.sorted(by: Self.order)
    }

    private static func order(_ lhs: Span, _ rhs: Span) -> Bool {
        (lhs.offset, -lhs.length, lhs.style.name) < (rhs.offset, -rhs.length, rhs.style.name)
    }
}
