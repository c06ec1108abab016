import Testing

@testable import GatehouseCore

/// One keyword case: the keywords, a text, and the substrings of the text expected to match, in order.
struct KeywordCase: Sendable, CustomTestStringConvertible {
    var keywords: [String]
    var text: String
    var expected: [String]
    var testDescription: String { "\(keywords) in \(text.debugDescription)" }

    init(_ keywords: [String], _ text: String, _ expected: [String]) {
        self.keywords = keywords
        self.text = text
        self.expected = expected
    }
}

@Suite struct KeywordMatcherTests {
    /// The matched text of each range, decoded from the text's UTF-8.
    func substrings(_ ranges: [Range<Int>], of text: String) -> [String] {
        let bytes = Array(text.utf8)
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// The byte range of the `occurrence`-th `needle` in `text`, by `String.utf8` offsets.
    func utf8Range(of needle: String, in text: String, occurrence: Int = 1) -> Range<Int>? {
        var from = text.startIndex
        var found: Range<String.Index>?
        for _ in 0..<occurrence {
            guard let range = text[from...].firstRange(of: needle) else { return nil }
            found = range
            from = range.upperBound
        }
        guard let found else { return nil }
        let start = text.utf8.distance(from: text.startIndex, to: found.lowerBound)
        return start..<(start + text.utf8.distance(from: found.lowerBound, to: found.upperBound))
    }

    static let foldingCases: [KeywordCase] = [
        KeywordCase(["confidential"], "This is CONFIDENTIAL!", ["CONFIDENTIAL"]),
        KeywordCase(["CONFIDENTIAL"], "strictly confidential", ["confidential"]),
        KeywordCase(["café"], "CAFÉ au lait", ["CAFÉ"]),
        KeywordCase(["straße"], "STRAßE", ["STRAßE"]),
        KeywordCase(["секрет"], "СЕКРЕТНО", ["СЕКРЕТ"]),
        KeywordCase(["σοφία"], "ΣΟΦΊΑ", ["ΣΟΦΊΑ"]),
        KeywordCase(["confidential"], "ＣＯＮＦＩＤＥＮＴＩＡＬ", ["ＣＯＮＦＩＤＥＮＴＩＡＬ"]),
        KeywordCase(["ｃｏｎｆｉｄｅｎｔｉａｌ"], "Confidential", ["Confidential"]),
        KeywordCase(["inc-123456"], "ticket ＩＮＣ－１２３４５６ open", ["ＩＮＣ－１２３４５６"]),
        KeywordCase(["internal only"], "INTERNAL\u{3000}ONLY", ["INTERNAL\u{3000}ONLY"]),
        KeywordCase(["internal only"], "Internal   Only", ["Internal   Only"]),
        KeywordCase(["internal only"], "internal\n\tonly", ["internal\n\tonly"]),
        KeywordCase(["internal  only"], "internal only", ["internal only"]),
        KeywordCase(["internal only"], "internalonly", []),
        KeywordCase(["confidential"], "CONFI\u{200B}DENTIAL", ["CONFI\u{200B}DENTIAL"]),
        KeywordCase(["confidential"], "confi\u{AD}den\u{2060}tial", ["confi\u{AD}den\u{2060}tial"]),
        KeywordCase(["confidential"], "\u{FEFF}confidential\u{200D}", ["confidential"]),
        KeywordCase(["机密"], "ＡＢＣ机密", ["机密"]),
    ]

    @Test(arguments: foldingCases)
    func foldsCaseWidthAndInvisibleCharacters(_ test: KeywordCase) throws {
        let matcher = try KeywordMatcher(keywords: test.keywords)
        #expect(substrings(matcher.matches(in: test.text), of: test.text) == test.expected)
    }

    static let separatorCases: [KeywordCase] = [
        KeywordCase(["机密"], "这是机密文件", ["机密"]),
        KeywordCase(["机密"], "机 密", ["机 密"]),
        KeywordCase(["机密"], "机\u{200B}密", ["机\u{200B}密"]),
        KeywordCase(["机密"], "机，密", ["机，密"]),
        KeywordCase(["机密"], "机-密", ["机-密"]),
        KeywordCase(["机密"], "机・密", ["机・密"]),
        KeywordCase(["机密"], "机·密", ["机·密"]),
        KeywordCase(["机密"], "机。、密", ["机。、密"]),
        KeywordCase(["机密"], "机 ， \u{200B} 密", ["机 ， \u{200B} 密"]),
        KeywordCase(["机密"], "机\u{3000}密", ["机\u{3000}密"]),
        KeywordCase(["机密"], "机\n\n密", ["机\n\n密"]),
        KeywordCase(["机 密"], "机密", ["机密"]),
        KeywordCase(["内部资料"], "内 部 资 料", ["内 部 资 料"]),
        KeywordCase(["マル秘"], "マ・ル・秘", ["マ・ル・秘"]),
        KeywordCase(["기밀"], "기 밀", ["기 밀"]),
        // Spaces and punctuation count between Latin letters, and between CJK and Latin.
        KeywordCase(["test"], "tes t", []),
        KeywordCase(["test"], "tes-t", []),
        KeywordCase(["test"], "tes\u{200B}t", ["tes\u{200B}t"]),
        KeywordCase(["机密a"], "机密 a", []),
        KeywordCase(["机密 a"], "机密 a", ["机密 a"]),
        KeywordCase(["机密 a"], "机密   a", ["机密   a"]),
        KeywordCase(["机密 a"], "机密a", []),
        // Letters and digits are not separators; symbols and emoji are (机★密 reads 机密).
        KeywordCase(["机密"], "机a密", []),
        KeywordCase(["机密"], "机1密", []),
        KeywordCase(["机密"], "机😀密", ["机😀密"]),
        // Punctuation at a keyword's edge next to CJK is dropped, as it would be in text before CJK.
        KeywordCase(["机密！"], "机密！好", ["机密"]),
        KeywordCase(["「机密」"], "这是「机密」", ["机密"]),
        KeywordCase(["c++"], "I like C++.", ["C++"]),
    ]

    @Test(arguments: separatorCases)
    func ignoresSeparatorsOnlyBetweenCJKCharacters(_ test: KeywordCase) throws {
        let matcher = try KeywordMatcher(keywords: test.keywords)
        #expect(substrings(matcher.matches(in: test.text), of: test.text) == test.expected)
    }

    static let overlapCases: [KeywordCase] = [
        KeywordCase(["he", "she", "his", "hers"], "ushers", ["she", "he", "hers"]),
        KeywordCase(["内部", "内部资料", "资料"], "这是内部资料", ["内部", "内部资料", "资料"]),
        KeywordCase(["secret", "SECRET", "Ｓｅｃｒｅｔ"], "top secret", ["secret"]),
        KeywordCase(["aa"], "aaaa", ["aa", "aa", "aa"]),
        KeywordCase(["abc", "b"], "abc", ["abc", "b"]),
        KeywordCase(["机密", "机 密"], "机 密", ["机 密"]),
    ]

    @Test(arguments: overlapCases)
    func reportsEveryOverlappingMatchOnce(_ test: KeywordCase) throws {
        let matcher = try KeywordMatcher(keywords: test.keywords)
        let ranges = matcher.matches(in: test.text)
        #expect(substrings(ranges, of: test.text) == test.expected)
        #expect(Set(ranges).count == ranges.count)
        #expect(ranges == ranges.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) })
    }

    @Test func rangesAreUTF8OffsetsInMixedText() throws {
        let text = "👨‍👩‍👧 报告：机 密文件 😀 Ｃｏｎｆｉｄｅｎｔｉａｌ 📎 e\u{301} 内部资料"
        let matcher = try KeywordMatcher(keywords: ["机密文件", "confidential", "内部资料", "报告"])
        let expected = ["报告", "机 密文件", "Ｃｏｎｆｉｄｅｎｔｉａｌ", "内部资料"].compactMap { utf8Range(of: $0, in: text) }
        #expect(expected.count == 4)
        #expect(matcher.matches(in: text) == expected)
        // The same ranges, through the scalar offsets findings use.
        var copy = text
        let (offset, length) = copy.withUTF8 { bytes in
            var offsets = ScalarOffsets(bytes)
            return offsets.scalars(of: expected[3])
        }
        #expect(Array(text.unicodeScalars)[offset..<(offset + length)].map(String.init).joined() == "内部资料")
    }

    @Test func emptyTextAndKeywordsAtTheEdges() throws {
        let matcher = try KeywordMatcher(keywords: ["机密", "secret", "end"])
        #expect(matcher.matches(in: "").isEmpty)
        #expect(matcher.matches(in: "the end") == [4..<7])
        #expect(matcher.matches(in: "secret") == [0..<6])
        let text = "文件是机密"
        #expect(matcher.matches(in: text) == [try #require(utf8Range(of: "机密", in: text))])
        let trailing = "是机密，"
        #expect(matcher.matches(in: trailing) == [try #require(utf8Range(of: "机密", in: trailing))])
        #expect(try KeywordMatcher(keywords: ["机密!"]).matches(in: "机密!") == [0..<6])
        #expect(try KeywordMatcher(keywords: ["a!"]).matches(in: "a!") == [0..<2])
    }

    @Test func appendsAfterWhatIsAlreadyThere() throws {
        let matcher = try KeywordMatcher(keywords: ["b", "abc"])
        var matches: [Range<Int>] = [100..<200]
        var text = "abc"
        text.withUTF8 { matcher.scan($0, into: &matches) }
        #expect(matches == [100..<200, 0..<3, 1..<2])
    }

    static let invalidKeywords: [([String], Int)] = [
        ([""], 0),
        (["ok", " "], 1),
        (["ok", "fine", "\u{3000}\t"], 2),
        (["\u{200B}\u{FEFF}"], 0),
        (["ok", "  \u{AD} "], 1),
    ]

    @Test(arguments: invalidKeywords)
    func rejectsEmptyKeywordsNamingWhich(_ keywords: [String], _ index: Int) {
        let error = #expect(throws: KeywordError.self) { try KeywordMatcher(keywords: keywords) }
        #expect(error?.index == index)
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.hasPrefix("keywords[\(index)]: ") == true)
    }

