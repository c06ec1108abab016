/// `iban`: an International Bank Account Number (ISO 13616-1).
///
/// Two-letter country code, two check digits (02–98), then the BBAN of uppercase letters and digits;
/// moving the first four characters to the end and reading letters as 10–35 gives a number ≡ 1 (mod 97).
/// The total length must be the country's registered length (the SWIFT IBAN registry, including
/// the countries added through 2024); for a country code not in the table, any length 15–34 is
/// accepted, since partial-IBAN countries (much of West and Central Africa) use IBAN-shaped numbers.
///
/// Forms: electronic (`DE89370400440532013000`) or print format — groups of four separated by single
/// spaces, the last group shorter (`DE89 3704 0044 0532 0130 00`). Uppercase only: IBANs are printed
/// in uppercase, and accepting lowercase would turn ordinary words followed by numbers into
/// candidates. Boundaries: not preceded or followed by an ASCII letter or digit; in print format the
/// number ends after the country's length, so trailing text such as ` EUR` is not swallowed (for a
/// country not in the table, a last group that breaks the checksum is dropped and the rest tried).
public struct IBANDetector: Detector {
    public var name: String { "iban" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // An IBAN is at least 15 bytes of capitals, digits and spaces; only such runs are looked
        // into, for a country code and check digits after a boundary.
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 15, where: Self.isIBANByte) {
            var j = run.lowerBound
            while j + 4 <= run.upperBound {
                if ByteScan.isUpper(text[j]), ByteScan.isUpper(text[j + 1]), ByteScan.isDigit(text[j + 2]),
                    ByteScan.isDigit(text[j + 3]), !ByteScan.isAlphanumeric(text, at: j - 1),
                    let end = Self.iban(text, start: j)
                {
                    matches.append(j..<end)
                    j = end
                } else {
                    j += 1
                }
            }
            i = max(j, run.upperBound)
        }
    }

    @inline(__always)
    private static func isIBANByte(_ byte: UInt8) -> Bool {
        ByteScan.isUpper(byte) || ByteScan.isDigit(byte) || byte == UInt8(ascii: " ")
    }

    /// The end of an IBAN starting at `start` (country code and check digits already seen).
    @inline(__always)
    private static func iban(_ text: UnsafeBufferPointer<UInt8>, start: Int) -> Int? {
        let checkDigits = Int(text[start + 2] &- 0x30) * 10 + Int(text[start + 3] &- 0x30)
        guard (2...98).contains(checkDigits) else { return nil }
        let length = countryLength(text[start], text[start + 1])
        if ByteScan.byte(text, at: start + 4) == UInt8(ascii: " ") {
            guard let (end, shorter) = groupedEnd(text, start: start, length: length) else { return nil }
            if checksum(text, start: start, end: end) == 1 { return end }
            // Without a known length the last group may be a word after the number (`… 3035 XOF`).
            if let shorter, checksum(text, start: start, end: shorter) == 1 { return shorter }
            return nil
        }
        var end = start + 4
        // Never further than one past the longest IBAN, so a long token costs no more than a short one.
        while end < text.count, end - start <= 34, ByteScan.isUpper(text[end]) || ByteScan.isDigit(text[end]) { end += 1 }
        let count = end - start
        guard length > 0 ? count == length : (15...34).contains(count), !ByteScan.isAlphanumeric(text, at: end),
            checksum(text, start: start, end: end) == 1
        else { return nil }
        return end
    }

    /// The end of a print-format IBAN, or nil. `length` is the country's length, or 0 if unknown;
    /// then the end before the last group is returned too, when that is long enough for an IBAN.
    @inline(__always)
    private static func groupedEnd(
        _ text: UnsafeBufferPointer<UInt8>,
        start: Int,
        length: Int
    ) -> (end: Int, withoutLastGroup: Int?)? {
        var count = 4
        var previousCount = 0
        var previousEnd = start
        var p = start + 4
        while ByteScan.byte(text, at: p) == UInt8(ascii: " "), ByteScan.isAlphanumeric(text, at: p + 1) {
            // A group: four characters, or fewer when it is the last one.
            var q = p + 1
            let limit = length > 0 ? min(4, length - count) : 4
            while q - p - 1 < limit, q < text.count, ByteScan.isUpper(text[q]) || ByteScan.isDigit(text[q]) { q += 1 }
            let group = q - p - 1
            if group == 0 { break }  // a lowercase word after the number
            (previousCount, previousEnd) = (count, p)
            count += group
            p = q
            if group < 4 || count == length || count > 34 { break }
        }
        guard !ByteScan.isAlphanumeric(text, at: p) else { return nil }
        if length > 0 { return count == length ? (p, nil) : nil }
        let shorter = previousCount >= 15 ? previousEnd : nil
        if (15...34).contains(count) { return (p, shorter) }
        return shorter.map { ($0, nil) }
    }

    /// The ISO 7064 MOD 97-10 remainder of the rearranged IBAN in `start..<end` (spaces skipped).
    @inline(__always)
    private static func checksum(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int {
        var remainder = 0
        @inline(__always) func add(_ byte: UInt8) {
            if ByteScan.isDigit(byte) {
                remainder = (remainder * 10 + Int(byte &- 0x30)) % 97
            } else if ByteScan.isUpper(byte) {
                remainder = (remainder * 100 + Int(byte &- 0x41) + 10) % 97
            }
        }
        for k in (start + 4)..<end { add(text[k]) }
        for k in start..<(start + 4) { add(text[k]) }
        return remainder
    }

    /// The registered IBAN length for a country, or 0 when the country is not in the table.
    static func countryLength(_ a: UInt8, _ b: UInt8) -> Int {
        switch (UInt16(a) << 8) | UInt16(b) {
        case code("NO"): 15
        case code("BE"): 16
        case code("DK"), code("FI"), code("FK"), code("FO"), code("GL"), code("NL"), code("SD"): 18
        case code("MK"), code("SI"): 19
        case code("AT"), code("BA"), code("EE"), code("KZ"), code("LT"), code("LU"), code("MN"), code("XK"): 20
        case code("CH"), code("HR"), code("LI"), code("LV"): 21
        case code("BG"), code("BH"), code("CR"), code("DE"), code("GB"), code("GE"), code("IE"), code("ME"),
            code("RS"), code("VA"):
            22
        case code("AE"), code("GI"), code("IL"), code("IQ"), code("OM"), code("SO"), code("TL"): 23
        case code("AD"), code("CZ"), code("ES"), code("MD"), code("PK"), code("RO"), code("SA"), code("SE"),
            code("SK"), code("TN"), code("VG"):
            24
        case code("LY"), code("PT"), code("ST"): 25
        case code("IS"), code("TR"): 26
        case code("BI"), code("DJ"), code("FR"), code("GR"), code("IT"), code("MC"), code("MR"), code("SM"): 27
        case code("AL"), code("AZ"), code("BY"), code("CY"), code("DO"), code("GT"), code("HN"), code("HU"),
            code("LB"), code("NI"), code("PL"), code("SV"):
            28
        case code("BR"), code("EG"), code("PS"), code("QA"), code("UA"): 29
        case code("JO"), code("KW"), code("MU"), code("YE"): 30
        case code("MT"), code("SC"): 31
        case code("LC"): 32
        case code("RU"): 33
        default: 0
        }
    }

    @inline(__always)
    private static func code(_ country: StaticString) -> UInt16 {
        (UInt16(country.utf8Start[0]) << 8) | UInt16(country.utf8Start[1])
    }
}
