/// `uscc`: an 18-character Unified Social Credit Code of a PRC legal entity (GB 32100-2015).
///
/// Layout: registration authority (1), organisation category (1), administrative division code
/// (6 digits, GB/T 2260), subject identifier — the GB 11714 organisation code — (9), check character.
/// Characters are `0-9 A-H J-N P-R T U W-Y` (no I O S V Z), uppercase only (the code is always printed
/// in uppercase; lowercase look-alikes are treated as other text). The check character is
/// `31 − (Σ value × weight mod 31)` (31 written as 0) with weights 1 3 9 27 19 26 16 17 20 29 25 13 8
/// 24 10 30 28 (3^i mod 31) and values 0–30 in charset order.
///
/// Also required, to keep random uppercase tokens out: the first character is a registration
/// authority code of the standard (1–9, A, N, Y) and characters 3–8 are digits. The embedded
/// organisation code's own GB 11714 check digit is not verified: codes assigned since 2015 (`MA…`
/// subject identifiers) are not documented to follow it everywhere, and a missed code is a leak.
///
/// Boundaries: exactly 18 characters, not preceded or followed by an ASCII letter or digit.
public struct USCCDetector: Detector {
    public var name: String { "uscc" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // Every code has a run of (at least) six digits at offsets 2…7, which anchors the token
        // around it.
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 6, where: ByteScan.isDigit) {
            var start = run.lowerBound
            while start > i, ByteScan.isAlphanumeric(text[start - 1]), run.lowerBound - start < 18 { start -= 1 }
            var end = run.upperBound
            while end < text.count, ByteScan.isAlphanumeric(text[end]) { end += 1 }
            if end - start == 18, !ByteScan.isAlphanumeric(text, at: start - 1), Self.isValid(text, at: start) {
                matches.append(start..<end)
            }
            i = end
        }
    }

    @inline(__always)
    static func isValid(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let authority = text[start]
        guard
            (authority &- 0x31 < 9) || authority == UInt8(ascii: "A") || authority == UInt8(ascii: "N")
                || authority == UInt8(ascii: "Y")
        else { return false }
        for k in (start + 2)..<(start + 8) where !ByteScan.isDigit(text[k]) { return false }
        var sum = 0
        var weight = 1
        for k in start..<(start + 17) {
            let v = value(text[k])
            if v < 0 { return false }
            sum += v * weight
            weight = weight * 3 % 31
        }
        let expected = (31 - sum % 31) % 31
        return value(text[start + 17]) == expected
    }

    /// The character's value 0…30, or -1 outside the code's charset.
    @inline(__always)
    static func value(_ byte: UInt8) -> Int {
        if ByteScan.isDigit(byte) { return Int(byte &- 0x30) }
        let letter = Int(byte) - 0x41
        switch letter {
        case 0...7: return letter + 10  // A–H
        case 9...13: return letter + 9  // J–N (no I)
        case 15...17: return letter + 8  // P–R (no O)
        case 19...20: return letter + 7  // T–U (no S)
        case 22...24: return letter + 6  // W–Y (no V; no Z)
        default: return -1
        }
    }
}
