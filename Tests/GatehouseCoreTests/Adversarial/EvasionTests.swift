import Foundation
import GatehouseCore
import Testing

/// The ways senders slip content past the checks, each caught: keywords written with look-alike
/// letters, symbols or invisible characters; numbers written with other digits, spaces or
/// separators; links without a scheme, with an encoded host or with another scheme. Every case
/// here was missed before the normalised view, the keyword skeleton and the link changes.
@Suite struct EvasionTests {
    /// The substrings of `text` a detector's findings cover, as the policy reports them.
    static func found(_ detector: any Detector, in text: String) -> [String] {
        let bytes = Array(text.utf8)
        return detector.policyMatches(in: text).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// The text as a route that redacts `detector`'s findings sends it.
    static func redacted(_ text: String, by detector: any Detector) -> String {
        let policy = Policy(checks: ["c": Check(name: "c", detectors: [detector])])
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cid", messageID: "m", eventID: "m"),
            sender: .init(id: "u", name: "U"),
            body: .init(text: text),
            time: Date(timeIntervalSince1970: 0)
        )
        return Redactor.mask(text, policy.inspect(envelope, checks: ["c"]).findings["c"] ?? [])
    }

    // MARK: - Keywords

    static let keywordEvasions: [(keyword: String, text: String, match: String)] = [
        ("机密", "这是机★密文件", "机★密"),
        ("机密", "这是机☆密文件", "机☆密"),
        ("机密", "机●密", "机●密"),
        ("机密", "机※密", "机※密"),
        ("机密", "机♥密", "机♥密"),
        ("机密", "机😀密", "机😀密"),
        ("机密", "机\u{2800}密", "机\u{2800}密"),  // braille pattern blank
        ("机密", "机\u{180B}密", "机\u{180B}密"),  // Mongolian free variation selector
        ("机密", "机\u{180F}密", "机\u{180F}密"),
        ("机密", "机\u{1D173}密", "机\u{1D173}密"),  // musical symbol begin beam (default-ignorable)
        ("机密", "机 ★ 密", "机 ★ 密"),
        ("CONFIDENTIAL", "C\u{041E}NFIDENTIAL", "C\u{041E}NFIDENTIAL"),  // Cyrillic О
        ("confidential", "\u{0441}onfidential", "\u{0441}onfidential"),  // Cyrillic с
        (
            "CONFIDENTIAL", "\u{03F9}\u{039F}\u{039D}F\u{0399}D\u{0395}\u{039D}\u{03A4}\u{0399}\u{0391}L",
            "\u{03F9}\u{039F}\u{039D}F\u{0399}D\u{0395}\u{039D}\u{03A4}\u{0399}\u{0391}L"
        ),  // Greek
        ("secret", "\u{0455}\u{0435}\u{0441}r\u{0435}t", "\u{0455}\u{0435}\u{0441}r\u{0435}t"),  // ѕесrеt
        ("hello", "\u{0570}ell\u{0585}", "\u{0570}ell\u{0585}"),  // Armenian հ, օ
        ("CONFIDENTIAL", "is 𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋!", "𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋"),  // mathematical bold
        ("CONFIDENTIAL", "𝘾𝙊𝙉𝙁𝙄𝘿𝙀𝙉𝙏𝙄𝘼𝙇", "𝘾𝙊𝙉𝙁𝙄𝘿𝙀𝙉𝙏𝙄𝘼𝙇"),  // mathematical sans-serif bold italic
        ("confidential", "ⓒⓞⓝⓕⓘⓓⓔⓝⓣⓘⓐⓛ", "ⓒⓞⓝⓕⓘⓓⓔⓝⓣⓘⓐⓛ"),  // circled letters
        (
            "confidential", "c\u{332}o\u{332}n\u{332}f\u{332}i\u{332}d\u{332}e\u{332}n\u{332}t\u{332}i\u{332}a\u{332}l\u{332}",
            "c\u{332}o\u{332}n\u{332}f\u{332}i\u{332}d\u{332}e\u{332}n\u{332}t\u{332}i\u{332}a\u{332}l"
        ),  // underlined
        ("project 42", "project ٤٢", "project ٤٢"),  // Arabic-Indic digits
        ("机密", "机\u{17B4}密", "机\u{17B4}密"),  // Khmer inherent vowel (default-ignorable)
    ]

