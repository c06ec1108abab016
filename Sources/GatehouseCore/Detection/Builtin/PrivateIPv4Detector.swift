/// `ipv4_private`: a dotted-quad IPv4 address in space that is not routed on the Internet and so
/// reveals the organisation's internal network.
///
/// Included: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) and 100.64.0.0/10 (RFC 6598
/// shared address space — used by carrier NAT, and by overlay networks such as Tailscale and many
/// Kubernetes set-ups for internal hosts). Excluded: 127.0.0.0/8 (loopback) and 169.254.0.0/16
/// (link-local, including the cloud metadata address): every host has the same ones, so they reveal
/// nothing, and they are the commonest false alarm in technical chat.
///
/// Each octet is 0–255 in decimal without leading zeros (`010.0.0.1` is not an address in most
/// parsers' eyes — some read it as octal). The address must not be part of a longer dotted number:
/// not preceded by a letter, digit, or a dot after a letter or digit, and not followed by a letter,
/// digit, or a dot and a digit (`1.10.0.0.1`, `10.0.0.1.5` are version strings or OIDs). A port, CIDR
/// suffix or trailing sentence dot is fine: `10.0.0.1:8080`, `10.0.0.0/8`, `… at 10.0.0.1.`
public struct PrivateIPv4Detector: Detector {
    public var name: String { "ipv4_private" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // An address is at least 8 bytes of digits and dots ("10.0.0.0"); only such runs are looked
        // into, at each "1" — every included range starts with one (10, 100, 172, 192).
        var i = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 8, where: Self.isDottedByte) {
            var j = run.lowerBound
            while j < run.upperBound {
                if text[j] == UInt8(ascii: "1"), let end = Self.address(text, at: j) {
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
    private static func isDottedByte(_ byte: UInt8) -> Bool {
        ByteScan.isDigit(byte) || byte == UInt8(ascii: ".")
    }

    @inline(__always)
    private static func address(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        let dot = UInt8(ascii: ".")
        if ByteScan.isAlphanumeric(text, at: start - 1) { return nil }
        if ByteScan.byte(text, at: start - 1) == dot, ByteScan.isAlphanumeric(text, at: start - 2) { return nil }
        var octets = (0, 0)
        var p = start
        for index in 0..<4 {
            if index > 0 {
                guard ByteScan.byte(text, at: p) == dot else { return nil }
                p += 1
            }
            guard let (value, end) = octet(text, at: p) else { return nil }
            if index == 0 {
                octets.0 = value
                // Stop early on the common case: most numbers starting with 1 are no address.
                guard value == 10 || value == 100 || value == 172 || value == 192 else { return nil }
            } else if index == 1 {
                octets.1 = value
            }
            p = end
        }
        if ByteScan.isAlphanumeric(text, at: p) { return nil }
        if ByteScan.byte(text, at: p) == dot, ByteScan.isDigit(text, at: p + 1) { return nil }
        switch octets.0 {
        case 10: return p
        case 100: return (64...127).contains(octets.1) ? p : nil
        case 172: return (16...31).contains(octets.1) ? p : nil
        case 192: return octets.1 == 168 ? p : nil
        default: return nil
        }
    }

    /// A decimal octet 0–255 without leading zeros at `p`, and where it ends.
    @inline(__always)
    private static func octet(_ text: UnsafeBufferPointer<UInt8>, at p: Int) -> (Int, Int)? {
        guard ByteScan.isDigit(text, at: p) else { return nil }
        var value = Int(text[p] &- 0x30)
        var q = p + 1
        while q < text.count, ByteScan.isDigit(text[q]) {
            if value == 0 || q - p == 3 { return nil }  // a leading zero, or a fourth digit
            value = value * 10 + Int(text[q] &- 0x30)
            q += 1
        }
        return value <= 255 ? (value, q) : nil
    }
}
