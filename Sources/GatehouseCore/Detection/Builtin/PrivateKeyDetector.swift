/// `private_key`: a PEM / OpenSSH / OpenPGP armoured private key (RFC 7468 textual encoding).
///
/// A block starts at `-----BEGIN <label>-----` where the label is uppercase letters, digits and
/// spaces ending in `PRIVATE KEY` — PKCS#8 `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, PKCS#1
/// `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY` — or in
/// `PRIVATE KEY BLOCK` (OpenPGP armour, RFC 4880). It ends after the next `-----END <label>-----`
/// whose label ends the same way (the END label is not required to repeat the BEGIN label: a mangled
/// paste is still a key). Without such an END line the match runs to the end of the text: a
/// truncated key is still a leak, and so is a key whose END line was cut off part-way.
///
/// Nothing about the body is required (not even base64), so a placeholder block in documentation is
/// a finding too; that false alarm is cheap next to a missed key. Certificates and public keys
/// (`BEGIN CERTIFICATE`, `BEGIN PUBLIC KEY`) are not findings. Not recognised: PuTTY `.ppk` files and
/// RFC 4716 `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` (four dashes, spaces), both rare in chat.
public struct PrivateKeyDetector: Detector {
    public var name: String { "private_key" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        let dash = UInt8(ascii: "-")
        var i = ByteScan.first(dash, text, from: 0)
        while i < text.count {
            if ByteScan.hasPrefix(text, at: i, "-----BEGIN "), let headerEnd = Self.armourLineEnd(text, labelStart: i + 11) {
                let end = Self.blockEnd(text, from: headerEnd)
                matches.append(i..<end)
                i = ByteScan.first(dash, text, from: end)
            } else {
                i = ByteScan.first(dash, text, from: i + 1)
            }
        }
    }

    /// The end of the first private-key END line at or after `start`, or the end of the text (which
    /// also covers an END line the text cuts off part-way).
    @inline(__always)
    private static func blockEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var k = ByteScan.first(UInt8(ascii: "-"), text, from: start)
        while k < text.count {
            if ByteScan.hasPrefix(text, at: k, "-----END "), let end = armourLineEnd(text, labelStart: k + 9) {
                return end
            }
            k = ByteScan.first(UInt8(ascii: "-"), text, from: k + 1)
        }
        return text.count
    }

    @inline(__always)
    private static func isLabel(_ byte: UInt8) -> Bool {
        ByteScan.isUpper(byte) || ByteScan.isDigit(byte) || byte == UInt8(ascii: " ")
    }

    /// For a label at `labelStart` ending in `PRIVATE KEY` or `PRIVATE KEY BLOCK` and closed by
    /// five dashes, the end of those dashes.
    @inline(__always)
    private static func armourLineEnd(_ text: UnsafeBufferPointer<UInt8>, labelStart: Int) -> Int? {
        var p = labelStart
        // Labels are short; a long run of capitals is prose, not armour.
        while p < text.count, isLabel(text[p]), p - labelStart <= 64 { p += 1 }
        guard ByteScan.hasPrefix(text, at: p, "-----") else { return nil }
        if endsWith(text, labelStart, p, "PRIVATE KEY") || endsWith(text, labelStart, p, "PRIVATE KEY BLOCK") {
            return p + 5
        }
        return nil
    }

    /// Whether `start..<end` ends with `suffix` as whole words (the start or a space before it).
    @inline(__always)
    private static func endsWith(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ suffix: StaticString) -> Bool {
        let from = end - suffix.utf8CodeUnitCount
        guard from >= start, ByteScan.hasPrefix(text, at: from, suffix) else { return false }
        return from == start || text[from - 1] == UInt8(ascii: " ")
    }
}
