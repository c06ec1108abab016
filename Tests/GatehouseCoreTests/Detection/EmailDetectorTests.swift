import GatehouseCore
import Testing

@Suite struct EmailDetectorTests {
    let detector = EmailDetector()

    @Test(arguments: [
        "bob@example.com", "first.last+tag@sub.example.co.uk", "a_b%c-d@x-y.example.cn", "BOB@EXAMPLE.COM",
        "x@ab.io", "user@example.xn--fiqs8s", "12345@qq.com", "o.k@a.b.c.d.museum",
    ]) func anAddressIsAFinding(address: String) {
        #expect(detector.found(in: address) == [address])
        let text = "请联系\(address)谢谢"
        #expect(detector.matches(in: text) == [9..<(9 + address.utf8.count)])
    }

    @Test(arguments: [
        ("<bob@example.com>", "bob@example.com"),
        ("'bob@example.com'", "bob@example.com"),
        ("mailto:bob@example.com", "bob@example.com"),
        ("?to=bob@example.com&x=1", "bob@example.com"),
        ("Mail bob@example.com.", "bob@example.com"),
        ("bob@example.com, alice@example.org", "bob@example.com"),
        ("wait..bob@example.com", "bob@example.com"),
        ("...bob@example.com", "bob@example.com"),
        ("bob@example.com.2", "bob@example.com"),
        ("(邮箱：alice.w@corp.example.cn)", "alice.w@corp.example.cn"),
    ]) func surroundingPunctuationIsNotPartOfTheAddress(text: String, address: String) {
        #expect(detector.found(in: text).first == address)
    }

    @Test func severalAddresses() {
        #expect(
            detector.found(in: "bob@example.com, alice@example.org;carol@example.net")
                == ["bob@example.com", "alice@example.org", "carol@example.net"]
        )
    }

    @Test(arguments: [
        "bob@localhost", "bob@example.c", "bob@example.123", "bob@-example.com", "bob@example-.com",
        "bob.@example.com", "@example.com", "bob@", "bob@@example.com", "bob@example.com_backup",
        "bob@example.com-", "user@[10.0.0.1]", "张三@例子.中国", "a@b", "@", "foo @ bar.com", "bob@example..com",
    ]) func nonAddressesAreNoFindings(text: String) {
        #expect(detector.found(in: text).isEmpty)
    }

    @Test func theLocalPartIsAtMost64Bytes() {
        let local64 = String(repeating: "a", count: 64)
        #expect(detector.found(in: "\(local64)@example.com") == ["\(local64)@example.com"])
        #expect(detector.found(in: "a\(local64)@example.com").isEmpty)
    }

    @Test func labelsAreAtMost63Bytes() {
        let label63 = String(repeating: "d", count: 63)
        #expect(detector.found(in: "bob@\(label63).com") == ["bob@\(label63).com"])
        #expect(detector.found(in: "bob@d\(label63).com").isEmpty)
    }
}
