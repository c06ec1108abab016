/// `bank_card`: a payment card number (ISO/IEC 7812) that passes the Luhn check.
///
/// 13–19 digits, written plain or grouped with one kind of single separator (space or hyphen):
/// - groups of 4 with a shorter last group: `4111 1111 1111 1111`, `6222-0212-3456-7890-123`;
/// - 4-6-5 (American Express, 15 digits) and 4-6-4 (Diners Club, 14 digits);
/// - 6 then the rest (7–13 digits), as UnionPay numbers are often printed: `621700 1234567890123`.
///
/// The first digits must be a plausible issuer identification number: 2–6 (Mir and Mastercard 2-series,
/// American Express / JCB / Diners, Visa, Mastercard / Maestro, UnionPay / Discover / RuPay), `81`
/// (UnionPay's 8-series BINs) or `955` (legacy domestic debit BINs of ICBC and ABC, still in
/// circulation). Excluded: 0, 1 (airline UATP), 7 (petroleum), other 8/9 numbers — they are not cards a
/// bank customer has, and excluding them keeps order numbers and timestamps out. A number that fails
/// Luhn is never a finding.
///
/// Boundaries: not preceded or followed by an ASCII letter or digit, and a grouped number is read as a
/// whole: when the same separator continues with more digits, those belong to the number (so a
/// 20-digit grouped number is not a card, and its last 16 digits are not one either). A run of more
/// than 19 digits contains no card. CJK text and punctuation are boundaries.
public struct BankCardDetector: Detector {
    public var name: String { "bank_card" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // A card number is at least 13 bytes of digits and separators; only such runs are looked
        // into, digit run by digit run.
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 13, where: Self.isNumberByte) {
            var j = run.lowerBound
            while j < run.upperBound {
                guard ByteScan.isDigit(text[j]) else {
                    j += 1
                    continue
                }
                let runEnd = ByteScan.digitRunEnd(text, from: j)
                if !ByteScan.isAlphanumeric(text, at: j - 1), let end = Self.card(text, start: j, firstGroupEnd: runEnd) {
                    matches.append(j..<end)
                    j = end
                } else {
                    j = runEnd
                }
            }
            i = max(j, run.upperBound)
        }
    }

    @inline(__always)
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        ByteScan.isDigit(byte) || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")
    }

    /// The end of a card number starting at `start`, whose first digit run ends at `firstGroupEnd`.
    @inline(__always)
    private static func card(_ text: UnsafeBufferPointer<UInt8>, start: Int, firstGroupEnd: Int) -> Int? {
        let first = firstGroupEnd - start
        let separator = ByteScan.byte(text, at: firstGroupEnd)
        if first == 4 || first == 6, separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-"),
            ByteScan.isDigit(text, at: firstGroupEnd + 1)
        {
            // The tail of a longer grouped number is not a number of its own.
            if ByteScan.byte(text, at: start - 1) == separator, ByteScan.isDigit(text, at: start - 2) { return nil }
            return grouped(text, start: start, first: first, firstGroupEnd: firstGroupEnd, separator: separator)
        }
        guard (13...19).contains(first), !ByteScan.isLetter(ByteScan.byte(text, at: firstGroupEnd)),
            isPlausible(text, start: start, end: firstGroupEnd)
        else { return nil }
        return firstGroupEnd
    }

    @inline(__always)
    private static func grouped(
        _ text: UnsafeBufferPointer<UInt8>,
        start: Int,
        first: Int,
        firstGroupEnd: Int,
        separator: UInt8
    ) -> Int? {
        var groups = 1
        var total = first
        var second = 0
        var third = 0
        var last = first
        var leadingGroupsAreFour = true  // every group before the last one has 4 digits
        var p = firstGroupEnd
        while ByteScan.byte(text, at: p) == separator, ByteScan.isDigit(text, at: p + 1) {
            let groupEnd = ByteScan.digitRunEnd(text, from: p + 1)
            let length = groupEnd - p - 1
            leadingGroupsAreFour = leadingGroupsAreFour && last == 4
            groups += 1
            total += length
            if groups == 2 { second = length } else if groups == 3 { third = length }
            last = length
            p = groupEnd
            if total > 19 { break }
        }
        guard (13...19).contains(total), !ByteScan.isLetter(ByteScan.byte(text, at: p)) else { return nil }
        let fours = leadingGroupsAreFour && first == 4 && last <= 4
        let amexOrDiners = groups == 3 && first == 4 && second == 6 && (third == 5 || third == 4)
        let unionPay = groups == 2 && first == 6
        guard fours || amexOrDiners || unionPay, isPlausible(text, start: start, end: p) else { return nil }
        return p
    }

    /// IIN prefix and Luhn over the digits in `start..<end` (separators skipped).
    @inline(__always)
    private static func isPlausible(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Bool {
        // The first group always has at least 4 digits, so the first three digits are contiguous.
        let d0 = text[start] &- 0x30
        let d1 = text[start + 1] &- 0x30
        let d2 = text[start + 2] &- 0x30
        guard (2...6).contains(d0) || (d0 == 8 && d1 == 1) || (d0 == 9 && d1 == 5 && d2 == 5) else { return false }
        var sum = 0
        var double = false
        var k = end - 1
        while k >= start {
            let byte = text[k]
            if ByteScan.isDigit(byte) {
                var digit = Int(byte &- 0x30)
                if double {
                    digit &*= 2
                    if digit > 9 { digit -= 9 }
                }
                sum += digit
                double.toggle()
            }
            k -= 1
        }
        return sum % 10 == 0
    }
}
