import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct BankCardDetectorTests {
    let detector = BankCardDetector()

    static let visa16 = CheckDigits.card(base: "411111111111111")
    static let unionPay19 = CheckDigits.card(base: "621700123456789012")
    static let amex15 = CheckDigits.card(base: "37828224631000")
    static let diners14 = CheckDigits.card(base: "3056930902590")
    static let visa13 = CheckDigits.card(base: "422222222222")

    static let valid: [String] = [
        visa16, unionPay19, amex15, diners14, visa13,
        CheckDigits.card(base: "222100000000001"),  // Mastercard 2-series
        CheckDigits.card(base: "555555555555444"),  // Mastercard
        CheckDigits.card(base: "622202123456789"),  // UnionPay debit, 16
        CheckDigits.card(base: "353011133330000"),  // JCB
        CheckDigits.card(base: "601111111111111"),  // Discover
        CheckDigits.card(base: "817100123456789"),  // UnionPay 8-series
        CheckDigits.card(base: "955880123456789012"),  // legacy ICBC debit
    ]

    /// `number` split into groups of the given sizes.
    static func grouped(_ number: String, _ sizes: [Int], _ separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(number)
        for size in sizes {
            groups.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return groups.joined(separator: separator)
    }

    @Test func theHelperAgreesWithPublishedTestNumbers() {
        #expect(Self.visa16 == "4111111111111111")
        #expect(Self.amex15 == "378282246310005")
    }

    @Test(arguments: valid) func aLuhnValidCardNumberIsAFinding(number: String) {
        #expect(detector.found(in: number) == [number])
        #expect(detector.found(in: "卡号：\(number)，谢谢") == [number])
        #expect(detector.found(in: "No.\(number)") == [number])
    }

    @Test(arguments: [
        (visa16, [4, 4, 4, 4], " "), (visa16, [4, 4, 4, 4], "-"),
        (unionPay19, [4, 4, 4, 4, 3], " "), (unionPay19, [6, 13], " "), (unionPay19, [4, 4, 4, 4, 3], "-"),
        (amex15, [4, 6, 5], " "), (diners14, [4, 6, 4], "-"), (visa13, [4, 4, 4, 1], " "),
    ]) func groupedNumbersAreFindings(number: String, sizes: [Int], separator: String) {
        let written = Self.grouped(number, sizes, separator)
        let text = "请转账到 \(written) 谢谢"
        #expect(detector.found(in: text) == [written])
        #expect(detector.matches(in: text) == [byteRange(of: written, in: text)!])
    }

    @Test(arguments: [
        (visa16, [3, 4, 4, 5], " "), (visa16, [8, 8], " "), (visa16, [4, 4, 4, 4], "  "), (visa16, [4, 4, 4, 4], "."),
        (visa16, [5, 5, 6], "-"), (unionPay19, [4, 4, 4, 7], " "), (amex15, [4, 5, 6], " "),
    ]) func otherGroupingsAreNoFindings(number: String, sizes: [Int], separator: String) {
        #expect(detector.found(in: Self.grouped(number, sizes, separator)).isEmpty)
    }

    @Test func mixedSeparatorsAreNoFinding() {
        #expect(detector.found(in: "4111 1111-1111 1111").isEmpty)
    }

    @Test(arguments: [visa16, unionPay19, amex15])
    func oneDigitOffIsNoFinding(number: String) {
        for position in number.indices.map({ number.distance(from: number.startIndex, to: $0) }) {
            #expect(detector.found(in: changingDigit(at: position, of: number)).isEmpty, "position \(position)")
        }
    }

    @Test(arguments: ["0", "1", "7", "80", "82", "90", "954", "956", "99"])
    func anImplausibleIssuerIsNoFindingEvenWhenLuhnPasses(prefix: String) {
        let base = prefix + String(repeating: "3", count: 15 - prefix.count)
        #expect(detector.found(in: CheckDigits.card(base: base)).isEmpty)
    }

    @Test func lengthsOutside13To19AreNoFindings() {
        #expect(detector.found(in: CheckDigits.card(base: "41111111111")).isEmpty)  // 12
        #expect(detector.found(in: CheckDigits.card(base: "4111111111111111111")).isEmpty)  // 20
    }

    @Test func aValidRunInsideALongerNumberIsNoFinding() {
        // A Luhn-valid 19-digit run inside a 25-digit number.
        let long = "123" + Self.unionPay19 + "456"
        #expect(long.count == 25)
        #expect(detector.found(in: long).isEmpty)
        #expect(detector.found(in: "x\(Self.visa16)").isEmpty)
        #expect(detector.found(in: "\(Self.visa16)y").isEmpty)
        // A grouped number that goes on is read whole: 20 digits, no card (and no tail of one).
        #expect(detector.found(in: "1234 " + Self.grouped(Self.visa16, [4, 4, 4, 4], " ")).isEmpty)
        #expect(detector.found(in: Self.grouped(Self.visa16, [4, 4, 4, 4], " ") + " 2024").isEmpty)
        // Another separator ends it.
        #expect(detector.found(in: Self.grouped(Self.visa16, [4, 4, 4, 4], "-") + " 2024") == ["4111-1111-1111-1111"])
    }

    @Test func numbersThatFailLuhnAreNeverFindings() {
        // Order numbers, timestamps, tracking numbers: every finding must be Luhn-valid with a plausible
        // issuer, and every such number a finding.
        var random = SplitMix64(seed: 7)
        for _ in 0..<400 {
            let length = Int.random(in: 13...19, using: &random)
            let digits = (0..<length).map { index in String(Int.random(in: (index == 0 ? 1 : 0)...9, using: &random)) }
            let number = digits.joined()
            let plausible = "23456".contains(number.first!) || number.hasPrefix("81") || number.hasPrefix("955")
            let expected = CheckDigits.isLuhnValid(number) && plausible
            #expect(detector.found(in: "订单号：\(number)") == (expected ? [number] : []), "\(number)")
        }
        #expect(detector.found(in: "1718000000000 20240610123045 1Z999AA10123456784").isEmpty)
    }
}
