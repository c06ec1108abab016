/// `cn_mobile`: a mainland China mobile number.
///
/// 11 digits `1 a b …` where `1ab` is a network code that MIIT's numbering plan (电信网编号计划,
/// and allocations through 2024) gives to public mobile service: 130–139, 145–149, 150–153, 155–159,
/// 162, 165–167, 170–178, 180–189, 190–193, 195–199 — virtual operators (162, 165, 167, 170, 171)
/// and satellite (1740, 1749) included, since they are personal numbers too. Left out: 140–144
/// (13-digit IoT numbers), 10x–12x (service and short numbers), and the unallocated 154, 160, 161,
/// 163, 164, 168, 169, 179, 194.
///
/// Forms: `13812345678`, `138 1234 5678`, `138-1234-5678`, `138.1234.5678` (3-4-4 with the same
/// single separator twice), and the same split once (`138 12345678`, `1381234-5678`: what a
/// 3-4-4 number becomes when one separator is an invisible character, which the policy's normalised
/// view drops), each optionally after a country prefix `+86`, `0086` or `86` with an optional space
/// or hyphen; the match then covers the prefix too. A number directly after `+` without `86` is another
/// country's number (`+13812345678` is +1 381 …) and is not a finding.
///
/// Boundaries: not preceded or followed by an ASCII letter or digit (stricter than "not by a digit":
/// `A13812345678` is an order code far more often than a phone number), and a grouped number is not a
/// finding when the same separator continues with more digits on either side (`138-1234-5678-9012`
/// is some longer code). CJK text and punctuation are boundaries. The policy runs this detector on
/// the normalised view (`NormalizedText`), so full-width and other Unicode digits, NBSP and other
/// Unicode spaces, Unicode dashes and invisible characters inside a number are read as ASCII.
public struct CNMobileDetector: Detector {
    public var name: String { "cn_mobile" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // A number and its prefix are at least 11 bytes of digits, separators and "+"; only such
        // runs are looked into, digit run by digit run.
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 11, where: Self.isNumberByte) {
            var j = run.lowerBound
            while j < run.upperBound {
                guard ByteScan.isDigit(text[j]) else {
                    j += 1
                    continue
                }
                if let match = Self.match(text, runStart: j) {
                    matches.append(match)
                    j = match.upperBound
                } else {
                    j = ByteScan.digitRunEnd(text, from: j)
                }
            }
            i = max(j, run.upperBound)
        }
    }

    @inline(__always)
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        ByteScan.isDigit(byte) || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".")
    }

    /// The number that starts with the digit run at `start`, if any.
    @inline(__always)
    private static func match(_ text: UnsafeBufferPointer<UInt8>, runStart start: Int) -> Range<Int>? {
        // A country prefix: "0086" or "86" (with a "+" in front of it kept in the match).
        var bodyStart = -1
        var matchStart = start
        if ByteScan.hasPrefix(text, at: start, "0086") {
            bodyStart = start + 4
        } else if ByteScan.hasPrefix(text, at: start, "86") {
            bodyStart = start + 2
            if ByteScan.byte(text, at: start - 1) == UInt8(ascii: "+") { matchStart = start - 1 }
        }
        if bodyStart >= 0, !ByteScan.isAlphanumeric(text, at: matchStart - 1) {
            let next = ByteScan.byte(text, at: bodyStart)
            if next == UInt8(ascii: " ") || next == UInt8(ascii: "-"), ByteScan.isDigit(text, at: bodyStart + 1) {
                bodyStart += 1
            }
            if let end = body(text, at: bodyStart, afterPrefix: true) { return matchStart..<end }
        }
        guard !ByteScan.isAlphanumeric(text, at: start - 1), ByteScan.byte(text, at: start - 1) != UInt8(ascii: "+"),
            let end = body(text, at: start, afterPrefix: false)
        else { return nil }
        return start..<end
    }

    /// The end of an 11-digit mobile number starting at `p`: plain, or split after its 3rd and/or
    /// 7th digit by one separator (space, hyphen or dot), the same one if it splits twice.
    @inline(__always)
    private static func body(_ text: UnsafeBufferPointer<UInt8>, at p: Int, afterPrefix: Bool) -> Int? {
        guard p + 11 <= text.count, text[p] == UInt8(ascii: "1"),
            ByteScan.isDigit(text[p + 1]), ByteScan.isDigit(text[p + 2]),
            isAllocated(text[p + 1] &- 0x30, text[p + 2] &- 0x30)
        else { return nil }
        var separator: UInt8 = 0
        var q = p + 3
        for _ in 0..<2 {  // two groups of 4 after the first 3 digits
            let byte = ByteScan.byte(text, at: q)
            if !ByteScan.isDigit(byte) {
                guard isSeparator(byte), separator == 0 || byte == separator, ByteScan.isDigit(text, at: q + 1) else { return nil }
                separator = byte
                q += 1
            }
            for k in q..<(q + 4) where !ByteScan.isDigit(ByteScan.byte(text, at: k)) { return nil }
            q += 4
        }
        let end = q
        if ByteScan.isAlphanumeric(text, at: end) { return nil }
        guard separator != 0 else { return end }
        if ByteScan.byte(text, at: end) == separator, ByteScan.isDigit(text, at: end + 1) { return nil }
        if !afterPrefix, ByteScan.byte(text, at: p - 1) == separator, ByteScan.isDigit(text, at: p - 2) { return nil }
        return end
    }

    @inline(__always)
    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// Whether `1ab` is an allocated mobile block.
    @inline(__always)
    private static func isAllocated(_ a: UInt8, _ b: UInt8) -> Bool {
        switch a {
        case 3, 8: true
        case 4: b >= 5
        case 5, 9: b != 4
        case 6: b == 2 || b == 5 || b == 6 || b == 7
        case 7: b <= 8
        default: false
        }
    }
}
