import Foundation
import Testing

@testable import GatehouseCore

@Suite struct NormalizedTextTests {
    func view(_ text: String) -> (view: String, identity: Bool) {
        var text = text
        return text.withUTF8 { bytes in
            let normalized = NormalizedText(bytes)
            return (normalized.viewText, normalized.isIdentity)
        }
    }

    @Test(arguments: ["plain ASCII text 13812345678", "中文的句子，有标点（全角）！对吗？是；好。", "", "emoji 😀 and é", "é\u{332}"])
    func textsThatNeedNothingAreTheirOwnView(_ text: String) {
        #expect(view(text) == (text, true))
    }

    @Test(arguments: [
        ("１３８：ＡＢ＠", "138:AB@"), ("a\u{200B}b\u{00AD}c", "abc"), ("1\u{00A0}2\u{3000}3\u{2028}4", "1 2 3\n4"),
        ("٤٢ ४२ 𝟒𝟐", "42 42 42"), ("𝐂𝐎𝐍𝐅", "CONF"), ("①⑴ﬁ", "1(1)fi"), ("1\u{332}2\u{332}", "12"), ("e\u{301}", "e"),
        ("a\u{2010}b\u{2212}c", "a-b-c"), ("机\u{2800}\u{180B}密", "机密"),
    ])
    func viewsFoldWhatReadsTheSame(_ text: String, _ expected: String) {
        #expect(view(text) == (expected, false))
    }

    @Test func rangesMapBackToWholeCharactersAsWritten() {
        var text = "\u{200B}电话１３８\u{200B}1234\u{200B}"
        text.withUTF8 { bytes in
            let normalized = NormalizedText(bytes)
            #expect(normalized.viewText == "电话1381234")
            // "1381234" in the view is bytes 6..<13; in the text, from "１" to "4", the inner ZWSP included.
            #expect(normalized.original(of: 6..<13) == 9..<(9 + 9 + 3 + 4))
            #expect(normalized.original(of: 0..<3) == 3..<6)
            #expect(normalized.original(of: 7..<8) == 12..<15)
            #expect(normalized.original(of: 13..<13) == 28..<28)
        }
    }

    @Test func theTableAgreesWithFoundationNFKC() {
        // Every scalar NFKC changes (and that no earlier rule reads) is replaced by its NFKC form.
        for value in UInt32(0xA0)..<0x3000 {
            guard let scalar = Unicode.Scalar(value), !NormalizationTable.isIgnorable(scalar),
                !scalar.properties.isWhitespace, scalar.properties.numericType != .decimal,
                !(0x2010...0x2015).contains(value), ![0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1B, 0xFF1F].contains(value)
            else { continue }
            let nfkc = String(scalar).precomposedStringWithCompatibilityMapping
            // (Results holding a scalar an earlier rule reads, such as U+2212 MINUS, are read by it.)
            guard nfkc != String(scalar),
                !nfkc.unicodeScalars.contains(where: {
                    $0.properties.isWhitespace || NormalizationTable.isIgnorable($0) || (0x2010...0x2015).contains($0.value) || $0.value == 0x2212
                })
            else { continue }
            #expect(NormalizationTable.mapping(of: scalar) == .replace(Array(nfkc.utf8)), "U+\(String(value, radix: 16))")
        }
    }

    @Test func malformedUTF8IsKeptAsItIs() {
        // F4 90 80 80 would decode past U+10FFFF; C0 is never a lead byte.
        let bytes: [UInt8] = [0xF4, 0x90, 0x80, 0x80, 0x31, 0xC0, 0xEF, 0xBC, 0x91, 0xE2, 0x80]
        bytes.withUnsafeBufferPointer { buffer in
            let normalized = NormalizedText(buffer)
            normalized.withView { view in
                #expect(Array(view) == [0xF4, 0x90, 0x80, 0x80, 0x31, 0xC0, 0x31, 0xE2, 0x80])
            }
            #expect(normalized.original(of: 6..<7) == 6..<9)
        }
    }
}
