/// Converts UTF-8 byte offsets of a text to Unicode-scalar offsets, the unit findings use.
public struct ScalarOffsets: Sendable {
    /// The scalar index of each byte offset that starts a scalar, and of the end.
    private let scalarIndex: [Int32]

    public init(_ text: UnsafeBufferPointer<UInt8>) {
        var index = [Int32](repeating: 0, count: text.count + 1)
        var scalars: Int32 = 0
        for offset in 0..<text.count {
            index[offset] = scalars
            // Every byte that is not a continuation byte (10xxxxxx) starts a scalar.
            if text[offset] & 0xC0 != 0x80 { scalars += 1 }
        }
        index[text.count] = scalars
        // A continuation byte maps to the scalar it belongs to, not to the next one.
        for offset in 0..<text.count where text[offset] & 0xC0 == 0x80 {
            index[offset] = index[offset] - 1
        }
        self.scalarIndex = index
    }

    /// The scalar offset and length of a byte range.
    public func scalars(of range: Range<Int>) -> (offset: Int, length: Int) {
        let start = Int(scalarIndex[range.lowerBound])
        let end = Int(scalarIndex[range.upperBound])
        return (start, end - start)
    }
}
