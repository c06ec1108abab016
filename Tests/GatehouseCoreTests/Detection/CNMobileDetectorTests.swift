import GatehouseCore
import Testing

@Suite struct CNMobileDetectorTests {
    let detector = CNMobileDetector()

    /// The 3-digit blocks the numbering plan allocates to mobile service.
    static let allocated: Set<Int> = Set(130...139).union(145...149).union([150, 151, 152, 153])
        .union(155...159).union([162, 165, 166, 167]).union(170...178).union(180...189)
        .union([190, 191, 192, 193]).union(195...199)

    @Test func exactlyTheAllocatedBlocksAreFindings() {
        for block in 100...199 {
            let number = "\(block)12345678"
            #expect(
                detector.found(in: "电话\(number)") == (Self.allocated.contains(block) ? [number] : []),
                "block \(block)"
            )
        }
    }

    @Test(arguments: [
        "13812345678", "138 1234 5678", "138-1234-5678",
        "+8613812345678", "+86 13812345678", "+86-13812345678", "+86 138 1234 5678", "+86-138-1234-5678",
        "008613812345678", "0086 13812345678", "0086-138-1234-5678",
        "8613812345678", "86 139 0000 1111", "86-19912345678",
        // One of the two separators left out (or an invisible one, dropped by the normalised view).
        "138 12345678", "1381234-5678", "138.1234.5678", "+86 138.1234.5678",
    ]) func writtenFormsAreFindingsIncludingThePrefix(number: String) {
        #expect(detector.found(in: number) == [number])
        let text = "请拨打\(number)联系我"
        #expect(detector.matches(in: text) == [9..<(9 + number.utf8.count)])
        #expect(detector.found(in: "Tel: \(number).") == [number])
        #expect(detector.found(in: "(\(number))") == [number])
    }

    @Test(arguments: [
        "1381234567",  // 10 digits
        "138123456789",  // 12 digits
        "138 1234-5678",  // mixed separators
        "138.1234-5678",
        "1381.234.5678",  // not 3-4-4
        "138  1234 5678",  // double space
        "1381 234 5678",  // not 3-4-4
        "138-1234-5678-9012",  // a longer grouped code
        "0-138-1234-5678",  // the tail of one
        "+13812345678",  // +1 381 234 5678, a North American number
        "+4413812345678",  // another country's prefix
        "A13812345678",  // an order code
        "13812345678b",
        "213812345678",
        "订单号202401151381234567812",
        "1718000000123",  // a millisecond timestamp
    ]) func otherNumbersAreNoFindings(text: String) {
        #expect(detector.found(in: text).isEmpty)
    }

    @Test func severalNumbersInOneText() {
        let text = "张三 13912345678，李四 +86 150-1234-5678；王五 0086 199 8765 4321。"
        #expect(detector.found(in: text) == ["13912345678", "+86 150-1234-5678", "0086 199 8765 4321"])
    }

    @Test func aCountryPrefixWithoutANumberIsNotPartOfTheNext() {
        // "86" starts no number here, so the mobile stands alone.
        #expect(detector.found(in: "86 分, 13812345678") == ["13812345678"])
        #expect(detector.found(in: "共86人13812345678") == ["13812345678"])
    }
}
