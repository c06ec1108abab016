/// A text as detectors read it: the normalised view of its UTF-8 (see `NormalizationTable` for
/// the rules: NFKC, invisible characters dropped, every space and separator folded, every decimal
/// digit as ASCII), with a map from the view's bytes back to the text's.
///
/// Built once per message, before any detector runs; a text that needs no change — pure ASCII,
/// or CJK prose with its usual punctuation — costs one pass over its bytes and no allocation,
/// and the view is the text itself. Otherwise the view is a copy in which only the changed
/// scalars differ, and the map lists those changes (`Edit`), so that mapping a match back is a
/// binary search over the changes, not a table the size of the text.
///
/// A view over a buffer: valid while the buffer it was made from is.
public struct NormalizedText {
    /// The text as given.
    public let original: UnsafeBufferPointer<UInt8>
    /// The view's bytes; nil when the view is the text itself.
    private let view: [UInt8]?
    /// The changed scalars, in order: each one's bytes in the text and in the view (empty when dropped).
    private let edits: [Edit]

    struct Edit {
        var viewStart: Int32
        var viewEnd: Int32
        var originalStart: Int32
        var originalEnd: Int32
    }

    /// Whether the view is the text itself.
    public var isIdentity: Bool { view == nil }

    public init(_ text: UnsafeBufferPointer<UInt8>) {
        original = text
        let table = NormalizationTable.shared
        // Find the first scalar the view changes; most texts have none.
        let count = text.count
        var index = 0
        scan: while index < count {
            let byte = text[index]
            if byte < 0x80 {
                index &+= 1
                continue
            }
            let (scalar, next) = LinkParser.decode(text, index)
            switch table.entry(scalar) {
            case NormalizationTable.keep:
                index = next
            case NormalizationTable.mark:
                if index > 0, ByteScan.isAlphanumeric(text[index - 1]) { break scan }
                index = next
            default:
                break scan
            }
        }
        guard index < count, text.count < Int(Int32.max) else {
            view = nil
            edits = []
            return
        }
        var view: [UInt8] = []
        view.reserveCapacity(count + 16)
        var edits: [Edit] = []
        view.append(contentsOf: text[0..<index])
        var kept = index  // start of the bytes copied as they are, not yet appended
        func edit(_ start: Int, _ end: Int, _ replacement: UnsafeBufferPointer<UInt8>.SubSequence?) {
            view.append(contentsOf: text[kept..<start])
            let viewStart = view.count
            if let replacement { view.append(contentsOf: replacement) }
            edits.append(Edit(viewStart: Int32(viewStart), viewEnd: Int32(view.count), originalStart: Int32(start), originalEnd: Int32(end)))
            kept = end
        }
        table.replacements.withUnsafeBufferPointer { replacements in
            while index < count {
                if text[index] < 0x80 {
                    index &+= 1
                    continue
                }
                let (scalar, next) = LinkParser.decode(text, index)
                let entry = table.entry(scalar)
                switch entry {
                case NormalizationTable.keep:
                    break
                case NormalizationTable.drop:
                    edit(index, next, nil)
                case NormalizationTable.mark:
                    // After an ASCII letter or digit of the view (which may be a folded one).
                    let previous = index == kept ? view.last : text[index - 1]
                    if let previous, ByteScan.isAlphanumeric(previous) { edit(index, next, nil) }
                default:
                    let offset = Int(entry >> 8)
                    edit(index, next, replacements[offset..<(offset + Int(entry & 0xFF))])
                }
                index = next
            }
        }
        view.append(contentsOf: text[kept..<count])
        self.view = view
        self.edits = edits
    }

    /// Runs `body` on the view's bytes.
    public func withView<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard let view else { return try body(original) }
        return try view.withUnsafeBufferPointer(body)
    }

    /// The view as a string (for tests and tools).
    public var viewText: String { withView { String(decoding: $0, as: UTF8.self) } }

    /// The bytes of the text a range of the view's bytes was read from: whole scalars, with any
    /// dropped character inside the range, none before or after it.
    public func original(of range: Range<Int>) -> Range<Int> {
        guard !edits.isEmpty else { return range }
        let start = originalStart(range.lowerBound)
        return start..<max(start, originalEnd(range.upperBound))
    }

    /// Where the view's byte `position` came from (for a range's start).
    private func originalStart(_ position: Int) -> Int {
        // The last change starting at or before `position`.
        var low = 0
        var high = edits.count
        while low < high {
            let middle = (low + high) / 2
            if Int(edits[middle].viewStart) <= position { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return position }
        let edit = edits[low - 1]
        if position < Int(edit.viewEnd) { return Int(edit.originalStart) }
        return Int(edit.originalEnd) + position - Int(edit.viewEnd)
    }

    /// Where the view's bytes up to `position` end in the text (for a range's end).
    private func originalEnd(_ position: Int) -> Int {
        // The last change starting before `position`.
        var low = 0
        var high = edits.count
        while low < high {
            let middle = (low + high) / 2
            if Int(edits[middle].viewStart) < position { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return position }
        let edit = edits[low - 1]
        if position <= Int(edit.viewEnd) { return Int(edit.originalEnd) }
        return Int(edit.originalEnd) + position - Int(edit.viewEnd)
    }
}
