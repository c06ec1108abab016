/// Byte classes and searches shared by the built-in detectors.
///
/// Two ways to skip text without candidates — most of every message — quickly, without allocating
/// and without platform libraries: `nextRun` probes one byte per candidate length for detectors
/// whose candidates are long runs of one class (17 digits, 13 digits-or-separators), and `first`
/// reads eight bytes at a time (SWAR: SIMD within a register) for detectors anchored on one byte
/// (`@`, `-`). Everything here is ASCII: any byte ≥ 0x80 (CJK text, emoji, full-width punctuation) is
/// in no class, so it is a boundary for every detector.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    // MARK: - Classes

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    @inline(__always) static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || byte &- 0x61 < 6 }

    /// Whether the byte at `index` exists and is an ASCII letter or digit; out of range is a boundary.
    @inline(__always)
    static func isAlphanumeric(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index >= 0 && index < text.count && isAlphanumeric(text[index])
    }

    /// Whether the byte at `index` exists and is an ASCII digit.
    @inline(__always)
    static func isDigit(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index >= 0 && index < text.count && isDigit(text[index])
    }

    /// The byte at `index`, or 0 (a boundary in every class) outside the text.
    @inline(__always)
    static func byte(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt8 {
        index >= 0 && index < text.count ? text[index] : 0
    }

    /// The end of the run of ASCII digits starting at `index`.
    @inline(__always)
    static func digitRunEnd(_ text: UnsafeBufferPointer<UInt8>, from index: Int) -> Int {
        var end = index
        while end < text.count && isDigit(text[end]) { end += 1 }
        return end
    }

    /// Whether `literal` (ASCII) occurs at `index`.
    @inline(__always)
    static func hasPrefix(_ text: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= text.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count where text[index + offset] != bytes[offset] { return false }
        return true
    }

    // MARK: - Searches

    /// The next maximal run of `member` bytes at least `minimumLength` long, starting at or after
    /// `start`, or nil.
    ///
    /// Every such run covers one of the positions `start + minimumLength - 1`, `+ minimumLength`
    /// after that, and so on, so only those are probed: a detector whose candidates are 17 digits
    /// long looks at one byte in 17 of text without long runs. The run is not extended before `start`.
    @inline(__always)
    static func nextRun(
        _ text: UnsafeBufferPointer<UInt8>,
        from start: Int,
        minimumLength: Int,
        where member: (UInt8) -> Bool
    ) -> Range<Int>? {
        var low = start
        var probe = start + minimumLength - 1
        while probe < text.count {
            if member(text[probe]) {
                var runStart = probe
                while runStart > low, member(text[runStart - 1]) { runStart -= 1 }
                var runEnd = probe + 1
                while runEnd < text.count, member(text[runEnd]) { runEnd += 1 }
                if runEnd - runStart >= minimumLength { return runStart..<runEnd }
                // The next run starts after this one's end, a non-member.
                low = runEnd + 1
                probe = runEnd + minimumLength
            } else {
                probe += minimumLength
            }
        }
        return nil
    }

    @inline(__always)
    private static func load(_ base: UnsafePointer<UInt8>, _ index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in each byte of `word` equal to the broadcast byte. Borrows can flag a byte
    /// above a true match, never below one, so the lowest flagged byte is always exact.
    @inline(__always)
    private static func equalBytes(_ word: UInt64, _ broadcast: UInt64) -> UInt64 {
        let x = word ^ broadcast
        return (x &- ones) & ~x & highs
    }

    @inline(__always)
    private static func index(_ index: Int, _ mask: UInt64) -> Int {
        index + mask.trailingZeroBitCount >> 3
    }

    /// The index of the first `byte` at or after `start`, or `text.count`.
    static func first(_ byte: UInt8, _ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let broadcast = ones &* UInt64(byte)
        var i = start
        while i + 8 <= text.count {
            let mask = equalBytes(load(base, i), broadcast)
            if mask != 0 { return index(i, mask) }
            i += 8
        }
        while i < text.count && base[i] != byte { i += 1 }
        return min(i, text.count)
    }
}
