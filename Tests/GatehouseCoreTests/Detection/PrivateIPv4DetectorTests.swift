import GatehouseCore
import Testing

@Suite struct PrivateIPv4DetectorTests {
    let detector = PrivateIPv4Detector()

    @Test(arguments: [
        "10.0.0.1", "10.255.255.255", "10.0.0.0", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255",
        "100.64.0.1", "100.127.255.254",
    ]) func privateAndSharedAddressesAreFindings(address: String) {
        #expect(detector.found(in: address) == [address])
        let text = "内网地址\(address)，请勿外传"
        #expect(detector.matches(in: text) == [12..<(12 + address.utf8.count)])
    }

    @Test(arguments: [
        "172.15.255.255", "172.32.0.1", "192.169.1.1", "192.167.1.1", "100.63.255.255", "100.128.0.1",
        "11.0.0.1", "8.8.8.8", "1.1.1.1",
        "127.0.0.1", "169.254.169.254",  // loopback and link-local: excluded by choice
    ]) func publicLoopbackAndLinkLocalAddressesAreNoFindings(address: String) {
        #expect(detector.found(in: address).isEmpty)
    }

    @Test(arguments: [
        "10.0.0.256", "010.0.0.1", "10.00.0.1", "10.0.0.01", "10.0.0", "10.0.0.", "10..0.0.1", "10.0.0.1234",
        "1.10.0.0.1", "10.0.0.1.5", "a10.0.0.1", "10.0.0.1a", "v1.10.0.0.1", "10.0.19041.1", "110.0.0.1",
    ]) func malformedOrLongerDottedNumbersAreNoFindings(text: String) {
        #expect(detector.found(in: text).isEmpty)
    }

    @Test(arguments: [
        ("10.0.0.1:8080", "10.0.0.1"), ("10.0.0.0/8", "10.0.0.0"), ("ping 192.168.1.1.", "192.168.1.1"),
        ("http://172.16.5.4/admin", "172.16.5.4"), ("[10.1.2.3]", "10.1.2.3"), ("x=10.1.2.3,", "10.1.2.3"),
    ]) func portsSuffixesAndPunctuationEndTheAddress(text: String, address: String) {
        #expect(detector.found(in: text) == [address])
    }

    @Test func rangesAndLists() {
        #expect(detector.found(in: "10.0.0.1-10.0.0.5, 192.168.1.1 and 8.8.8.8") == ["10.0.0.1", "10.0.0.5", "192.168.1.1"])
    }
}
