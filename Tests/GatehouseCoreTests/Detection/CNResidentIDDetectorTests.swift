import GatehouseCore
import Testing

@Suite struct CNResidentIDDetectorTests {
    let detector = CNResidentIDDetector()

    static let valid: [String] = [
        "11010519491231002",  // Beijing
        "44030420000229123",  // 29 February of a leap century year
        "51010219000101001",  // the earliest year accepted
        "50010119960229456",  // Chongqing (code 50, since 1997)
        "65010220991231999",  // the latest year accepted
        "81000019880808008",  // residence permit of a Hong Kong resident
        "83000020010101017",  // residence permit of a Taiwan resident
    ].map { CheckDigits.residentID(base: $0) }

    /// A number whose check character is X (the sequence varied until the remainder is 2).
    static let withX: String = {
        for sequence in 100...999 {
            let base = "32058219850607\(sequence)"
            if CheckDigits.residentID(base) == "X" { return base + "X" }
        }
        return ""
    }()

    @Test(arguments: valid) func aValidNumberIsAFinding(id: String) {
        #expect(detector.found(in: id) == [id])
        #expect(detector.found(in: "身份证：\(id)。") == [id])
        #expect(detector.found(in: "id=\(id)&x=1") == [id])
    }

    @Test func theCheckCharacterXIsAcceptedInEitherCase() {
        #expect(Self.withX.count == 18)
        #expect(detector.found(in: "证件 \(Self.withX)") == [Self.withX])
        let lower = Self.withX.lowercased()
        #expect(detector.found(in: "证件 \(lower)") == [lower])
        // X stands for 10 only; a digit where X is due fails the check.
        #expect(detector.found(in: String(Self.withX.dropLast()) + "0").isEmpty)
    }

    @Test func aMatchInChineseTextHasTheRightByteRange() {
        let id = Self.valid[0]
        let text = "我的身份证号是\(id)，请核实"
        // Seven CJK characters of three bytes each come first.
        #expect(detector.matches(in: text) == [21..<39])
        #expect(detector.found(in: text) == [id])
        let two = "甲\(Self.valid[1])、乙\(Self.withX)"
        #expect(detector.matches(in: two) == [byteRange(of: Self.valid[1], in: two)!, byteRange(of: Self.withX, in: two)!])
    }

    @Test(arguments: 0..<18) func oneDigitOffIsNoFinding(position: Int) throws {
        // A valid number whose check character is a digit, so every position can be changed.
        let id = try #require(Self.valid.first { $0.last!.isNumber })
        #expect(detector.found(in: id) == [id])
        #expect(detector.found(in: changingDigit(at: position, of: id)).isEmpty)
    }

    @Test func everyOtherCheckCharacterIsNoFinding() {
        let id = Self.valid[2]
        for check in "0123456789X" where check != id.last! {
            #expect(detector.found(in: String(id.dropLast()) + String(check)).isEmpty)
        }
    }

    @Test(arguments: [
        ("19000229", "1900 is not a leap year"),
        ("20230229", "2023 is not a leap year"),
        ("19990431", "April has 30 days"),
        ("19991131", "November has 30 days"),
        ("19990132", "no 32nd day"),
        ("19991301", "no 13th month"),
        ("19990001", "no month 0"),
        ("19990100", "no day 0"),
        ("18991231", "before 1900"),
        ("21000101", "after 2099"),
    ]) func anImpossibleBirthDateIsNoFinding(date: String, why: String) {
        let id = CheckDigits.residentID(base: "110105\(date)123")
        #expect(detector.found(in: id).isEmpty, Comment(rawValue: why))
    }

    @Test(arguments: ["00", "10", "16", "20", "39", "47", "55", "66", "72", "84", "91", "99"])
    func anAreaOutsideTheProvinceCodesIsNoFinding(province: String) {
        let id = CheckDigits.residentID(base: "\(province)010519800101123")
        #expect(detector.found(in: id).isEmpty)
    }

    @Test(arguments: [
        ("1", ""), ("", "1"), ("a", ""), ("", "b"), ("X", ""), ("", "X"), ("12345", "67890"),
    ]) func aNumberInsideALongerTokenIsNoFinding(before: String, after: String) {
        #expect(detector.found(in: before + Self.valid[0] + after).isEmpty)
    }

    @Test(arguments: [("_", ""), ("(", ")"), ("“", "”"), ("ID:", ";"), ("张三_", ".jpg"), ("\n", "\n"), ("１", "２")])
    func punctuationAndNonASCIIAreBoundaries(before: String, after: String) {
        // Full-width digits are not digits to the detector: it reads ASCII only.
        #expect(detector.found(in: before + Self.valid[0] + after) == [Self.valid[0]])
    }

    @Test func truncatedNumbersAndTimestampsAreNoFindings() {
        let id = Self.valid[0]
        #expect(detector.found(in: String(id.dropLast())).isEmpty)
        #expect(detector.found(in: "订单 \(String(id.dropLast()))X8").isEmpty)
        // A millisecond timestamp and an 18-digit order number with a plausible date inside.
        #expect(detector.found(in: "ts=1718000000000 order=202406101230456789").isEmpty)
    }
}
