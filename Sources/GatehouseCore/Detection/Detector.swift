/// Inspects a text and reports where something of interest is.
///
/// Scanners run on the hot path of every message: they read the text's UTF-8 bytes directly and
/// must not allocate per scanned byte. A match is a range of byte offsets into the buffer; the
/// policy turns it into Unicode-scalar offsets (what audit records and `explain` show) once, at the end.
public protocol Detector: Sendable {
    /// The detector's name as it appears in findings (`cn_mobile`, `keyword`).
    var name: String { get }

    /// Appends the byte range of every match in `text` to `matches`, in ascending order of start.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>])

    /// Whether the policy hands this detector the normalised view of a text (`NormalizedText`:
    /// NFKC, invisible characters dropped, spaces folded, digits as ASCII) rather than the text as
    /// written; its matches are mapped back to the text either way. True by default; detectors
    /// that normalise as they read, in their own way (keywords, links), scan the text as written.
    var scansNormalizedView: Bool { get }
}

extension Detector {
    public var scansNormalizedView: Bool { true }
}

extension Detector {
    /// Every match in `text` as written (no normalised view), as byte ranges of its UTF-8 (a
    /// convenience for tests and tools).
    public func matches(in text: String) -> [Range<Int>] {
        var text = text
        var matches: [Range<Int>] = []
        text.withUTF8 { scan($0, into: &matches) }
        return matches
    }
}

extension Detector {
    /// Every match in `text` as the policy finds them: on the normalised view if the detector
    /// scans it, mapped back to byte ranges of `text`'s UTF-8.
    public func policyMatches(in text: String) -> [Range<Int>] {
        var text = text
        var matches: [Range<Int>] = []
        text.withUTF8 { bytes in
            let normalized = NormalizedText(bytes)
            scan(normalized, into: &matches)
        }
        return matches
    }

    /// Scans `text` (its view, if the detector reads that) and appends matches as byte ranges of
    /// the text as written.
    public func scan(_ text: NormalizedText, into matches: inout [Range<Int>]) {
        guard scansNormalizedView, !text.isIdentity else {
            scan(text.original, into: &matches)
            return
        }
        let first = matches.count
        text.withView { scan($0, into: &matches) }
        for index in first..<matches.count { matches[index] = text.original(of: matches[index]) }
    }
}

/// A detector whose scan may give up at a time budget (a regular expression that backtracks):
/// the check then reports a `regex_timeout` finding, and the route holds the message.
public protocol BoundedDetector: Detector {
    /// Scans like ``Detector/scan(_:into:)`` on the view the policy hands it; false when it
    /// stopped at its budget before reading the whole text.
    func scanWithinBudget(_ text: NormalizedText, into matches: inout [Range<Int>]) -> Bool
}

/// The detector name of the finding a scan that ran out of time yields.
public let timeoutDetector = "regex_timeout"
