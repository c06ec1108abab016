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
}

extension Detector {
    /// Every match in `text`, as byte ranges of its UTF-8 (a convenience for tests and tools).
    public func matches(in text: String) -> [Range<Int>] {
        var text = text
        var matches: [Range<Int>] = []
        text.withUTF8 { scan($0, into: &matches) }
        return matches
    }
}
