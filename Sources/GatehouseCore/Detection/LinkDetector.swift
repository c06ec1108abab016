/// Finds links whose host or scheme is not allowed.
///
/// Links are `http://`/`https://` URLs, `www.` hosts, `t.me/…` links, bare domains (`evil.example/login`:
/// a name whose last labels are a public suffix, by the Public Suffix List given, or, without one, a
/// last label of two or more letters), and URLs of other schemes (`dingtalk://…`, `tg://…`,
/// `ftp://…`, `javascript:…`); see `LinkDetector+Parsing.swift` and `LinkDetector+Schemes.swift`.
/// Hosts are read the way a browser or a Telegram client would: after any `user@`, without port,
/// path, query, fragment or trailing dot, percent-decoded (`%2E` is a dot), lowercased, full-width
/// forms folded, `。`/`．`/`｡` read as dots, and mapped by IDNA (NFKC, lowercase, Punycode: `例子.测试`
/// is `xn--fsqu00a.xn--0zwm56d`). IP literals (`10.0.0.1`, `[::1]`) are hosts like any other.
/// `mailto:`, `tel:` and `sms:` are not links: the e-mail and mobile detectors find their addresses.
///
/// Which links are findings:
/// - a host matching `deny` always is;
/// - when both lists are empty, every link is;
/// - when `allow` is non-empty, so is every link whose scheme is not in `schemes` (by default
///   `http` and `https`; `www.`, `t.me` and bare domains count as web links), and every link with
///   a host not matching `allow` (a link of an allowed scheme without a host, such as `data:` if
///   allowed, has nothing more to check).
///
/// Patterns: `acme.example` is exactly that host; `*.acme.example` is any subdomain of it, at any
/// depth, but not `acme.example` itself (list both to allow both). Patterns in Unicode are mapped by
/// IDNA like hosts. A match is the whole URL's byte range, without sentence punctuation after it.
public struct LinkDetector: Detector {
    public var name: String { "link" }

    /// Links read the text as written: hosts are mapped by IDNA, paths are not normalised.
    public var scansNormalizedView: Bool { false }

    private let allow: HostRules
    private let deny: HostRules
    private let schemes: Set<[UInt8]>
    private let suffixes: PublicSuffixList?

    /// The schemes allowed when none are configured.
    public static let defaultSchemes = ["http", "https"]

    /// Compiles the allow and deny lists and the allowed schemes; throws for the first malformed
    /// entry. Without `publicSuffixes`, bare domains are recognised by their last label's shape
    /// (`PublicSuffixList.looksLikeDomain`), which fails closed.
    public init(
        allow: [String],
        deny: [String],
        schemes: [String] = LinkDetector.defaultSchemes,
        publicSuffixes: PublicSuffixList? = nil
    ) throws(LinkRuleError) {
        self.allow = try HostRules(allow, list: .allow)
        self.deny = try HostRules(deny, list: .deny)
        var allowed = Set<[UInt8]>()
        for (index, scheme) in schemes.enumerated() {
            let bytes = Array(scheme.lowercased().utf8)
            guard let first = bytes.first, ByteScan.isLetter(first), bytes.allSatisfy(LinkParser.isSchemeByte) else {
                throw LinkRuleError(
                    list: .schemes,
                    index: index,
                    pattern: scheme,
                    message: "a scheme is a letter then letters, digits, '+', '-' or '.', without ':' (https, ftp, dingtalk)"
                )
            }
            allowed.insert(bytes)
        }
        self.schemes = allowed
        self.suffixes = publicSuffixes
    }

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // One buffer for every host of this text; it allocates only when a link is found.
        var host: [UInt8] = []
        var scheme: [UInt8] = []
        var index = 0
        while let link = LinkParser.nextLink(in: text, from: index, host: &host, scheme: &scheme, suffixes: suffixes) {
            if isFinding(scheme: scheme, host: host) { matches.append(link) }
            index = link.upperBound
        }
    }

    /// Whether a link to `host` (normalised, as `host(of:)` returns it; empty when the link has
    /// none) is a finding, with `scheme` (empty for `www.`, `t.me` and bare domains).
    func isFinding(scheme: [UInt8] = [], host: [UInt8]) -> Bool {
        if !host.isEmpty && deny.contains(host) { return true }
        if allow.isEmpty { return deny.isEmpty }
        if !scheme.isEmpty && !schemes.contains(scheme) { return true }
        return !host.isEmpty && !allow.contains(host)
    }

    /// The normalised host of the link at the start of `url` (`https://User@Ａｃｍｅ。example:8443/x`
    /// → `acme.example`), or nil if `url` does not start with a link.
    public static func host(of url: Substring) -> String? {
        let bytes = Array(url.utf8)
        var host: [UInt8] = []
        return bytes.withUnsafeBufferPointer { buffer in
            guard LinkParser.link(in: buffer, at: 0, host: &host) != nil else { return nil }
            return String(decoding: host, as: UTF8.self)
        }
    }
}