    @Test func noKeywordsMatchNothing() throws {
        #expect(try KeywordMatcher(keywords: []).matches(in: "anything 机密").isEmpty)
        #expect(try KeywordMatcher(keywords: ["x"]).name == "keyword")
    }

    @Test func manyKeywordsInOnePass() throws {
        var generator = SplitMix(seed: 7)
        let hanzi = Array("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知")
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var keywords: [String] = []
        for index in 0..<1_000 {
            let length = 2 + generator.next(3)
            keywords.append(
                String((0..<length).map { _ in index % 2 == 0 ? hanzi[generator.next(hanzi.count)] : letters[generator.next(letters.count)] })
            )
        }
        var text = ""
        for _ in 0..<2_000 {
            text += generator.next(4) == 0 ? keywords[generator.next(keywords.count)] : String(hanzi[generator.next(hanzi.count)])
            if generator.next(5) == 0 { text += [" ", "，", "the ", "\u{200B}", "。"][generator.next(5)] }
        }
        let matcher = try KeywordMatcher(keywords: keywords)
        let found = matcher.matches(in: text)
        #expect(found.count > 400)
        #expect(found == reference(keywords: keywords, text: text))
    }

    /// Random texts over the characters the rules treat specially, against the reference: the
    /// normalised text searched naively for every normalised keyword.
    @Test func agreesWithTheReferenceNormalisationOnRandomTexts() throws {
        let alphabet = [
            "a", "b", "A", "Ｂ", " ", "  ", "\u{3000}", "-", "，", "。", "机", "密", "文", "\u{200B}", "\u{AD}", "😀", "é", "É", "\n", "!", "・", "ｶ",
        ]
        var generator = SplitMix(seed: 42)
        func randomString(_ maximum: Int) -> String {
            (0..<generator.next(maximum + 1)).map { _ in alphabet[generator.next(alphabet.count)] }.joined()
        }
        for _ in 0..<1_500 {
            let keywords = (0..<(1 + generator.next(4))).map { _ in randomString(4) }
                .filter { (try? KeywordMatcher(keywords: [$0])) != nil }
            let text = randomString(30)
            let matcher = try KeywordMatcher(keywords: keywords)
            let found = matcher.matches(in: text)
            #expect(found == reference(keywords: keywords, text: text), "\(keywords) in \(text.debugDescription)")
        }
    }

