import GatehouseCore
import Testing

@Suite struct IBANDetectorTests {
    let detector = IBANDetector()

    static let valid: [String] = [
        ("DE", "370400440532013000"),  // 22
        ("GB", "NWBK60161331926819"),  // 22, letters in the BBAN
        ("NL", "ABNA0417164300"),  // 18
        ("BE", "539007547034"),  // 16, a multiple of four
        ("NO", "86011117947"),  // 15, the shortest
        ("FR", "20041010050500013M02606"),  // 27
        ("CH", "00762011623852957"),  // 21
        ("MT", "MALT011000012345MTLCAST001S"),  // 31
        ("LC", "HEMM000100010012001200023015"),  // 32
        ("SN", "K01001520000256900007542"),  // 28, not in the table: 15–34 accepted
    ].map { CheckDigits.iban(country: $0.0, bban: $0.1) }

    @Test func theHelperAgreesWithPublishedExamples() {
        #expect(CheckDigits.ibanCheckDigits(country: "DE", bban: "370400440532013000") == 89)
        #expect(CheckDigits.ibanCheckDigits(country: "GB", bban: "NWBK60161331926819") == 29)
    }

    @Test(arguments: valid) func electronicAndPrintFormatsAreFindings(iban: String) {
        #expect(detector.found(in: iban) == [iban])
        let printed = CheckDigits.printFormat(iban)
        #expect(detector.found(in: printed) == [printed])
        let text = "收款账户 \(printed)，谢谢"
        #expect(detector.matches(in: text) == [byteRange(of: printed, in: text)!])
        #expect(detector.found(in: "IBAN: \(iban).") == [iban])
    }

    @Test func printFormatStopsAtTheCountrysLength() {
        let printed = CheckDigits.printFormat(Self.valid[0])  // DE…, 5 groups and 2 characters
        #expect(detector.found(in: "\(printed) EUR") == [printed])
        let belgian = CheckDigits.printFormat(Self.valid[3])  // BE…, exactly 4 groups
        #expect(detector.found(in: "\(belgian) EUR 100") == [belgian])
    }

    @Test func aWordAfterAnIBANOfAnUnlistedCountryIsNotPartOfIt() {
        let senegal = CheckDigits.printFormat(Self.valid[9])  // SN…, 7 groups of four
        #expect(detector.found(in: "\(senegal) XOF") == [senegal])
        #expect(detector.found(in: "\(senegal) XOFA") == [senegal])
        #expect(detector.found(in: "\(senegal) fcfa") == [senegal])
        #expect(detector.found(in: "\(senegal)Z").isEmpty)
    }

    @Test func theLengthMustBeTheCountrys() {
        // Checksums are right; lengths are not.
        #expect(detector.found(in: CheckDigits.iban(country: "DE", bban: "37040044053201300")).isEmpty)
        #expect(detector.found(in: CheckDigits.iban(country: "DE", bban: "3704004405320130001")).isEmpty)
        #expect(detector.found(in: CheckDigits.iban(country: "NO", bban: "8601111794")).isEmpty)
        // Unknown countries: 15–34 characters.
        #expect(detector.found(in: CheckDigits.iban(country: "SN", bban: "K0100152")).isEmpty)
        #expect(detector.found(in: CheckDigits.iban(country: "SN", bban: String(repeating: "K0100152", count: 4))).isEmpty)
    }

    @Test(arguments: valid) func oneDigitOffIsNoFinding(iban: String) {
        for (position, character) in iban.enumerated() where character.isNumber {
            #expect(detector.found(in: changingDigit(at: position, of: iban)).isEmpty, "position \(position)")
        }
    }

    @Test func checkDigitsOutside02To98AreNoFindings() {
        // Check digits 97 and 98 have twins 00 and 01 with the same remainder; ISO 13616 forbids those.
        var twins = 0
        for serial in 1000...9999 {
            let bban = "37040044053201\(serial)"
            let check = CheckDigits.ibanCheckDigits(country: "DE", bban: bban)
            guard check >= 97 else { continue }
            #expect(detector.found(in: "DE\(check)\(bban)") == ["DE\(check)\(bban)"])
            let twin = check - 97 == 0 ? "00" : "01"
            #expect(CheckDigits.mod97(bban + "DE" + twin) == 1)
            #expect(detector.found(in: "DE\(twin)\(bban)").isEmpty)
            twins += 1
            if twins == 4 { break }
        }
        #expect(twins == 4)
    }

    @Test func lowercaseIsNoFinding() {
        #expect(detector.found(in: Self.valid[1].lowercased()).isEmpty)
        #expect(detector.found(in: "de" + Self.valid[0].dropFirst(2)).isEmpty)
    }

    @Test(arguments: [("X", ""), ("1", ""), ("", "1"), ("", "a"), ("", "Z")])
    func anIBANInsideALongerTokenIsNoFinding(before: String, after: String) {
        #expect(detector.found(in: before + Self.valid[0] + after).isEmpty)
    }

    @Test func irregularSpacingIsNoFinding() {
        let iban = Self.valid[0]
        #expect(detector.found(in: "DE89  3704 0044 0532 0130 00").isEmpty)
        #expect(detector.found(in: String(iban.prefix(4)) + " " + String(iban.dropFirst(4))).isEmpty)
    }
}
