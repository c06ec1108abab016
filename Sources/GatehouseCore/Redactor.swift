/// Masks findings in a text: each span becomes `[REDACTED:<detector>]`.
public enum Redactor {
    /// The text with every finding's span (Unicode-scalar offsets) replaced. Overlapping spans are
    /// masked as one, labelled with the detector of the earliest (then longest) finding; findings
    /// without a span (about the message as a whole) mask nothing.
    public static func mask(_ text: String, _ findings: [Finding]) -> String {
        mask(RichText(text: text), findings).text
    }

    /// The rich text with its findings masked and its formatting moved to match; a link that
    /// touches a masked range loses its target (the target may be what was masked).
    public static func mask(_ body: RichText, _ findings: [Finding]) -> RichText {
        let regions = self.regions(findings)
        guard !regions.isEmpty else { return body }
        let scalars = body.text.unicodeScalars
        // Offsets only grow, so one cursor walks the text once.
        var cursor = (index: scalars.startIndex, offset: 0)
        func index(at offset: Int) -> String.Index {
            let steps = max(0, offset - cursor.offset)
            let index = scalars.index(cursor.index, offsetBy: steps, limitedBy: scalars.endIndex) ?? scalars.endIndex
            cursor = (index, cursor.offset + steps)
            return index
        }
        var output = ""
        output.reserveCapacity(body.text.utf8.count + regions.count * 24)
        var kept = scalars.startIndex
        var edits: [(start: Int, end: Int, replacement: Int)] = []
        for region in regions {
            let start = index(at: region.start)
            output.append(contentsOf: Substring(scalars[kept..<start]))
            let label = "[REDACTED:\(region.detector)]"
            output.append(label)
            kept = index(at: region.end)
            // The text may be shorter than a finding says (a stale offset): count what was cut.
            let end = region.start + scalars[start..<kept].count
            edits.append((region.start, end, label.unicodeScalars.count))
        }
        output.append(contentsOf: Substring(scalars[kept...]))
        var spans = body.spans
        // From the last edit back, so each edit's offsets are still those of the original text.
        for edit in edits.reversed() where !spans.isEmpty {
            spans = spans.adjusted(forEditAt: edit.start, end: edit.end, replacement: edit.replacement)
        }
        return RichText(text: output, spans: spans)
    }

    /// The ranges to mask, in order and merged where findings overlap.
    private static func regions(_ findings: [Finding]) -> [(start: Int, end: Int, detector: String)] {
        let spans = findings.filter { $0.length > 0 }.sorted {
            $0.offset < $1.offset || $0.offset == $1.offset && $0.length > $1.length
        }
        var regions: [(start: Int, end: Int, detector: String)] = []
        for finding in spans {
            let end = finding.offset + finding.length
            if let last = regions.last, finding.offset < last.end {
                regions[regions.count - 1].end = max(last.end, end)
            } else {
                regions.append((finding.offset, end, finding.detector))
            }
        }
        return regions
    }
}
