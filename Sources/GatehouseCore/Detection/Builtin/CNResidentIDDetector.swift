/// `cn_resident_id`: an 18-character PRC resident identity number (GB 11643-1999).
///
/// Layout: 6-digit administrative division code, birth date `YYYYMMDD`, 3-digit sequence, and a
/// check character computed per ISO 7064 MOD 11-2 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 on the
/// first 17 digits; remainder 0…10 maps to `1 0 X 9 8 7 6 5 4 3 2`; a lowercase `x` is accepted).
///
/// Rules beyond the check character, each to keep order numbers and timestamps out:
/// - the first two digits are a province-level code of GB/T 2260 (11–15, 21–23, 31–37, 41–46,
///   50–54, 61–65), 71 (Taiwan), or 81/82/83 (the residence permits for Hong Kong, Macao and Taiwan
///   residents issued since 2018, numbered like resident IDs) — stricter than "first digit 1–8", and
///   it costs nothing;
/// - the birth date is a real calendar date (Gregorian leap years) with a year in 1900…2099; the
///   upper bound is fixed rather than "this year" so the detector needs no clock;
/// - the 18 characters are not preceded or followed by an ASCII letter or digit. Anything else —
///   CJK text, punctuation, `_` as in `张三_<id>.jpg` — is a boundary.
///
/// Out of scope: 15-digit first-generation numbers (no check digit to validate; they would alarm on
/// every 15-digit number) and the 2023 foreign permanent resident card (first digit 9). Full-width
/// and other Unicode digits are read as ASCII by the policy's normalised view (`NormalizedText`).
public struct CNResidentIDDetector: Detector {
    public var name: String { "cn_resident_id" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 17, where: ByteScan.isDigit) {
            // Candidates are exactly 17 digits + X/x, or exactly 18 digits, with nothing
            // alphanumeric around them.
            let start = run.lowerBound
            var end = -1
            if run.count == 18 {
                end = run.upperBound
            } else if run.count == 17, ByteScan.byte(text, at: run.upperBound) | 0x20 == UInt8(ascii: "x") {
                end = run.upperBound + 1
            }
            if end > 0, !ByteScan.isAlphanumeric(text, at: start - 1), !ByteScan.isAlphanumeric(text, at: end),
                Self.isValid(text, at: start)
            {
                matches.append(start..<end)
                i = end
            } else {
                i = run.upperBound
            }
        }
    }

    /// Whether the 18 characters at `start` (17 digits then a digit or X/x) form a valid number.
    @inline(__always)
    static func isValid(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        @inline(__always) func digit(_ offset: Int) -> Int { Int(text[start + offset] &- 0x30) }
        guard isProvince(digit(0) * 10 + digit(1)) else { return false }
        let year = digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9)
        let month = digit(10) * 10 + digit(11)
        let day = digit(12) * 10 + digit(13)
        guard CalendarDate.isValid(year: year, month: month, day: day, years: 1900...2099) else { return false }
        var sum = 0
        // Weights are 2^(17-i) mod 11; spelled out so the loop is plain integer arithmetic.
        sum += digit(0) * 7 + digit(1) * 9 + digit(2) * 10 + digit(3) * 5 + digit(4) * 8 + digit(5) * 4
        sum += digit(6) * 2 + digit(7) * 1 + digit(8) * 6 + digit(9) * 3 + digit(10) * 7 + digit(11) * 9
        sum += digit(12) * 10 + digit(13) * 5 + digit(14) * 8 + digit(15) * 4 + digit(16) * 2
        // Remainder r maps to (12 - r) mod 11, where 10 is written X.
        let expected = (12 - sum % 11) % 11
        let last = text[start + 17]
        return expected == 10 ? last | 0x20 == UInt8(ascii: "x") : Int(last &- 0x30) == expected
    }

    @inline(__always)
    private static func isProvince(_ code: Int) -> Bool {
        switch code {
        case 11...15, 21...23, 31...37, 41...46, 50...54, 61...65, 71, 81...83: true
        default: false
        }
    }
}
