// Finding links in UTF-8 text and reading their hosts, byte by byte.
//
// What counts as a link:
// - `http://` and `https://` URLs, scheme in any case; like browsers, `\` counts as `/` and one
//   slash is enough (`https:/evil.example`, `https:\\evil.example`);
// - hosts starting with `www.` (not preceded by an ASCII letter, digit, `.`, `-`, `_` or `@`);
// - `t.me/…`, `telegram.me/…` and `telegram.dog/…` links;
// - bare domains (`evil.example/login`, `login.evil.co.uk`), as every chat client links them — see
//   `LinkDetector+Schemes.swift`;
// - URLs of any other scheme with an authority (`dingtalk://…`, `tg://resolve?…`, `ftp://`,
//   `file:///`, `intent://`) and the script and data schemes (`javascript:`, `vbscript:`, `data:`).
//
// The host: after the last `@` of the authority (`https://acme.example@evil.com/` is evil.com),
// up to a port, path, query or fragment. Like Telegram's own link detection, a host name runs over
// ASCII letters, digits, `-` and `_` and over every non-ASCII character that is not white space or
// punctuation — CJK included, so `https://acme.example看看` is the host `acme.example看看`, which is
// what a Telegram client would link to. Dots are `.`, `。`, `．` and `｡`, each read as `.` when a host
// character follows it; a trailing dot is dropped. Full-width letters and digits fold to ASCII,
// ASCII letters to lower case, `%XX` escapes are decoded (host characters, `%2E` as a dot, UTF-8),
// invisible characters (default-ignorable code points) are skipped (browsers drop them too); a host
// with non-ASCII characters is then mapped by IDNA (`LinkParser.idnaHost`: NFKC, lowercase, Punycode). `[…]` is an IPv6 literal, kept with its brackets;
// IPv4 literals are host names of digits (no canonicalisation of `0x7f.1` style forms).
//
// The path runs to white space, `<`, `>`, `"`, non-ASCII punctuation (，。、 end a URL in a CJK
// sentence) or an unbalanced closing bracket; trailing `. , : ; ! ? ' ( \`` are not part of it.

enum LinkParser {
    /// The next link at or after `start`, its host written (normalised) into `host` and its scheme
    /// (lowercase, without `:`) into `scheme` — empty for `www.`, `t.me/…` and bare domains, which
    /// clients open as web links. `suffixes` tells bare domains from other dotted words; without
    /// it, `PublicSuffixList.looksLikeDomain` does.
    static func nextLink(
        in text: UnsafeBufferPointer<UInt8>,
        from start: Int,
        host: inout [UInt8],
        scheme: inout [UInt8],
        suffixes: PublicSuffixList?
    ) -> Range<Int>? {
        var index = start
        let count = text.count
        while index < count {
            let byte = text[index]
            // Every link starts with h, w or t, in either case, or shows itself at its scheme's
            // `:` or its domain's first `.`.
            switch byte | 0x20 {
            case UInt8(ascii: "h"):
                if let end = schemeURL(in: text, at: index, host: &host) {
                    scheme.removeAll(keepingCapacity: true)
                    scheme += text[index + 4] | 0x20 == UInt8(ascii: "s") ? Array("https".utf8) : Array("http".utf8)
                    return index..<end
                }
            case UInt8(ascii: "w"):
                if let end = wwwURL(in: text, at: index, host: &host) {
                    scheme.removeAll(keepingCapacity: true)
                    return index..<end
                }
            case UInt8(ascii: "t"):
                if let end = telegramURL(in: text, at: index, host: &host) {
                    scheme.removeAll(keepingCapacity: true)
                    return index..<end
                }
            default:
                if byte == UInt8(ascii: ":") {
                    if let link = otherSchemeURL(in: text, colon: index, floor: start, host: &host, scheme: &scheme) { return link }
                } else if byte == UInt8(ascii: ".") {
                    if let link = bareDomain(in: text, dot: index, floor: start, host: &host, suffixes: suffixes) {
                        scheme.removeAll(keepingCapacity: true)
                        return link
                    }
                }
            }
            index += 1
        }
        return nil
    }

