/// The Public Suffix List (publicsuffix.org): the suffixes under which anyone can register a name
/// (`com`, `co.uk`, `github.io`), so that a bare `evil.example/login` in a message can be told
/// from `file.txt` or `v1.2` the way chat clients tell links from words.
///
/// Parsed from the list's text (the `public_suffix_list.dat` format: one rule a line, `//`
/// comments, `*.ck` wildcards, `!www.ck` exceptions; the ICANN and the private sections alike).
/// Core does no I/O: the config loader reads the file (Debian's `publicsuffix` package keeps it
/// current at /usr/share/publicsuffix/public_suffix_list.dat) and hands its text here. Rules in
/// Unicode (`中国`) are stored in their IDNA form (`xn--fiqs8s`), as hosts are compared.
public struct PublicSuffixList: Sendable {
    private struct Rule: OptionSet, Sendable {
        let rawValue: UInt8
        /// `co.uk`: this name is a public suffix.
        static let exact = Rule(rawValue: 1)
        /// `*.ck`: every label under this name is one.
        static let wildcard = Rule(rawValue: 2)
        /// `!www.ck`: this name is not one (its parent is).
        static let exception = Rule(rawValue: 4)
    }

    private var rules: [[UInt8]: Rule] = [:]

    /// The number of rules read.
    public private(set) var count = 0

    /// Reads the list's text; lines that are not rules are skipped.
    public init(parsing text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let token = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first,
                !token.hasPrefix("//")
            else { continue }
            var name = Substring(token)
            var rule = Rule.exact
            if name.hasPrefix("!") {
                rule = .exception
                name = name.dropFirst()
            } else if name.hasPrefix("*.") {
                rule = .wildcard
                name = name.dropFirst(2)
            }
            guard !name.isEmpty, !name.contains("*") else { continue }
            let key = LinkParser.idnaHost(Array(name.lowercased().utf8))
            rules[key, default: []].insert(rule)
            count += 1
        }
    }

    /// How many labels of `host` (lowercase, IDNA form, no trailing dot) are its public suffix by
    /// the list's rules; nil when no rule matches (the list's implicit `*` rule is not applied).
    public func suffixLabels(of host: some Collection<UInt8>) -> Int? {
        let bytes = Array(host)
        // Each label start, from the leftmost.
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") { starts.append(index + 1) }
        let labels = starts.count
        var longest: Int?
        for (position, start) in starts.enumerated() {
            guard let rule = rules[Array(bytes[start...])] else { continue }
            let count = labels - position
            // An exception names a registrable domain: the suffix is its parent, whatever else matches.
            if rule.contains(.exception) { return count - 1 }
            if rule.contains(.exact) { longest = max(longest ?? 0, count) }
            // `*.ck` matches a label more than `ck` does.
            if rule.contains(.wildcard), position > 0 { longest = max(longest ?? 0, count + 1) }
        }
        return longest
    }

    /// Whether `host` is a name someone registered or could: its suffix is a public suffix by an
    /// explicit rule, and a label precedes it.
    public func isDomain(_ host: some Collection<UInt8>) -> Bool {
        let bytes = Array(host)
        guard let suffix = suffixLabels(of: bytes) else { return false }
        return bytes.lazy.filter { $0 == UInt8(ascii: ".") }.count + 1 > suffix
    }

    /// Without a list (the file is missing): a name whose last label is two or more ASCII letters
    /// or an IDNA `xn--` label is taken for a domain. Fails closed: more words pass for domains
    /// (`file.txt`) than with the list.
    public static func looksLikeDomain(_ host: some Collection<UInt8>) -> Bool {
        let bytes = Array(host)
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        let last = bytes[(dot + 1)...]
        if last.starts(with: "xn--".utf8) { return last.count > 4 }
        return last.count >= 2 && last.allSatisfy { ByteScan.isLetter($0) }
    }
}
