import Foundation

extension LinkParser {
    /// A host as IDNA reads it, so that patterns and hosts compare on one spelling: ASCII hosts are
    /// returned as they are (already lowercased by the parser); a host with non-ASCII characters
    /// (written, or percent-encoded UTF-8) is mapped with NFKC and lowercased (UTS #46 mapping:
    /// `𝐞𝐯𝐢𝐥.com` is evil.com, `ＡＣＭＥ` is acme), split at `.` and its look-alikes `。．｡`, and each
    /// label that is still not ASCII is Punycode-encoded with `xn--` (`例子.测试` is
    /// `xn--fsqu00a.xn--0zwm56d`). Not applied: UTS #46's disallowed-character checks and bidi
    /// rules — a host they would reject is still a host here, and a finding unless allowed.
    static func idnaHost(_ host: [UInt8]) -> [UInt8] {
        guard host.contains(where: { $0 >= 0x80 }) else { return host }
        let mapped = String(decoding: host, as: UTF8.self).precomposedStringWithCompatibilityMapping.lowercased()
        var result: [UInt8] = []
        result.reserveCapacity(host.count + 8)
        let labels = mapped.unicodeScalars.split(omittingEmptySubsequences: false) {
            $0 == "." || $0 == "\u{3002}" || $0 == "\u{FF0E}" || $0 == "\u{FF61}"
        }
        for (index, label) in labels.enumerated() {
            if index > 0 { result.append(UInt8(ascii: ".")) }
            let scalars = label.filter { !NormalizationTable.isIgnorable($0) }
            if scalars.allSatisfy(\.isASCII) {
                result += scalars.map { UInt8($0.value) }
            } else if let encoded = Punycode.encode(scalars.map(\.value)) {
                result += Array("xn--".utf8) + encoded
            } else {
                result += Array(String(String.UnicodeScalarView(scalars)).utf8)
            }
        }
        return result
    }
}