    /// The link that starts exactly at `start`, if there is one: its end, and its host in `host`.
    static func link(in text: UnsafeBufferPointer<UInt8>, at start: Int, host: inout [UInt8]) -> Int? {
        guard start < text.count else { return nil }
        switch text[start] | 0x20 {
        case UInt8(ascii: "h"): return schemeURL(in: text, at: start, host: &host)
        case UInt8(ascii: "w"): return wwwURL(in: text, at: start, host: &host)
        case UInt8(ascii: "t"): return telegramURL(in: text, at: start, host: &host)
        default: return nil
        }
    }

    // MARK: - The three forms

    static func schemeURL(in text: UnsafeBufferPointer<UInt8>, at start: Int, host: inout [UInt8]) -> Int? {
        var index = start
        guard hasPrefix(text, at: index, "http") else { return nil }
        index += 4
        if index < text.count && text[index] | 0x20 == UInt8(ascii: "s") { index += 1 }
        guard index < text.count && text[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        let slashes = index
        while index < text.count && (text[index] == UInt8(ascii: "/") || text[index] == UInt8(ascii: "\\")) { index += 1 }
        guard index > slashes else { return nil }
        let hostStart = userinfoEnd(in: text, from: index) ?? index
        guard let hostEnd = parseHost(in: text, from: hostStart, into: &host) else { return nil }
        return rest(in: text, after: hostEnd)
    }

    static func wwwURL(in text: UnsafeBufferPointer<UInt8>, at start: Int, host: inout [UInt8]) -> Int? {
        guard atBoundary(text, start), hasPrefix(text, at: start, "www"),
            dotEnd(in: text, at: start + 3) != nil,
            let hostEnd = parseHost(in: text, from: start, into: &host),
            host.count > 4  // something after "www."
        else { return nil }
        return rest(in: text, after: hostEnd)
    }

    static func telegramURL(in text: UnsafeBufferPointer<UInt8>, at start: Int, host: inout [UInt8]) -> Int? {
        // Most words starting with t are not links: look for `t.` or `telegram` before parsing.
        guard dotEnd(in: text, at: start + 1) != nil || hasPrefix(text, at: start, "telegram"),
            atBoundary(text, start),
            let hostEnd = parseHost(in: text, from: start, into: &host),
            hostEnd < text.count, text[hostEnd] == UInt8(ascii: "/"),
            host.elementsEqual("t.me".utf8) || host.elementsEqual("telegram.me".utf8) || host.elementsEqual("telegram.dog".utf8)
        else { return nil }
        return rest(in: text, after: hostEnd)
    }

    // MARK: - Authority

    /// Where the host starts when the authority from `start` holds user info (`user:pass@`): after
    /// its last `@`, as browsers read it.
    static func userinfoEnd(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        var afterAt: Int?
        while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "@"): afterAt = index + 1
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                    UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                    UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "%"),
                    UInt8(ascii: "["), UInt8(ascii: "]"):
                    break
                default:
                    return afterAt
                }
                index += 1
            } else {
                let (scalar, next) = decode(text, index)
                switch classify(scalar) {
                case .letter, .dot, .ignorable: index = next
                case .end: return afterAt
                }
            }
        }
        return afterAt
    }

    /// Reads the host starting at `start` into `host`; returns where it ends, or nil if there is none.
    static func parseHost(in text: UnsafeBufferPointer<UInt8>, from start: Int, into host: inout [UInt8]) -> Int? {
        host.removeAll(keepingCapacity: true)
        guard start < text.count else { return nil }
        if text[start] == UInt8(ascii: "[") { return parseIPv6(in: text, from: start, into: &host) }
        var index = start
        var label = 0  // characters in the current label
        var end = start
        loop: while index < text.count {
            let byte = text[index]
            if byte < 0x80, let folded = asciiHostCharacter(byte) {
                host.append(folded)
                label += 1
                index += 1
                end = index
                continue
            }
            if byte == UInt8(ascii: "%"), index + 2 < text.count,
                let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
            {
                // Browsers percent-decode a host before reading it: an escaped host character
                // (`%65vil.example`), an escaped dot (`acme.example%2Eevil.com` is a subdomain of
                // evil.com), escaped UTF-8 (decoded, then mapped with the rest by IDNA).
                let decoded = high << 4 | low
                if let folded = asciiHostCharacter(decoded) {
                    host.append(folded)
                } else if decoded >= 0x80 {
                    host.append(decoded)
                } else if decoded == UInt8(ascii: "."), label > 0, startsHostCharacter(text, at: index + 3) {
                    host.append(UInt8(ascii: "."))
                    label = 0
                    index += 3
                    continue
                } else {
                    break loop
                }
                label += 1
                index += 3
                end = index
                continue
            }
            if let next = dotEnd(in: text, at: index) {
                // A dot belongs to the host when a label precedes it and a host character follows it;
                // before a port, path, query or fragment it is the root dot, dropped.
                guard label > 0 else { break loop }
                if startsHostCharacter(text, at: next) {
                    host.append(UInt8(ascii: "."))
                    label = 0
                    index = next
                    continue
                }
                if next < text.count {
                    switch text[next] {
                    case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "#"): end = next
                    default: break
                    }
                }
                break loop
            }
            guard byte >= 0x80 else { break loop }
            let (scalar, next) = decode(text, index)
            switch classify(scalar) {
            case .letter:
                let folded = fullWidthFold(scalar)
                if folded < 0x80 {
                    host.append(UInt8(folded))
                } else {
                    host.append(contentsOf: text[index..<next])
                }
                label += 1
                index = next
                end = index
            case .ignorable:
                index = next
            case .dot, .end:
                break loop
            }
        }
        if host.isEmpty { return nil }
        if host.contains(where: { $0 >= 0x80 }) { host = idnaHost(host) }
        return end
    }

    /// `[…]`: hex digits, `:` and `.` (an embedded IPv4), kept with the brackets, lowercased.
    static func parseIPv6(in text: UnsafeBufferPointer<UInt8>, from start: Int, into host: inout [UInt8]) -> Int? {
        host.append(UInt8(ascii: "["))
        var index = start + 1
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "]") {
                guard index > start + 1 else { return nil }
                host.append(byte)
                return index + 1
            }
            guard hexValue(byte) != nil || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else { return nil }
            host.append(byte | (byte >= UInt8(ascii: "A") ? 0x20 : 0))
            index += 1
        }
        return nil
    }

    // MARK: - Port, path, query, fragment

    /// The end of the URL whose host ends at `hostEnd`.
    static func rest(in text: UnsafeBufferPointer<UInt8>, after hostEnd: Int) -> Int {
        var index = hostEnd
        if index + 1 < text.count, text[index] == UInt8(ascii: ":"), isDigit(text[index + 1]) {
            index += 1
            while index < text.count && isDigit(text[index]) { index += 1 }
        }
        guard index < text.count else { return index }
        switch text[index] {
        case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "#"): break
        default: return index
        }
        return pathEnd(in: text, from: index)
    }

    /// The end of a path, query and fragment (or an opaque target such as `javascript:`'s)
    /// starting at `pathStart`, whose first byte is always part of it.
    static func pathEnd(in text: UnsafeBufferPointer<UInt8>, from pathStart: Int) -> Int {
        var end = pathStart + 1
        var parentheses = 0
        var brackets = 0
        var braces = 0
        scan: while end < text.count {
            let byte = text[end]
            if byte < 0x80 {
                switch byte {
                case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""):
                    break scan
                case UInt8(ascii: "("): parentheses += 1
                case UInt8(ascii: ")"): parentheses -= 1
                case UInt8(ascii: "["): brackets += 1
                case UInt8(ascii: "]"): brackets -= 1
                case UInt8(ascii: "{"): braces += 1
                case UInt8(ascii: "}"): braces -= 1
                default: break
                }
                // An unbalanced closing bracket closes the text around the URL: `(see https://x/y)`.
                if parentheses < 0 || brackets < 0 || braces < 0 { break scan }
                end += 1
            } else {
                let (scalar, next) = decode(text, end)
                switch classify(scalar) {
                case .letter, .ignorable: end = next
                case .dot, .end: break scan
                }
            }
        }
        // Sentence punctuation after a URL is not part of it.
        trailing: while end > pathStart + 1 {
            switch text[end - 1] {
            case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "!"),
                UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: "`"):
                end -= 1
            default:
                break trailing
            }
        }
        return end
    }

    // MARK: - Characters

    enum HostCharacter {
        /// Part of a host name (letters, digits, symbols, CJK…).
        case letter
        /// `。`, `．` or `｡`, read as `.` inside a host.
        case dot
        /// Invisible; skipped.
        case ignorable
        /// White space, punctuation, control characters, malformed bytes.
        case end
    }

    /// The class of a non-ASCII scalar in a host or path.
    static func classify(_ scalar: UInt32) -> HostCharacter {
        switch scalar {
        case 0x3002, 0xFF0E, 0xFF61: return .dot
        case 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A, 0xFF0D, 0xFF3F: return .letter
        case 0xFFFD: return .end
        default: break
        }
        if NormalizationTable.shared.entry(scalar) == NormalizationTable.drop { return .ignorable }
        guard let value = Unicode.Scalar(scalar) else { return .end }
        if value.properties.isWhitespace { return .end }
        switch value.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .spaceSeparator, .lineSeparator, .paragraphSeparator,
            .control, .format, .surrogate, .privateUse, .unassigned:
            return .end
        default:
            return .letter
        }
    }

    /// A full-width letter or digit (and `－`, `＿`) as its lowercase ASCII; other scalars unchanged.
    static func fullWidthFold(_ scalar: UInt32) -> UInt32 {
        switch scalar {
        case 0xFF21...0xFF3A: return scalar - 0xFEE0 + 0x20
        case 0xFF10...0xFF19, 0xFF41...0xFF5A, 0xFF0D, 0xFF3F: return scalar - 0xFEE0
        default: return scalar
        }
    }

    /// An ASCII host character, lowercased; nil for anything else.
    static func asciiHostCharacter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte | 0x20
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): return byte
        default: return nil
        }
    }

    /// Where the dot at `index` (`.`, `。`, `．`, `｡`) ends; nil if there is none.
    static func dotEnd(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index < text.count else { return nil }
        if text[index] == UInt8(ascii: ".") { return index + 1 }
        guard text[index] >= 0x80 else { return nil }
        let (scalar, next) = decode(text, index)
        return classify(scalar) == .dot ? next : nil
    }

    /// Whether a host character (a label's first) starts at `index`, looking past invisible ones.
    static func startsHostCharacter(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        var index = index
        while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                if asciiHostCharacter(byte) != nil { return true }
                guard byte == UInt8(ascii: "%"), index + 2 < text.count,
                    let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
                else { return false }
                let decoded = high << 4 | low
                return decoded >= 0x80 || asciiHostCharacter(decoded) != nil
            }
            let (scalar, next) = decode(text, index)
            switch classify(scalar) {
            case .letter: return true
            case .ignorable: index = next
            case .dot, .end: return false
            }
        }
        return false
    }

    /// Whether `start` can begin a `www.` or `t.me` link: not inside a host name, an address or an
    /// ASCII word. CJK text often runs straight into a link (`请访问www.evil.example`), so a
    /// non-ASCII letter before it is a boundary.
    static func atBoundary(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        guard start > 0 else { return true }
        let previous = text[start - 1]
        if previous >= 0x80 {
            // The previous scalar: back over continuation bytes.
            var lead = start - 1
            while lead > 0 && text[lead] & 0xC0 == 0x80 { lead -= 1 }
            let (scalar, _) = decode(text, lead)
            return classify(scalar) != .dot && fullWidthFold(scalar) >= 0x80
        }
        return asciiHostCharacter(previous) == nil && previous != UInt8(ascii: ".") && previous != UInt8(ascii: "@")
    }

    static func hasPrefix(_ text: UnsafeBufferPointer<UInt8>, at index: Int, _ prefix: StaticString) -> Bool {
        guard index + prefix.utf8CodeUnitCount <= text.count else { return false }
        for offset in 0..<prefix.utf8CodeUnitCount
        where text[index + offset] | 0x20 != prefix.utf8Start[offset] {
            return false
        }
        return true
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The scalar at `index` (a non-ASCII lead byte) and where the next starts; U+FFFD for a
    /// malformed sequence, one byte long.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> (UInt32, Int) {
        let lead = UInt32(text[index])
        let length: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF:
            length = 2
            scalar = lead & 0x1F
        case 0xE0...0xEF:
            length = 3
            scalar = lead & 0x0F
        case 0xF0...0xF4:
            length = 4
            scalar = lead & 0x07
        default: return (lead < 0x80 ? lead : 0xFFFD, index + 1)
        }
        guard index + length <= text.count else { return (0xFFFD, index + 1) }
        for offset in 1..<length {
            let byte = UInt32(text[index + offset])
            guard byte & 0xC0 == 0x80 else { return (0xFFFD, index + 1) }
            scalar = scalar << 6 | (byte & 0x3F)
        }
        // F4 90.. decodes past U+10FFFF, beyond every scalar table.
        guard scalar <= 0x10FFFF else { return (0xFFFD, index + 1) }
        return (scalar, index + length)
    }
}