    @Test(arguments: keywordEvasions)
    func keywordsSeeThroughLookAlikesSymbolsAndInvisibles(_ keyword: String, _ text: String, _ match: String) throws {
        let matcher = try KeywordMatcher(keywords: [keyword])
        #expect(Self.found(matcher, in: text) == [match])
    }

    @Test(arguments: [
        ("CONFIDENTIAL", "C0NFIDENTIAL"),  // a digit is never a letter
        ("机密", "机a密"),
        ("test", "tes t"),
        ("test", "tes★t"),  // symbols are skipped between CJK characters only
        ("hello", "hel1o"),
    ])
    func keywordsStillNeedTheLetters(_ keyword: String, _ text: String) throws {
        #expect(Self.found(try KeywordMatcher(keywords: [keyword]), in: text).isEmpty)
    }

    // MARK: - Personal data

    static let mobile = CNMobileDetector()

    static let numberEvasions: [(detector: any Detector, text: String, match: String)] = [
        (mobile, "电话 138\u{00A0}1234\u{00A0}5678", "138\u{00A0}1234\u{00A0}5678"),  // NBSP, as pasted from Word
        (mobile, "电话 138\u{202F}1234\u{202F}5678", "138\u{202F}1234\u{202F}5678"),  // narrow NBSP
        (mobile, "电话 138\u{2009}1234\u{2009}5678", "138\u{2009}1234\u{2009}5678"),  // thin space
        (mobile, "电话138\u{3000}1234\u{3000}5678", "138\u{3000}1234\u{3000}5678"),  // ideographic space
        (mobile, "电话 138\u{200B}1234 5678", "138\u{200B}1234 5678"),  // zero-width space
        (mobile, "电话 138\u{200B}1234\u{200B}5678", "138\u{200B}1234\u{200B}5678"),
        (mobile, "电话 13812\u{2060}345678", "13812\u{2060}345678"),  // word joiner
        (mobile, "电话 １３８１２３４５６７８", "１３８１２３４５６７８"),  // full-width
        (mobile, "电话 １３８ １２３４ ５６７８", "１３８ １２３４ ５６７８"),
        (mobile, "电话 ١٣٨١٢٣٤٥٦٧٨", "١٣٨١٢٣٤٥٦٧٨"),  // Arabic-Indic
        (mobile, "电话 १३८१२३४५६७८", "१३८१२३४५६७८"),  // Devanagari
        (mobile, "电话 𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"),  // mathematical bold digits
        (mobile, "电话 ①③⑧①②③④⑤⑥⑦⑧", "①③⑧①②③④⑤⑥⑦⑧"),  // circled digits
        (mobile, "电话 138\u{2010}1234\u{2010}5678", "138\u{2010}1234\u{2010}5678"),  // Unicode hyphen
        (mobile, "电话 138\u{2013}1234\u{2013}5678", "138\u{2013}1234\u{2013}5678"),  // en dash
        (
            mobile, "电话 1\u{332}3\u{332}8\u{332}1\u{332}2\u{332}3\u{332}4\u{332}5\u{332}6\u{332}7\u{332}8\u{332}",
            "1\u{332}3\u{332}8\u{332}1\u{332}2\u{332}3\u{332}4\u{332}5\u{332}6\u{332}7\u{332}8"
        ),  // underlined
        (mobile, "电话 +86\u{00A0}138 1234 5678", "+86\u{00A0}138 1234 5678"),
        (
            CNResidentIDDetector(), "身份证 １１０１０５１９９００６１５００２\(CheckDigits.residentID("11010519900615002"))",
            "１１０１０５１９９００６１５００２\(CheckDigits.residentID("11010519900615002"))"
        ),
        (
            CNResidentIDDetector(), "身份证 110105\u{200B}19900615\u{200B}002\(CheckDigits.residentID("11010519900615002"))",
            "110105\u{200B}19900615\u{200B}002\(CheckDigits.residentID("11010519900615002"))"
        ),
        (
            BankCardDetector(), "卡号 \(nbspGrouped(CheckDigits.card(base: "622202123456789012")))",
            nbspGrouped(CheckDigits.card(base: "622202123456789012"))
        ),
        (
            BankCardDetector(), "卡号 \(fullWidth(CheckDigits.card(base: "622202123456789012")))",
            fullWidth(CheckDigits.card(base: "622202123456789012"))
        ),
        (
            IBANDetector(), "IBAN DE89\u{00A0}3704\u{00A0}0044\u{00A0}0532\u{00A0}0130\u{00A0}00",
            "DE89\u{00A0}3704\u{00A0}0044\u{00A0}0532\u{00A0}0130\u{00A0}00"
        ),
        (IBANDetector(), "IBAN ＤＥ８９３７０４００４４０５３２０１３０００", "ＤＥ８９３７０４００４４０５３２０１３０００"),
        (USCCDetector(), "代码 \(fullWidth(CheckDigits.uscc(base: "91350100M000100Y4")))", fullWidth(CheckDigits.uscc(base: "91350100M000100Y4"))),
        (EmailDetector(), "mail ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｎ", "ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｎ"),
        (EmailDetector(), "mail li.wei\u{200B}@example\u{00AD}.cn", "li.wei\u{200B}@example\u{00AD}.cn"),
        (PrivateIPv4Detector(), "host １９２．１６８．１．１０", "１９２．１６８．１．１０"),
        (APITokenDetector(), "key AKIA\u{200B}IOSFODNN7EXAMPLE", "AKIA\u{200B}IOSFODNN7EXAMPLE"),
    ]

