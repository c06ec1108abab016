/// `email`: an e-mail address, `local@domain.tld`, a practical subset of RFC 5322 `addr-spec`.
///
/// - Local part: a dot-atom of ASCII letters, digits and `. _ % + -` (no leading, trailing or doubled
///   dot), at most 64 bytes (RFC 5321). RFC 5322 also allows ``! # $ & ' * / = ? ^ ` { | } ~`` and
///   quoted strings; they are left out because in chat those characters are far more often the
///   punctuation around an address (`'bob@x.cn'`, `?to=bob@x.cn`) than part of it, and the address
///   itself is still found.
/// - Domain: at least two dot-separated labels of letters, digits and hyphens (1–63 bytes, no
///   leading or trailing hyphen), at most 253 bytes, ending in a top-level domain of two or more
///   letters or an IDNA `xn--` label. Address literals (`bob@[10.0.0.1]`) and bare hosts are out.
/// - Internationalised addresses (RFC 6531, `张三@例子.中国`) are out of scope: non-ASCII bytes are
///   boundaries, so `张三@example.cn` yields no finding while `联系bob@example.cn谢谢` yields
///   `bob@example.cn`.
///
/// Boundaries: the local part runs back to the first character outside its set; the domain must not
/// be followed by a letter, digit, `-`, `_` or `@`. A trailing sentence dot is not part of the match.
public struct EmailDetector: Detector {
    public var name: String { "email" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        var floor = 0
        var at = ByteScan.first(UInt8(ascii: "@"), text, from: 0)
        while at < text.count {
            if let match = Self.address(text, at: at, floor: floor) {
                matches.append(match)
                floor = match.upperBound
                at = ByteScan.first(UInt8(ascii: "@"), text, from: match.upperBound)
            } else {
                at = ByteScan.first(UInt8(ascii: "@"), text, from: at + 1)
            }
        }
    }

    @inline(__always)
    private static func isLocal(_ byte: UInt8) -> Bool {
        ByteScan.isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }

    @inline(__always)
    private static func isLabel(_ byte: UInt8) -> Bool {
        ByteScan.isAlphanumeric(byte) || byte == UInt8(ascii: "-")
    }

    /// The address around the `@` at `at`, not reaching back before `floor`.
    @inline(__always)
    private static func address(_ text: UnsafeBufferPointer<UInt8>, at: Int, floor: Int) -> Range<Int>? {
        let dot = UInt8(ascii: ".")
        // Local part: back to the first byte outside the set; longer than 64 bytes is no address.
        var start = at
        while start > floor, isLocal(text[start - 1]) {
            start -= 1
            if at - start > 64 { return nil }
        }
        // Dots before the address are punctuation; after a doubled dot, the address starts anew.
        var k = start
        while k < at {
            if text[k] == dot, k == start || text[k - 1] == dot { start = k + 1 }
            k += 1
        }
        guard start < at, text[at - 1] != dot else { return nil }

        // Domain: labels while a dot is followed by a label; the last label that is a TLD ends it.
        let domainStart = at + 1
        var end = -1
        var labels = 0
        var q = domainStart
        while q - domainStart <= 253 {
            let labelStart = q
            while q < text.count, isLabel(text[q]), q - labelStart <= 63 { q += 1 }
            let length = q - labelStart
            guard length > 0, length <= 63, text[labelStart] != UInt8(ascii: "-"), text[q - 1] != UInt8(ascii: "-")
            else { break }
            labels += 1
            if labels >= 2, q - domainStart <= 253, isTopLevel(text, labelStart, q) { end = q }
            guard ByteScan.byte(text, at: q) == dot, ByteScan.isAlphanumeric(text, at: q + 1) else { break }
            q += 1
        }
        guard end > 0 else { return nil }
        let next = ByteScan.byte(text, at: end)
        guard !ByteScan.isAlphanumeric(next), next != UInt8(ascii: "-"), next != UInt8(ascii: "_"),
            next != UInt8(ascii: "@")
        else { return nil }
        return start..<end
    }

    /// Two or more letters, or an IDNA A-label (`xn--fiqs8s`).
    @inline(__always)
    private static func isTopLevel(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 2 else { return false }
        if end - start >= 5, text[start] | 0x20 == UInt8(ascii: "x"), text[start + 1] | 0x20 == UInt8(ascii: "n"),
            text[start + 2] == UInt8(ascii: "-"), text[start + 3] == UInt8(ascii: "-")
        {
            return true
        }
        for k in start..<end where !ByteScan.isLetter(text[k]) { return false }
        return true
    }
}
