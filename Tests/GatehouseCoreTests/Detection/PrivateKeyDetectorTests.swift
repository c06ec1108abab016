import GatehouseCore
import Testing

@Suite struct PrivateKeyDetectorTests {
    let detector = PrivateKeyDetector()

    static let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nq3Jm0d+8xV5pLkR0bS/4hV1n2ZyFh8u0P==\n"

    static func block(_ label: String, endLabel: String? = nil) -> String {
        "-----BEGIN \(label)-----\n\(body)-----END \(endLabel ?? label)-----"
    }

    @Test(arguments: [
        "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK",
    ]) func aWholeBlockIsOneFinding(label: String) {
        let block = Self.block(label)
        #expect(detector.found(in: block) == [block])
        let text = "密钥如下：\n\(block)\n谢谢"
        #expect(detector.matches(in: text) == [byteRange(of: block, in: text)!])
    }

    @Test func aTruncatedKeyRunsToTheEndOfTheText() {
        let text = "看看这个 -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7"
        #expect(detector.found(in: text) == [String(text.dropFirst(5))])
        let cutInEnd = "-----BEGIN PRIVATE KEY-----\n\(Self.body)-----END PRIVATE K"
        #expect(detector.found(in: cutInEnd) == [cutInEnd])
    }

    @Test func theEndLabelNeedNotRepeatTheBeginLabel() {
        let block = Self.block("RSA PRIVATE KEY", endLabel: "PRIVATE KEY")
        #expect(detector.found(in: block + "\nthanks") == [block])
    }

    @Test func twoKeysAreTwoFindings() {
        let first = Self.block("EC PRIVATE KEY")
        let second = Self.block("OPENSSH PRIVATE KEY")
        #expect(detector.found(in: "\(first)\n---\n\(second)") == [first, second])
    }

    @Test func aKeyAfterACertificateIsFoundAndTheCertificateIsNot() {
        let certificate = Self.block("CERTIFICATE")
        let key = Self.block("PRIVATE KEY")
        #expect(detector.found(in: "\(certificate)\n\(key)") == [key])
        // A certificate's END line does not end a key.
        let keyThenCertificate = "-----BEGIN PRIVATE KEY-----\n\(Self.body)\(certificate)"
        #expect(detector.found(in: keyThenCertificate) == [keyThenCertificate])
    }

    @Test(arguments: [
        block("PUBLIC KEY"), block("CERTIFICATE"), block("RSA PUBLIC KEY"), block("PGP PUBLIC KEY BLOCK"),
        "-----BEGIN PRIVATE KEY\nMIIE", "-----begin private key-----\nMIIE", "----BEGIN PRIVATE KEY-----\nMIIE",
        "-----BEGIN NOTAPRIVATE KEY-----\nMIIE", "-----BEGIN PRIVATE KEYS-----\nMIIE", "-- ----- BEGIN",
    ]) func otherArmourIsNoFinding(text: String) {
        #expect(detector.found(in: text).isEmpty)
    }
}
