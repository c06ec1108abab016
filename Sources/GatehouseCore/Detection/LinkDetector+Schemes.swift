// Links without `http`, `www.` or `t.me`: bare domains and other schemes.
//
// Bare domains: a dotted name of ASCII letters, digits, `-` and `_` (`evil.example/login`,
// `Login.Evil.co.uk`), starting where a `www.` link could (not inside a word, a host name or an
// e-mail address: `bob@evil.com` is the e-mail detector's), whose last labels are a public suffix by
// the Public Suffix List with at least one label before them — so `file.txt`, `e.g.`, `a.m.`,
// `v1.2` and `3.14` are words, not links. A name ending in a number is never a bare domain; one
// followed by `@` is an address's local part. Only `.` separates labels (`中国。today` is a
// sentence), and non-ASCII names are links only with a scheme or `www.`: CJK prose runs into
// Latin words without spaces far too often.
//
// Other schemes: `scheme:` (a letter, then letters, digits, `+`, `-`, `.`), not inside a word,
// followed by `//` (an authority, read like an http URL's, possibly empty: `file:///etc/passwd`)
// or, for the script and data schemes, by anything (`javascript:alert(1)`). `mailto:`, `tel:`
// and `sms:` are not links here: they reach a person, and the e-mail and mobile detectors read
// the address itself.

extension LinkParser {
    /// Schemes whose target is code or content rather than a place: links without `//`.
    static let opaqueSchemes: Set<[UInt8]> = [Array("javascript".utf8), Array("vbscript".utf8), Array("data".utf8)]

    /// The URL of a scheme other than http(s) whose `:` is at `colon`, not reaching back before `floor`.
    static func otherSchemeURL(
        in text: UnsafeBufferPointer<UInt8>,
        colon: Int,
        floor: Int,
        host: inout [UInt8],
        scheme: inout [UInt8]
    ) -> Range<Int>? {
        var start = colon
        while start > floor, isSchemeByte(text[start - 1]) { start -= 1 }
        while start < colon, !ByteScan.isLetter(text[start]) { start += 1 }
        guard start < colon, colon + 1 < text.count else { return nil }
        if start > 0 {
            let previous = text[start - 1]
            if ByteScan.isAlphanumeric(previous) || previous == UInt8(ascii: "_") || previous == UInt8(ascii: "@") { return nil }
        }
        var name = Array(text[start..<colon])
        for index in name.indices { name[index] |= ByteScan.isUpper(name[index]) ? 0x20 : 0 }
        // http and https are read at their `h` (`xhttps://a.org` is an https URL after an x).
        if name.ends(with: "http".utf8) || name.ends(with: "https".utf8) { return nil }
        var index = colon + 1
        let end: Int
        if index + 1 < text.count, isSlash(text[index]), isSlash(text[index + 1]) {
            index += 2
            let hostStart = userinfoEnd(in: text, from: index) ?? index
            if let hostEnd = parseHost(in: text, from: hostStart, into: &host) {
                end = rest(in: text, after: hostEnd)
            } else {
                host.removeAll(keepingCapacity: true)
                end = index < text.count && startsPath(text[index]) ? pathEnd(in: text, from: index) : index
            }
        } else if opaqueSchemes.contains(name), startsPath(text[index]) {
            host.removeAll(keepingCapacity: true)
            end = pathEnd(in: text, from: index)
        } else {
            return nil
        }
        scheme = name
        return start..<end
    }

    /// The bare domain whose first dot is at `dot`, not reaching back before `floor`.
    static func bareDomain(
        in text: UnsafeBufferPointer<UInt8>,
        dot: Int,
        floor: Int,
        host: inout [UInt8],
        suffixes: PublicSuffixList?
    ) -> Range<Int>? {
        guard dot + 1 < text.count, asciiHostCharacter(text[dot + 1]) != nil,
            dot > floor, asciiHostCharacter(text[dot - 1]) != nil
        else { return nil }
        var start = dot
        while start > floor, asciiHostCharacter(text[start - 1]) != nil { start -= 1 }
        guard atBoundary(text, start), text[start] != UInt8(ascii: "-") else { return nil }
        host.removeAll(keepingCapacity: true)
        var index = start
        var label = 0
        var lastLabel = start
        while index < text.count {
            let byte = text[index]
            if let folded = asciiHostCharacter(byte) {
                host.append(folded)
                label += 1
                index += 1
            } else if byte == UInt8(ascii: "."), label > 0, index + 1 < text.count, asciiHostCharacter(text[index + 1]) != nil {
                host.append(byte)
                label = 0
                index += 1
                lastLabel = index
            } else {
                break
            }
        }
        let hostEnd = index
        guard ByteScan.byte(text, at: hostEnd) != UInt8(ascii: "@"),
            !text[lastLabel..<hostEnd].allSatisfy(ByteScan.isDigit),
            suffixes.map({ $0.isDomain(host) }) ?? PublicSuffixList.looksLikeDomain(host)
        else { return nil }
        return start..<rest(in: text, after: hostEnd)
    }

    @inline(__always)
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        ByteScan.isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    @inline(__always)
    static func isSlash(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }

    /// Whether a target can start with `byte` (not white space, a quote or an angle bracket).
    @inline(__always)
    static func startsPath(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte != 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "\"")
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: String.UTF8View) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