    static func nbspGrouped(_ digits: String) -> String {
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && index % 4 == 0 { out += "\u{00A0}" }
            out.append(character)
        }
        return out
    }

    static func fullWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value >= 0x21 && $0.value <= 0x7E ? Unicode.Scalar($0.value + 0xFEE0)! : $0 }))
    }

    @Test(arguments: numberEvasions)
    func numbersAreReadWhateverTheirDigitsSpacesAndSeparators(_ detector: any Detector, _ text: String, _ match: String) {
        #expect(Self.found(detector, in: text) == [match])
        // Read as written, the text hid it (or some of it).
        let bytes = Array(text.utf8)
        #expect(detector.matches(in: text).map { String(decoding: bytes[$0], as: UTF8.self) } != [match])
    }

    @Test func redactionMasksTheCharactersAsWritten() {
        #expect(Self.redacted("电话 １３８ １２３４ ５６７８", by: Self.mobile) == "电话 [REDACTED:cn_mobile]")
        #expect(Self.redacted("电话 138\u{200B}1234 5678。谢谢", by: Self.mobile) == "电话 [REDACTED:cn_mobile]。谢谢")
        #expect(Self.redacted("\u{200B}13812345678\u{200B}", by: Self.mobile) == "\u{200B}[REDACTED:cn_mobile]\u{200B}")
        #expect(Self.redacted("👨‍👩‍👧 电话 ١٣٨١٢٣٤٥٦٧٨ 和 13912345678", by: Self.mobile) == "👨‍👩‍👧 电话 [REDACTED:cn_mobile] 和 [REDACTED:cn_mobile]")
        #expect(Self.redacted("key AKIA\u{200B}IOSFODNN7EXAMPLE.", by: APITokenDetector()) == "key [REDACTED:api_token].")
    }

    @Test(arguments: [
        "pi is 3.14159265358979", "版本 1.2.3", "1381 234 5678", "138 1234-5678", "13812345678901",
        "order ١٢٣٤٥٦٧٨٩٠١٢٣", "138-1234-5678-9012",
    ])
    func otherNumbersStayUnfound(_ text: String) {
        #expect(Self.found(Self.mobile, in: text).isEmpty)
    }

    // MARK: - Links

    /// The rules the tests need, in the list's format (the real list is tested in PublicSuffixListTests).
    static let suffixes = PublicSuffixList(
        parsing: """
            // ===BEGIN ICANN DOMAINS===
            com
            cn
            io
            uk
            co.uk
            example
            *.ck
            !www.ck
            中国
            """
    )

    static func links(
        allow: [String] = ["acme.example", "*.acme.example"],
        deny: [String] = [],
        schemes: [String] = LinkDetector.defaultSchemes
    ) throws -> LinkDetector {
        try LinkDetector(allow: allow, deny: deny, schemes: schemes, publicSuffixes: suffixes)
    }

    static let linkEvasions: [(text: String, findings: [String])] = [
        ("log in at evil.example/login now", ["evil.example/login"]),
        ("see login.evil.co.uk.", ["login.evil.co.uk"]),
        ("EVIL.COM, or evil.io!", ["EVIL.COM", "evil.io"]),
        ("请访问evil.cn/x了解", ["evil.cn/x了解"]),
        ("visit evil.com:8443/a?b=1", ["evil.com:8443/a?b=1"]),
        ("a.b.ck and www.ck", ["a.b.ck", "www.ck"]),
        ("https://acme.example%2Eevil.com/", ["https://acme.example%2Eevil.com/"]),
        ("https://acme.example%2eevil.com", ["https://acme.example%2eevil.com"]),
        (
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fevil.example",
            ["dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fevil.example"]
        ),
        ("open tg://resolve?domain=evil_bot now", ["tg://resolve?domain=evil_bot"]),
        ("javascript:alert(document.cookie)", ["javascript:alert(document.cookie)"]),
        ("<a href=\"JavaScript:void(0)\">", ["JavaScript:void(0)"]),
        ("data:text/html;base64,PHNjcmlwdD4=", ["data:text/html;base64,PHNjcmlwdD4="]),
        ("ftp://acme.example/file", ["ftp://acme.example/file"]),
        ("file:///etc/passwd", ["file:///etc/passwd"]),
        ("intent://scan/#Intent;scheme=zxing;end", ["intent://scan/#Intent;scheme=zxing;end"]),
        ("https://ex%C3%A4mple.com", ["https://ex%C3%A4mple.com"]),
    ]

    @Test(arguments: linkEvasions)
    func linksWithoutSchemeWithEncodedHostsOrOtherSchemesAreFound(_ text: String, _ findings: [String]) throws {
        #expect(Self.found(try Self.links(), in: text) == findings)
    }

    @Test(arguments: [
        "file.txt and report.pdf", "v1.2 and 3.14 and 10.0.0.1", "e.g. this, i.e. that, at 9 a.m.", "mail bob@evil.com",
        "first.last@evil.com", "co.uk alone", "acme.example/x and docs.acme.example", "https://acme.example/x",
        "mailto:bob@evil.com tel:+8613812345678", "Note: see", "中国。today", "https://𝐚𝐜𝐦𝐞.example/",
        "https://ACME.example", "10:30 at the office",
    ])
    func wordsAndAllowedLinksAreNotFindings(_ text: String) throws {
        #expect(Self.found(try Self.links(), in: text).isEmpty)
    }

    @Test func allowedSchemesAreCheckedByHost() throws {
        let detector = try Self.links(schemes: ["https", "http", "ftp"])
        #expect(Self.found(detector, in: "ftp://acme.example/x ftp://evil.com/y") == ["ftp://evil.com/y"])
        #expect(Self.found(try Self.links(schemes: ["https"]), in: "http://acme.example https://acme.example") == ["http://acme.example"])
    }

    @Test func everyLinkIsAFindingWithoutLists() throws {
        let detector = try Self.links(allow: [])
        #expect(
            Self.found(detector, in: "tg://resolve?domain=x and evil.com and javascript:x") == ["tg://resolve?domain=x", "evil.com", "javascript:x"]
        )
    }

    @Test func aDenyListAloneChecksHostsOnly() throws {
        let detector = try Self.links(allow: [], deny: ["evil.com"])
        #expect(Self.found(detector, in: "dingtalk://x ftp://evil.com/y fine.com evil.com/z") == ["ftp://evil.com/y", "evil.com/z"])
        // IDNA maps mathematical letters as browsers do: this is evil.com.
        #expect(Self.found(detector, in: "https://𝐞𝐯𝐢𝐥.com/x") == ["https://𝐞𝐯𝐢𝐥.com/x"])
    }

    @Test func unicodeAndPunycodeHostsCompareAlike() throws {
        let unicode = try Self.links(allow: ["例子.测试"])
        #expect(Self.found(unicode, in: "https://xn--fsqu00a.xn--0zwm56d/x https://例子.测试/y").isEmpty)
        let ascii = try Self.links(allow: ["*.xn--fiqs8s"])
        #expect(Self.found(ascii, in: "https://例子.中国 https://例子．中国 www.例子.中国").isEmpty)
        #expect(LinkDetector.host(of: "https://例子.测试/path") == "xn--fsqu00a.xn--0zwm56d")
        #expect(LinkDetector.host(of: "https://acme.example%2Eevil.com/") == "acme.example.evil.com")
    }

    @Test func withoutAListBareDomainsAreTakenByTheirShape() throws {
        let detector = try LinkDetector(allow: ["acme.example"], deny: [])
        #expect(Self.found(detector, in: "evil.example/login v1.2 e.g. x.y1 acme.example") == ["evil.example/login"])
    }

    @Test func invalidSchemesAreRejected() {
        let error = #expect(throws: LinkRuleError.self) { try LinkDetector(allow: [], deny: [], schemes: ["https", "ftp:"]) }
        #expect(error?.list == .schemes)
        #expect(error?.index == 1)
    }
}
