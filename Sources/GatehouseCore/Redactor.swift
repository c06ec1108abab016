/// Masks findings in a text: each span becomes `[REDACTED:<detector>]`.
public enum Redactor {
    /// The text with every finding's span (Unicode-scalar offsets) replaced. Overlapping spans are
    /// masked as one, labelled with the detector of the earliest (then longest) finding; findings
    /// without a span (about the message as a whole) mask nothing.
    public static func mask(_ text: String, _ findings: [Finding]) -> String {
        let spans = findings.filter { $0.length > 0 }.sorted {
            $0.offset < $1.offset || $0.offset == $1.offset && $0.length > $1.length
        }
        guard !spans.isEmpty else { return text }
        let scalars = text.unicodeScalars
        // Offsets only grow, so one cursor walks the text once.
        var cursor = (index: scalars.startIndex, offset: 0)
        func index(at offset: Int) -> String.Index {
            let steps = max(0, offset - cursor.offset)
            let index = scalars.index(cursor.index, offsetBy: steps, limitedBy: scalars.endIndex) ?? scalars.endIndex
            cursor = (index, cursor.offset + steps)
            return index
        }
        var output = ""
        output.reserveCapacity(text.utf8.count + spans.count * 24)
        var kept = scalars.startIndex
        var position = 0
        var next = 0
        while next < spans.count {
            let first = spans[next]
            var end = first.offset + first.length
            next += 1
            while next < spans.count, spans[next].offset < end {
                end = max(end, spans[next].offset + spans[next].length)
                next += 1
            }
            let start = index(at: max(first.offset, position))
            output.append(contentsOf: Substring(scalars[kept..<start]))
            output.append("[REDACTED:\(first.detector)]")
            kept = index(at: max(end, first.offset, position))
            position = max(end, position)
        }
        output.append(contentsOf: Substring(scalars[kept...]))
        return output
    }
}
