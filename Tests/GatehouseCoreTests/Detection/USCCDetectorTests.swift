import GatehouseCore
import Testing

@Suite struct USCCDetectorTests {
    let detector = USCCDetector()

    static let valid: [String] = [
        "91110108551385082",  // enterprise (9 1)
        "92440300MA5DABCD1",  // individual business with an MA subject identifier
        "12100000400000624",  // public institution registered centrally
        "51110000500021676",  // social organisation
        "Y1310115MA1K4QW8X",  // "other" registration authority
        "N2330102MA2CDE4P1",  // agricultural collective
        "A1110000MA00000XY",  // military reform office
    ].map { CheckDigits.uscc(base: $0) }

    /// A code that is all digits, check character included (about a third of real codes are).
    static let allDigits: String = {
        for serial in 10_000...99_999 {
            let base = "913101157\(serial)123"
            if CheckDigits.uscc(base).isNumber { return CheckDigits.uscc(base: base) }
        }
        return ""
    }()

    @Test func theHelperAgreesWithAPublishedCode() {
        // Shenzhen Tencent Computer Systems Co., Ltd., as printed on its business licence.
        #expect(CheckDigits.uscc("9144030071526726X") == "G")
    }

    @Test(arguments: valid + [allDigits]) func aValidCodeIsAFinding(code: String) {
        #expect(code.count == 18)
        #expect(detector.found(in: code) == [code])
        let text = "统一社会信用代码：\(code)，法定代表人：张三"
        // Eight CJK characters and a full-width colon, three bytes each.
        #expect(detector.matches(in: text) == [27..<45])
        #expect(detector.found(in: "(\(code))") == [code])
    }

    @Test(arguments: valid) func oneCharacterOffIsNoFinding(code: String) {
        let charset = CheckDigits.usccCharset
        for position in 0..<18 {
            var characters = Array(code)
            let index = charset.firstIndex(of: characters[position])!
            characters[position] = charset[(index + 1) % charset.count]
            #expect(detector.found(in: String(characters)).isEmpty, "position \(position)")
        }
    }

    @Test(arguments: ["I", "O", "S", "V", "Z"]) func lettersOutsideTheCharsetAreNoFinding(letter: String) {
        // Swap the last letter of a valid code's subject identifier for one the standard excludes.
        let code = Self.valid[1]
        let broken = String(code.prefix(12)) + letter + String(code.dropFirst(13))
        #expect(detector.found(in: broken).isEmpty)
    }

    @Test func lowercaseIsNoFinding() {
        #expect(detector.found(in: Self.valid[1].lowercased()).isEmpty)
    }

    @Test(arguments: ["0111010855138508", "B111010855138508", "X111010855138508"])
    func anUnknownRegistrationAuthorityIsNoFinding(prefix: String) {
        #expect(detector.found(in: CheckDigits.uscc(base: prefix + "2")).isEmpty)
    }

    @Test func theDivisionCodeMustBeDigits() {
        #expect(detector.found(in: CheckDigits.uscc(base: "9111A108551385082")).isEmpty)
    }

    @Test(arguments: [("A", ""), ("", "1"), ("9", ""), ("", "b")])
    func aCodeInsideALongerTokenIsNoFinding(before: String, after: String) {
        #expect(detector.found(in: before + Self.valid[0] + after).isEmpty)
    }

    @Test func severalCodesAndNoiseAroundThem() {
        let text = "甲方 \(Self.valid[0])；乙方 \(Self.valid[1])。订单 202406101230456789 SKU ABCDEFGH12345678XY"
        #expect(detector.found(in: text) == [Self.valid[0], Self.valid[1]])
    }
}
