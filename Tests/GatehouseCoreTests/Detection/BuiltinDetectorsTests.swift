import GatehouseTesting
import Testing

@testable import GatehouseCore

@Suite struct BuiltinDetectorsTests {
    @Test func everyNameResolvesToADetectorOfThatName() {
        #expect(
            BuiltinDetectors.names == [
                "cn_resident_id", "cn_mobile", "bank_card", "uscc", "iban", "email", "ipv4_private", "private_key", "api_token",
            ]
        )
        for name in BuiltinDetectors.names {
            #expect(BuiltinDetectors.named(name)?.name == name)
        }
    }

    @Test(arguments: ["", "email ", "Email", "phone", "cn_id", "credit_card"])
    func anUnknownNameResolvesToNothing(name: String) {
        #expect(BuiltinDetectors.named(name) == nil)
    }

    /// One valid sample per detector, for the robustness tests.
    static let samples: [String] = [
        CheckDigits.residentID(base: "11010519491231002"), "+86 138-1234-5678", "4111 1111 1111 1111",
        CheckDigits.uscc(base: "92440300MA5DABCD1"), CheckDigits.printFormat(CheckDigits.iban(country: "DE", bban: "370400440532013000")),
        "bob@example.com", "192.168.1.1", PrivateKeyDetectorTests.block("RSA PRIVATE KEY"), APITokenDetectorTests.telegram,
        APITokenDetectorTests.dingTalk, APITokenDetectorTests.aws, APITokenDetectorTests.gitHubFineGrained,
    ]

    /// Checks the protocol's promises on one text: in bounds, ascending, not overlapping.
    static func expectWellFormed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let count = text.utf8.count
        for name in BuiltinDetectors.names {
            let matches = BuiltinDetectors.named(name)!.matches(in: text)
            var previousEnd = 0
            for match in matches {
                #expect(
                    match.lowerBound >= previousEnd && match.upperBound <= count && !match.isEmpty,
                    "\(name): \(matches) in \(text.debugDescription)",
                    sourceLocation: sourceLocation
                )
                previousEnd = match.upperBound
            }
        }
    }

    @Test func everyPrefixOfEverySampleIsScannedSafely() {
        // Candidates cut off at the end of the buffer are where out-of-bounds reads would hide.
        for sample in Self.samples {
            let bytes = Array(sample.utf8)
            for length in 0...bytes.count {
                Self.expectWellFormed(String(decoding: bytes[0..<length], as: UTF8.self))
            }
        }
    }

    @Test func randomCandidateRichTextIsScannedSafely() {
        let alphabet = Array("0123456789 -+.:@_SECAKIAghpub-----BEGIN PRIVATE KEY-----xX中，\n")
        var random = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let length = Int.random(in: 0...120, using: &random)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            Self.expectWellFormed(text)
        }
        Self.expectWellFormed(Self.samples.joined(separator: "，"))
        Self.expectWellFormed(Self.samples.joined())
    }

    @Test func everySampleIsFoundByItsDetectorInAMixedMessage() {
        let text = "各位：\n" + Self.samples.joined(separator: "\n请核实 ") + "\n谢谢"
        let expected: [(String, [String])] = [
            ("cn_resident_id", [Self.samples[0]]), ("cn_mobile", [Self.samples[1]]), ("bank_card", [Self.samples[2]]),
            ("uscc", [Self.samples[3]]), ("iban", [Self.samples[4]]), ("email", [Self.samples[5]]),
            ("ipv4_private", [Self.samples[6]]), ("private_key", [Self.samples[7]]),
            ("api_token", Array(Self.samples[8...11])),
        ]
        for (name, found) in expected {
            #expect(BuiltinDetectors.named(name)!.found(in: text) == found, "\(name)")
        }
    }
}

@Suite struct ByteScanTests {
    static func scan(_ text: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Int) -> Int {
        text.withUnsafeBufferPointer(body)
    }

    @Test func wordAtATimeSearchAgreesWithAByteLoop() {
        // Every byte value of interest at every offset of buffers around the 8-byte word size.
        let interesting: [UInt8] = [0x00, 0x01, 0x2D, 0x40, 0x41, 0x7F, 0x80, 0xB0, 0xC0, 0xE4, 0xFF]
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 24] {
            for position in 0..<max(length, 1) {
                for value in interesting {
                    var text = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    if position < length { text[position] = value }
                    // Another match two bytes later, where a borrow from the first would show.
                    if position + 2 < length { text[position + 2] = value &+ 1 }
                    for start in [0, position, min(position + 1, length)] {
                        for target in [value, value &+ 1] {
                            let expected = text.indices.first { $0 >= start && text[$0] == target } ?? length
                            #expect(Self.scan(text) { ByteScan.first(target, $0, from: start) } == expected)
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: [6, 8, 11, 13, 15, 17, 20])
    func strideProbingFindsEveryRunOfTheMinimumLength(minimum: Int) {
        for offset in 0..<(2 * minimum + 3) {
            for length in [minimum - 1, minimum, minimum + 1] {
                // A short run that a probe hits must not hide a run right after it.
                var text = [UInt8](repeating: UInt8(ascii: "x"), count: offset) + Array("22x".utf8)
                let start = text.count
                text += [UInt8](repeating: UInt8(ascii: "7"), count: length) + Array("x333x".utf8)
                let run = text.withUnsafeBufferPointer {
                    ByteScan.nextRun($0, from: 0, minimumLength: minimum, where: ByteScan.isDigit)
                }
                #expect(run == (length >= minimum ? start..<(start + length) : nil), "offset \(offset), length \(length)")
            }
        }
    }
}

@Suite struct BuiltinDetectorsWorstCaseTests {
    /// Inputs that would expose a scan that is quadratic in the text length: every detector must get
    /// through each in linear time (this test takes milliseconds; a quadratic scan takes minutes).
    static let pathological: [(String, Int)] = [
        ("1", 1 << 16), ("1111 ", 1 << 13), ("AB12", 1 << 14), ("AB12 ", 1 << 13), ("a.", 1 << 15), ("@a.bc", 1 << 13),
        ("10.", 1 << 14), ("-----BEGIN PRIVATE KEY-----", 1 << 11), ("12345678:", 1 << 13), ("A", 1 << 16),
        ("ghp_", 1 << 14), ("SEC", 1 << 15), ("身份证", 1 << 14),
    ]

    @Test(arguments: pathological) func longRepetitiveInputsScanInLinearTime(pattern: String, count: Int) {
        let text = String(repeating: pattern, count: count) + "@"
        for name in BuiltinDetectors.names {
            _ = BuiltinDetectors.named(name)!.matches(in: text)
        }
    }
}
