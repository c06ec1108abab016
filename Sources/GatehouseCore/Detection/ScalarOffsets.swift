/// Converts UTF-8 byte offsets of a text to Unicode-scalar offsets, the unit findings use.
///
/// Most messages have no findings, so nothing is computed up front: each conversion counts the
/// scalar-starting bytes (those that are not 10xxxxxx continuation bytes) from a cursor, which
/// only moves forward while the requests come in order, as a detector's matches do.
public struct ScalarOffsets {
    private let text: UnsafeBufferPointer<UInt8>
    private var cursor = (byte: 0, scalar: 0)

    public init(_ text: UnsafeBufferPointer<UInt8>) {
        self.text = text
    }

    /// The scalar offset and length of a byte range.
    public mutating func scalars(of range: Range<Int>) -> (offset: Int, length: Int) {
        let start = scalarIndex(of: range.lowerBound)
        let end = scalarIndex(of: range.upperBound)
        return (start, end - start)
    }

    private mutating func scalarIndex(of byte: Int) -> Int {
        if byte < cursor.byte { cursor = (0, 0) }
        var scalar = cursor.scalar
        var offset = cursor.byte
        let end = min(byte, text.count)
        while offset < end {
            if text[offset] & 0xC0 != 0x80 { scalar += 1 }
            offset += 1
        }
        cursor = (end, scalar)
        return scalar
    }
}