/// One list of host patterns, as sets of normalised host bytes.
struct HostRules: Sendable {
    /// Hosts allowed exactly.
    private var exact: Set<[UInt8]> = []
    /// For `*.acme.example`, `.acme.example`: a host matches when one of its suffixes starting at
    /// a dot is here.
    private var suffixes: Set<ArraySlice<UInt8>> = []

    var isEmpty: Bool { exact.isEmpty && suffixes.isEmpty }

    init(_ patterns: [String], list: LinkRuleError.List) throws(LinkRuleError) {
        for (index, pattern) in patterns.enumerated() {
            switch Self.parse(pattern) {
            case .success(let parsed):
                if parsed.wildcard {
                    suffixes.insert(([UInt8(ascii: ".")] + parsed.host)[...])
                } else {
                    exact.insert(parsed.host)
                }
            case .failure(let failure):
                throw LinkRuleError(list: list, index: index, pattern: pattern, message: failure.message)
            }
        }
    }

    func contains(_ host: [UInt8]) -> Bool {
        if exact.contains(host) { return true }
        if suffixes.isEmpty { return false }
        for index in host.indices where index > 0 && host[index] == UInt8(ascii: ".") {
            if suffixes.contains(host[index...]) { return true }
        }
        return false
    }

    struct Failure: Error {
        var message: String
    }

    /// A pattern's normalised host and whether it is a `*.` wildcard.
    static func parse(_ pattern: String) -> Result<(wildcard: Bool, host: [UInt8]), Failure> {
        if pattern.isEmpty { return .failure(Failure(message: "pattern is empty")) }
        if pattern.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            return .failure(Failure(message: "pattern contains white space"))
        }
        if pattern.contains("://") {
            return .failure(Failure(message: "give a host name such as acme.example, not a URL"))
        }
        var name = Substring(pattern)
        let wildcard = name.hasPrefix("*.")
        if wildcard { name = name.dropFirst(2) }
        if name.contains("*") {
            return .failure(Failure(message: "'*' is only allowed as a leading '*.' (any subdomain)"))
        }
        if name.isEmpty { return .failure(Failure(message: "'*.' needs a domain after it")) }
        if name.contains(where: { "/?#@\\".contains($0) }) {
            return .failure(Failure(message: "give a host name only, without user, path, query or fragment"))
        }
        if wildcard && name.hasPrefix("[") {
            return .failure(Failure(message: "a '*.' wildcard needs a domain name, not an IP address"))
        }
        let bytes = Array(name.utf8)
        var host: [UInt8] = []
        let end = bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let end = LinkParser.parseHost(in: buffer, from: 0, into: &host) else { return nil }
            // A trailing root dot is fine: `acme.example.`.
            return LinkParser.dotEnd(in: buffer, at: end) == buffer.count ? buffer.count : end
        }
        guard let end, !host.isEmpty else { return .failure(Failure(message: "not a valid host name")) }
        if end < bytes.count {
            if bytes[end] == UInt8(ascii: ":") && !name.hasPrefix("[") {
                return .failure(Failure(message: "give a host name without a port"))
            }
            return .failure(
                Failure(message: "not a valid host name (stops before \(String(decoding: bytes[end...], as: UTF8.self).debugDescription))")
            )
        }
        return .success((wildcard, host))
    }
}
