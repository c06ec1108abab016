import GatehouseCore
import Testing

/// One link case: allow and deny lists, a text, and the URLs expected as findings, in order.
struct LinkCase: Sendable, CustomTestStringConvertible {
    var allow: [String]
    var deny: [String]
    var text: String
    var expected: [String]
    var testDescription: String { "allow \(allow) deny \(deny): \(text.debugDescription)" }

    init(allow: [String] = [], deny: [String] = [], _ text: String, _ expected: [String]) {
        self.allow = allow
        self.deny = deny
        self.text = text
        self.expected = expected
    }
}

@Suite struct LinkDetectorTests {
    static let acme = ["acme.example", "*.acme.example"]

    /// The suffixes these cases need, in the Public Suffix List's format.
    static let suffixes = PublicSuffixList(parsing: "com\norg\nnet\nme\ndog\nexample\n测试\n")

    func findings(_ test: LinkCase) throws -> [String] {
        let detector = try LinkDetector(allow: test.allow, deny: test.deny, publicSuffixes: Self.suffixes)
        let bytes = Array(test.text.utf8)
        return detector.matches(in: test.text).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    static let hostCases: [(String, String?)] = [
        ("https://acme.example", "acme.example"),
        ("HTTPS://ACME.Example/Path?Q=1", "acme.example"),
        ("hTtP://acme.example", "acme.example"),
        ("https://acme.example@evil.com/", "evil.com"),
        ("https://user:p%40ss@acme.example:8443/x?y#z", "acme.example"),
        ("https://a@b@evil.com", "evil.com"),
        ("https://acme.example:8443", "acme.example"),
        ("http://acme.example./x", "acme.example"),
        ("https://acme.example.", "acme.example"),
        ("https://ａｃｍｅ。ｅｘａｍｐｌｅ/", "acme.example"),
        ("https://ＡＣＭＥ．example", "acme.example"),
        ("https://acme｡example", "acme.example"),
        ("www.Acme.Example/x", "www.acme.example"),
        ("www。evil。com", "www.evil.com"),
        ("t.me/acme_news", "t.me"),
        ("T.ME/joinchat/abc", "t.me"),
        ("telegram.me/acme", "telegram.me"),
        ("https://192.168.1.10:8080/admin", "192.168.1.10"),
        ("http://[2001:DB8::1]:80/", "[2001:db8::1]"),
        ("https://[::1]", "[::1]"),
        ("https://例子.测试/path", "xn--fsqu00a.xn--0zwm56d"),
        ("https://CAFÉ.example", "xn--caf-dma.example"),
        ("https://ev\u{AD}il.com", "evil.com"),
        ("https://ev\u{200B}il.com/", "evil.com"),
        ("https://%65vil.com", "evil.com"),
        ("https:\\\\evil.com", "evil.com"),
        ("https:/evil.com", "evil.com"),
        ("https://acme.example看看", "acme.xn--example-xg2ra"),
        ("https://acme.example。谢谢", "acme.example.xn--lg3aa"),
        ("https://acme.example，谢谢", "acme.example"),
        ("https://localhost:8080", "localhost"),
        ("not a link", nil),
        ("https://", nil),
        ("https:", nil),
        ("http//acme.example", nil),
        ("https://.acme.example", nil),
        ("www.", nil),
        ("www.x", "www.x"),
        ("wwwx.acme.example", nil),
        ("t.me", nil),
        ("t.mex/a", nil),
        ("http://[::1", nil),
        ("http://[]", nil),
    ]

    @Test(arguments: hostCases)
    func readsTheHostABrowserWould(_ url: String, _ host: String?) {
        #expect(LinkDetector.host(of: url[...]) == host)
    }

    static let allowDenyCases: [LinkCase] = [
        LinkCase(allow: acme, "see https://acme.example/x and https://docs.acme.example/y and https://evil.com/z", ["https://evil.com/z"]),
        LinkCase(allow: ["*.acme.example"], "https://acme.example", ["https://acme.example"]),
        LinkCase(allow: ["*.acme.example"], "https://a.b.acme.example/x", []),
        LinkCase(allow: ["acme.example"], "https://docs.acme.example", ["https://docs.acme.example"]),
        LinkCase(
            allow: acme,
            "https://evilacme.example https://acme.example.evil.com",
            ["https://evilacme.example", "https://acme.example.evil.com"]
        ),
        LinkCase(deny: ["evil.com"], "https://evil.com https://fine.org", ["https://evil.com"]),
        LinkCase(deny: ["*.evil.com"], "https://evil.com https://x.evil.com", ["https://x.evil.com"]),
        LinkCase(
            allow: ["*.acme.example"],
            deny: ["leak.acme.example"],
            "https://leak.acme.example/x https://ok.acme.example",
            ["https://leak.acme.example/x"]
        ),
        LinkCase("https://a.org www.b.org t.me/c", ["https://a.org", "www.b.org", "t.me/c"]),
        LinkCase(allow: ["acme.example"], "https://acme.example@evil.com/", ["https://acme.example@evil.com/"]),
        LinkCase(allow: ["acme.example"], "https://acme.example:8443/x https://evil.com:443/", ["https://evil.com:443/"]),
        LinkCase(allow: ["acme.example"], "https://acme。example https://evil。com", ["https://evil。com"]),
        LinkCase(allow: ["acme.example"], "HTTPS://ACME.EXAMPLE/X", []),
        LinkCase(allow: ["ACME.Example."], "https://acme.example", []),
        LinkCase(allow: ["ａｃｍｅ.example"], "https://acme.example", []),
        LinkCase(allow: ["acme.example"], "visit www.evil.com.", ["www.evil.com"]),
        LinkCase(allow: ["acme.example"], "join t.me/evilchannel now", ["t.me/evilchannel"]),
        LinkCase(allow: ["t.me"], "join t.me/acme_news now", []),
        LinkCase(allow: ["例子.测试"], "https://例子.测试/x", []),
        LinkCase("https://例子.测试", ["https://例子.测试"]),
        LinkCase(allow: ["acme.example"], "https://xn--fiqs8s.example", ["https://xn--fiqs8s.example"]),
    ]

    @Test(arguments: allowDenyCases)
    func allowDenyAndWildcards(_ test: LinkCase) throws {
        #expect(try findings(test) == test.expected)
    }

    static let extentCases: [LinkCase] = [
        LinkCase("See https://a.org/x.", ["https://a.org/x"]),
        LinkCase("See https://a.org.", ["https://a.org"]),
        LinkCase("(https://a.org/x)", ["https://a.org/x"]),
        LinkCase("[link](https://a.org/x)", ["https://a.org/x"]),
        LinkCase("https://en.wikipedia.org/wiki/Foo_(bar), ok", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        LinkCase("https://a.org/x?q=1&r=2#frag!", ["https://a.org/x?q=1&r=2#frag"]),
        LinkCase("<https://a.org/x>", ["https://a.org/x"]),
        LinkCase("\"https://a.org/x\"", ["https://a.org/x"]),
        LinkCase("https://a.org/x，谢谢", ["https://a.org/x"]),
        LinkCase("https://a.org，谢谢", ["https://a.org"]),
        LinkCase("网址：https://a.org。", ["https://a.org"]),
        LinkCase("网址是https://a.org/x。请查收", ["https://a.org/x"]),
        LinkCase("请访问https://evil.com/login了解详情。", ["https://evil.com/login了解详情"]),
        LinkCase("请访问 https://evil.com/login 了解详情", ["https://evil.com/login"]),
        LinkCase("https://a.org: see", ["https://a.org"]),
        LinkCase("http://10.0.0.1/x http://[fe80::1]:8080/y", ["http://10.0.0.1/x", "http://[fe80::1]:8080/y"]),
        LinkCase("xhttps://a.org", ["https://a.org"]),
        LinkCase("the theme of www and t.mex and http and https: and mailto:a@b.org", []),
        LinkCase("a.www.evil.com and user@www.evil.com and xwww.evil.com", ["a.www.evil.com", "xwww.evil.com"]),
        LinkCase("请访问www.evil.com了解 加入t.me/evil频道，谢谢", ["www.evil.com了解", "t.me/evil频道"]),
        LinkCase("https://a.org/https://b.org", ["https://a.org/https://b.org"]),
    ]

    @Test(arguments: extentCases)
    func aMatchIsTheWholeURLWithoutTrailingPunctuation(_ test: LinkCase) throws {
        #expect(try findings(test) == test.expected)
    }

    @Test func rangesAreUTF8OffsetsInMixedText() throws {
        let text = "👨‍👩‍👧 公告：详见https://evil.example/a，或 www.acme.example 😀 https://acme.example"
        let detector = try LinkDetector(allow: ["acme.example"], deny: [])
        let url = "https://evil.example/a"
        let www = "www.acme.example"
        let expected = [url, www].map { needle -> Range<Int> in
            let found = text.firstRange(of: needle)!
            let start = text.utf8.distance(from: text.startIndex, to: found.lowerBound)
            return start..<(start + needle.utf8.count)
        }
        #expect(detector.matches(in: text) == expected)
        #expect(detector.matches(in: "").isEmpty)
        #expect(detector.name == "link")
    }

    static let invalidPatterns: [(allow: [String], deny: [String], list: LinkRuleError.List, index: Int)] = [
        ([""], [], .allow, 0),
        (["acme.example", " acme.example"], [], .allow, 1),
        (["https://acme.example"], [], .allow, 0),
        (["*"], [], .allow, 0),
        (["*."], [], .allow, 0),
        (["acme.*.example"], [], .allow, 0),
        (["**.acme.example"], [], .allow, 0),
        (["acme.example/path"], [], .allow, 0),
        (["acme.example:443"], [], .allow, 0),
        (["user@acme.example"], [], .allow, 0),
        (["a..b"], [], .allow, 0),
        ([".acme.example"], [], .allow, 0),
        (["*.[::1]"], [], .allow, 0),
        (["acme,example"], [], .allow, 0),
        (["acme.example"], ["ok.example", "evil.com/x"], .deny, 1),
    ]

    @Test(arguments: invalidPatterns)
    func rejectsMalformedPatterns(_ allow: [String], _ deny: [String], _ list: LinkRuleError.List, _ index: Int) {
        let error = #expect(throws: LinkRuleError.self) { try LinkDetector(allow: allow, deny: deny) }
        #expect(error?.list == list)
        #expect(error?.index == index)
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.hasPrefix("\(list.rawValue)[\(index)] ") == true)
    }

    @Test(arguments: [
        "acme.example", "acme.example.", "ACME.EXAMPLE", "*.acme.example", "ａｃｍｅ。example", "[::1]", "10.0.0.1", "例子.测试", "localhost", "t.me",
    ])
    func acceptsWellFormedPatterns(_ pattern: String) throws {
        _ = try LinkDetector(allow: [pattern], deny: [pattern])
    }

    @Test func arbitraryBytesNeverCrashAndRangesAreOrdered() throws {
        let detector = try LinkDetector(allow: [], deny: [])
        let pieces: [[UInt8]] = [
            Array("https://".utf8), Array("www.".utf8), Array("t.me/".utf8), Array("a".utf8), Array(".".utf8),
            Array("。".utf8), Array("@".utf8), Array("[".utf8), Array("]".utf8), Array(":8".utf8), Array("/".utf8),
            Array("%6".utf8), [0xE3], [0x80], [0xFF], Array("机".utf8), Array(" ".utf8), Array(")".utf8),
        ]
        var state: UInt64 = 1
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<2_000 {
            let bytes = (0..<next(16)).flatMap { _ in pieces[next(pieces.count)] }
            var matches: [Range<Int>] = []
            bytes.withUnsafeBufferPointer { detector.scan($0, into: &matches) }
            #expect(matches.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= bytes.count && !$0.isEmpty })
            #expect(zip(matches, matches.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
        }
    }
}
