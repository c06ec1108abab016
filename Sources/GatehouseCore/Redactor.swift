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
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var position = 0
        var index = 0
        while index < spans.count {
            let first = spans[index]
            var end = first.offset + first.length
            index += 1
            while index < spans.count, spans[index].offset < end {
                end = max(end, spans[index].offset + spans[index].length)
                index += 1
            }
            let start = min(max(first.offset, position), scalars.count)
            end = min(end, scalars.count)
            output.append(contentsOf: scalars[position..<start])
            output.append(contentsOf: "[REDACTED:\(first.detector)]".unicodeScalars)
            position = max(end, start)
        }
        output.append(contentsOf: scalars[min(position, scalars.count)...])
        return String(output)
    }
}
