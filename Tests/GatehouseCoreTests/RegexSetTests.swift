import Foundation
import Testing

@testable import GatehouseCore

@Suite struct RegexSetTests {
    @Test func reportsUTF8ByteRangesInCJKTextInOrderAcrossPatterns() throws {
        let detector = try RegexSet(patterns: [#"\bINC-\d{6}\b"#, #"合同编号\s*\d+"#])
        let text = "工单 INC-123456 和 INC-1234567，合同编号 42，以及 INC-654321"
        let utf8 = Array(text.utf8)
        #expect(detector.matches(in: text).map { String(decoding: utf8[$0], as: UTF8.self) } == ["INC-123456", "合同编号 42", "INC-654321"])
    }

    @Test func icuWordBoundariesTreatCJKAsLetters() throws {
        // What the reference config warns about: `\b` finds no boundary between 及 and I.
        #expect(try RegexSet(patterns: [#"\bINC-\d{6}\b"#]).matches(in: "以及INC-654321").isEmpty)
        #expect(try RegexSet(patterns: [#"(?<![A-Za-z0-9])INC-\d{6}(?![0-9])"#]).matches(in: "以及INC-654321") == [6..<16])
    }

    @Test func anInvalidPatternIsRejectedByIndex() {
        #expect {
            try RegexSet(patterns: ["a", "([a-z"])
        } throws: { error in
            (error as? RegexSet.PatternError)?.index == 1
        }
    }

    @Test(
        arguments: [
            (#"\bINC-\d{6}\b"#, "INC-", false),
            (#"(?i)project\s+phoenix"#, "project", true),
            (#"合同编号\s*\d+"#, "合同编号", false),
            (#"\$\d+(?:,\d{3})*"#, "$", false),
            (#"PO\d{8}"#, "PO", false),
            (#"colou?r"#, "colo", false),
            (#"ab+c"#, "ab", false),
            (#"x{0,2}yz"#, "yz", false),
            (#"[A-Z]{2}-\d+ (secret|top)"#, "-", false),
            (#"(?i)\d{3}"#, nil, false),
            (#"cat|dog"#, nil, false),
            (#"\Qa.b\E"#, nil, false),
            (#"(?x) a b"#, nil, false),
            (#"(?i)straße"#, nil, false),
        ] as [(String, String?, Bool)]
    )
    func findsTheLiteralEveryMatchMustContain(pattern: String, literal: String?, folded: Bool) {
        let found = RequiredLiteral.of(pattern)
        #expect(found.map { String(decoding: $0.bytes, as: UTF8.self) } == literal)
        if literal != nil { #expect(found?.caseInsensitive == folded) }
    }

    @Test func literalsAreFoundAtEveryPositionAcrossChunkBoundaries() throws {
        let exact = try #require(RequiredLiteral.of("INC-"))
        let folded = try #require(RequiredLiteral.of("(?i)phoenix"))
        for position in 0...60 {
            let filler = String(repeating: "x", count: position)
            for (literal, word) in [(exact, "INC-"), (folded, "PhOeNiX")] {
                var text = filler + word + String(repeating: "y", count: 64 - position)
                #expect(text.withUTF8 { literal.occurs(in: $0) }, "\(word) at \(position)")
                var cut = filler + String(word.dropLast())
                #expect(!cut.withUTF8 { literal.occurs(in: $0) }, "a cut \(word) at \(position)")
            }
        }
        var near = "INC_ inc- Phoenx"
        #expect(!near.withUTF8 { exact.occurs(in: $0) || folded.occurs(in: $0) })
    }

    @Test func theLiteralPrefilterNeverChangesTheResult() throws {
        let patterns = [
            #"INC-\d{6}"#, #"(?i)project\s+phoenix"#, #"\b[A-Z]{2,4}-\d{3,6}\b"#, #"合同编号\s*\d+"#, #"\$\d+(?:,\d{3})*"#,
            #"(?i)password\s*[:=]"#, #"\b\d{4}-\d{2}-\d{2}\b"#, #"PO\d{8}"#, #"colou?r"#, #"订单号[:：]?\s*\d{10,}"#,
        ]
        let set = try RegexSet(patterns: patterns)
        let plain = try patterns.map { try NSRegularExpression(pattern: $0) }
        let pieces = [
            "INC-123456", "inc-123456", "Project  Phoenix", "PROJECT phoenix", "AB-1234", "合同编号 77", "$1,000", "PassWord:",
            "2026-11-21", "PO12345678", "po12345678", "color", "colour", "订单号：1234567890", "机密", "hello", " ", "，", "-", "$",
        ]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...12, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
            var expected: [Range<Int>] = []
            let utf8 = text.utf8
            for regex in plain {
                for match in regex.matches(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text)) where match.range.length > 0 {
                    guard let range = Range(match.range, in: text) else { continue }
                    expected.append(
                        utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound)
                    )
                }
            }
            expected.sort { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
            #expect(set.matches(in: text) == expected, "\(text)")
        }
    }
}