    @Test func malformedUTF8NeverCrashesAndRangesStayInBounds() throws {
        let matcher = try KeywordMatcher(keywords: ["机密", "ab", "\u{10FFFF}x"])
        var generator = SplitMix(seed: 3)
        let pieces: [[UInt8]] = [
            [0xE6], [0x9C, 0xBA], Array("机密".utf8), [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0x80],
            [0xED, 0xA0, 0x80], Array("ab".utf8), [0x80], [0xF0, 0x9F], Array(" ".utf8),
        ]
        for _ in 0..<500 {
            let bytes = (0..<generator.next(20)).flatMap { _ in pieces[generator.next(pieces.count)] }
            var matches: [Range<Int>] = []
            bytes.withUnsafeBufferPointer { matcher.scan($0, into: &matches) }
            #expect(matches.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= bytes.count && !$0.isEmpty })
        }
    }

    @Test func foldingIsIdempotentAndTheTablesAgreeWithTheClassifier() throws {
        let table = ScalarClassTable.shared
        var misclassified: [UInt32] = []
        var notIdempotent: [UInt32] = []
        for value in UInt32(0)..<0x11_0000 where !(0xD800...0xDFFF).contains(value) {
            let (kind, folded) = KeywordNormalization.classify(value)
            let entry = table.pages[Int(table.pageIndex[Int(value >> 8)]) << 8 | Int(value & 0xFF)]
            if entry >> 16 != kind.rawValue { misclassified.append(value) }
            if kind != .ignorable && KeywordNormalization.classify(folded).folded != folded { notIdempotent.append(value) }
        }
        #expect(misclassified.isEmpty)
        #expect(notIdempotent.isEmpty)
    }

    func reference(keywords: [String], text: String) -> [Range<Int>] {
        let normalized = KeywordNormalization.normalize(text)
        let folded = normalized.map(\.folded)
        var ranges = Set<Range<Int>>()
        for keyword in keywords {
            let needle = KeywordNormalization.normalizeKeyword(keyword)
            guard !needle.isEmpty, needle.count <= folded.count else { continue }
            for start in 0...(folded.count - needle.count) where Array(folded[start..<(start + needle.count)]) == needle {
                ranges.insert(normalized[start].start..<normalized[start + needle.count - 1].end)
            }
        }
        return ranges.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
    }
}

/// A small seeded generator, so random tests are repeatable.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
